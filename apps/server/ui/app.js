import { ApiError, createApi } from './api.js';
import { errorNotice, h, retryButton, show } from './dom.js';
import { clearToken, readToken, saveToken, withCurrentLimits } from './session.js';
import { renderEpisode } from './views/episode.js';
import { renderEpisodes } from './views/episodes.js';
import { renderOverview } from './views/overview.js';
import { renderPatterns } from './views/patterns.js';
import { renderSearch } from './views/search.js';

const signIn = document.getElementById('sign-in');
const signInForm = document.getElementById('sign-in-form');
const signInError = document.getElementById('sign-in-error');
const tokenInput = document.getElementById('token');
const nav = document.getElementById('nav');
const signOut = document.getElementById('sign-out');
const view = document.getElementById('view');

let api = null;
// What `session.whoami` answered for the token: its scopes and domains, the server's limits.
let session = null;
// `api` as the views call it: it keeps `session`'s limits current.
let viewsApi = null;

const titles = { overview: 'Overview', episodes: 'Episodes', search: 'Search', patterns: 'Patterns' };

// A link cut short leaves `%` escapes that do not decode: kept as typed, the server refuses the id
// with its message instead of the page failing blank.
function decodedId(id) {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

/**
 * `#/episodes/<id>` → `{ name: 'episodes', id }`, `#/episodes/<id>/steps/<n>` with `step: n` (the
 * episode opened at that step); anything unknown is the overview.
 */
function currentRoute() {
  const [name, id, part, number] = location.hash.replace(/^#\/?/, '').split('/');
  const known = ['overview', 'episodes', 'search', 'patterns'];
  const step = part === 'steps' && /^[1-9]\d{0,14}$/.test(number ?? '') ? Number(number) : undefined;
  return { name: known.includes(name) ? name : 'overview', id: id ? decodedId(id) : undefined, step };
}

/** Every view but the overview reads: a token without `read` is told once, not refused (and audited) per call. */
function needsRead(root) {
  const scopes = session.token.scopes.map((scope) => `"${scope}"`).join(', ');
  root.append(
    h(
      'p',
      { className: 'error', role: 'alert' },
      `This view needs the "read" scope; this token has ${scopes}.`,
    ),
  );
}

function render() {
  if (api === null || session === null) return;
  const route = currentRoute();
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.view === route.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const episode = route.name === 'episodes' && route.id !== undefined;
  // Tabs and history entries name the view; an episode's page names the episode once it is read.
  document.title = `${episode ? 'Episode' : titles[route.name]} — Episodic`;
  // A fresh root per navigation: a slow answer for the previous view lands in a detached node.
  const root = h('div', { className: 'view', 'data-view': route.name });
  show(view, root);
  if (route.name !== 'overview' && !session.token.scopes.includes('read')) return needsRead(root);
  if (episode) return renderEpisode(root, viewsApi, route.id, route.step);
  const views = {
    overview: renderOverview,
    episodes: renderEpisodes,
    search: renderSearch,
    patterns: renderPatterns,
  };
  return views[route.name](root, viewsApi, session);
}

function showSignIn(message) {
  api = null;
  session = null;
  viewsApi = null;
  clearToken();
  show(view);
  nav.hidden = true;
  signOut.hidden = true;
  signIn.hidden = false;
  signInError.hidden = message === undefined;
  signInError.textContent = message ?? '';
  document.title = 'Sign in — Episodic';
  tokenInput.focus();
}

/** Signed out, by the user or by the server refusing the token. */
function leave(message) {
  // The next token starts at the overview, not on a page of this one's (an episode it may not read).
  history.replaceState(null, '', location.pathname);
  showSignIn(message);
}

/**
 * Asks who the token is; the navigation shows once the server answered, as the views need the
 * answer. Without one (the server down or restarting), says so with a way to ask again.
 * `retried`: asked by "Try again", whose button is gone: the focus goes to the view's heading.
 */
async function connect(retried = false) {
  const asking = api;
  show(view, h('p', { className: 'muted' }, 'Connecting…'));
  let answer;
  try {
    answer = await asking.query('session.whoami');
  } catch (error) {
    // A refused token is back at the sign-in already.
    if (api === asking)
      show(
        view,
        errorNotice(error),
        retryButton(() => connect(true)),
      );
    return;
  }
  // Signed out meanwhile.
  if (api !== asking) return;
  session = answer;
  viewsApi = withCurrentLimits(api, session);
  nav.hidden = false;
  await render();
  if (retried && document.activeElement === document.body) view.querySelector('h2')?.focus();
}

function enter(token) {
  api = createApi(token, (message) =>
    leave(`The server refused the token: ${message} Sign in again with a valid token.`),
  );
  signIn.hidden = true;
  signOut.hidden = false;
  void connect();
}

async function signInWith(token) {
  // A header cannot carry spaces or non-ASCII; say so rather than fail inside fetch.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    signInError.textContent = 'That is not a token: it looks like ep_<id>_<secret>, with no spaces.';
    signInError.hidden = false;
    return;
  }
  try {
    // Any valid token may ask who it is, so proving it calls nothing the token may not.
    await createApi(token).query('session.whoami');
  } catch (error) {
    const refused = error instanceof ApiError && error.code === 'UNAUTHORIZED';
    signInError.textContent = refused
      ? `Sign-in refused: ${error.message} Check the token, or create one with "episodic tokens create".`
      : `Could not sign in: ${error.message}`;
    signInError.hidden = false;
    return;
  }
  tokenInput.value = '';
  saveToken(token);
  // The views keep their filters, search and page in module state: a page load per sign-in
  // starts them afresh, so nothing of a previous token's session carries over to this one.
  location.reload();
}

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void signInWith(tokenInput.value.trim());
});
signOut.addEventListener('click', () => leave());
window.addEventListener('hashchange', () => void render());
// A link to the view shown changes no hash, so fires no `hashchange`: a click loads the view
// again (after a failed load, say).
nav.addEventListener('click', (event) => {
  if (event.target.closest('a')?.hash === location.hash) void render();
});

const saved = readToken();
// Without a token the link stays: a deep link opens once signed in.
if (saved === null) showSignIn();
else enter(saved);
