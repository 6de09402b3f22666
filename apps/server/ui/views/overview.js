import { fetchHealth } from '../api.js';
import { announce, errorNotice, facts, h, retryButton, table, viewHeading } from '../dom.js';
import { formatBytes, formatNumber, formatPercent, formatSeconds, formatTime } from '../format.js';

/** A titled part of the overview; `part` names it for the page's tests. */
function card(part, title, ...children) {
  return h('section', { className: 'card', 'data-part': part }, h('h3', {}, title), ...children);
}

function healthSection(health) {
  const state = health.httpStatus === 200 ? 'ok' : health.status;
  return card(
    'health',
    'Server',
    facts([
      ['health', state],
      ['schema version', health.schemaVersion],
    ]),
  );
}

function statsSection(stats) {
  const keyspaces = Object.entries(stats.cache.keyspaces).map(([name, keyspace]) => [
    name,
    // No lookup yet: the API says a rate of 0, which is no rate at all.
    keyspace.hits + keyspace.misses === 0 ? '–' : formatPercent(keyspace.hitRate),
    formatNumber(keyspace.hits),
    formatNumber(keyspace.misses),
    formatNumber(keyspace.entries),
  ]);
  return card(
    'stats',
    'Store (admin.stats)',
    facts([
      ['schema version', stats.schemaVersion],
      ['uptime', formatSeconds(stats.uptimeSeconds)],
      ['database size', stats.databaseBytes === null ? 'remote database' : formatBytes(stats.databaseBytes)],
      ['live subscriptions', formatNumber(stats.subscribers)],
      ['cache', stats.cache.enabled ? formatBytes(stats.cache.sizeBytes) : `off: ${stats.cache.reason}`],
    ]),
    stats.cache.enabled
      ? table(['cache keyspace', 'hit rate', 'hits', 'misses', 'entries'], keyspaces)
      : null,
  );
}

/** The newest failed row of a learner: when, which episode (a link to it), and the error's message. */
function lastFailure(failure) {
  if (failure === null || failure === undefined) return '–';
  return h(
    'span',
    { className: 'failure stored' },
    `${formatTime(failure.failedAt)} `,
    h('a', { href: `#/episodes/${encodeURIComponent(failure.episodeId)}` }, failure.episodeId),
    `: ${failure.error}`,
  );
}

/**
 * The parts of each learner (the miners) that failed on episodes: such a failure costs only that
 * miner's patterns of the episode, which counts as learned, so the queue's figures never show it.
 */
function partFailures(status) {
  const items = Object.entries(status.learners).flatMap(([learner, { partFailures: parts }]) =>
    Object.entries(parts).map(([part, { count, last }]) =>
      h(
        'li',
        { className: 'failure stored' },
        `${learner} ${part}: ${formatNumber(count)} ${count === 1 ? 'failure' : 'failures'}, the last ${formatTime(last.at)} on `,
        h('a', { href: `#/episodes/${encodeURIComponent(last.episodeId)}` }, last.episodeId),
        `: ${last.error}`,
      ),
    ),
  );
  if (items.length === 0) return null;
  return [
    h('p', {}, 'Failing on episodes since this server started (each episode still learned, without it):'),
    h('ul', { 'data-part': 'part-failures' }, items),
  ];
}

function learningSection(status) {
  const learners = Object.entries(status.learners).map(([name, learner]) => [
    name,
    // Rows of a learner no process runs wait for one that does; `flush` does not wait for them.
    learner.runsHere ? 'here' : learner.alive ? 'elsewhere' : 'no',
    formatNumber(learner.pending),
    formatNumber(learner.failed),
    formatNumber(learner.learnedPerSecond, 2),
    lastFailure(learner.lastFailure),
  ]);
  return card(
    'learning',
    'Learning (learning.status)',
    facts([
      ['pending', formatNumber(status.pending)],
      ['of which no process runs the learner', formatNumber(status.unattended)],
      ['failed', formatNumber(status.failed)],
      ['oldest pending', status.pending === 0 ? '–' : formatSeconds(status.oldestPendingSeconds)],
      ['episodes learned per second', formatNumber(status.learnedPerSecond, 2)],
      ['learners run here', status.running ? 'yes' : 'no (a worker runs them)'],
    ]),
    table(['learner', 'running', 'pending', 'failed', 'per second', 'last failure'], learners),
    partFailures(status),
  );
}

/** What `session.whoami` said of the token signed in. */
function tokenSection({ token, limits }) {
  return card(
    'token',
    'Token (session.whoami)',
    facts([
      ['name', token.name],
      ['scopes', token.scopes.join(', ')],
      ['domains', token.domains === null ? 'all' : token.domains.join(', ')],
      ['largest page', formatNumber(limits.maxPageSize)],
    ]),
  );
}

/** Said instead of calling them: each refusal would be an audited `denied`. */
const adminOnly = () =>
  h(
    'p',
    { className: 'muted', 'data-part': 'admin-only' },
    'The store figures (admin.stats) and the learning queue (learning.status) need an admin token.',
  );

/** A part whose call failed, under its own title, with a way to ask again. */
function failedSection(part, title, error, again) {
  return card(part, title, errorNotice(error), retryButton(again));
}

/** Each part loads on its own; the admin parts only for an admin token. */
export async function renderOverview(root, api, session) {
  const heading = viewHeading('Overview');
  const body = h('div', {});
  root.append(heading, body);

  /** `retried`: asked by "Try again", whose button is gone with the part it was in: the focus goes to the heading. */
  async function load(retried = false) {
    const [health, stats, learning] = await Promise.allSettled([
      fetchHealth(),
      ...(session.admin ? [api.query('admin.stats'), api.query('learning.status')] : []),
    ]);
    body.replaceChildren(healthSection(health.value), tokenSection(session));
    if (!session.admin) body.append(adminOnly());
    else {
      const again = () => load(true);
      body.append(
        stats.status === 'fulfilled'
          ? statsSection(stats.value)
          : failedSection('stats', 'Store (admin.stats)', stats.reason, again),
        learning.status === 'fulfilled'
          ? learningSection(learning.value)
          : failedSection('learning', 'Learning (learning.status)', learning.reason, again),
      );
    }
    announce(body, 'Overview loaded.');
    if (retried) heading.focus();
  }

  await load();
}
