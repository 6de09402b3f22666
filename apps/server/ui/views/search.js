import { announce, h, loadInto, show, table, viewHeading } from '../dom.js';
import { formatNumber, formatPercent, formatTime } from '../format.js';
import { pageSize } from '../session.js';
import { episodeLink } from './episodes.js';
import { patternHeaders, patternRow } from './patterns.js';

const state = { text: '', domain: '' };

/**
 * Each signal that ranked the episode, with its raw value and its share of the score; a step that
 * matched links to the episode opened at that step.
 */
function whyRows(episodeId, why) {
  // Parts of the why cell, spread into it: `h` flattens one level of children. The vector
  // signal may match a failed step's error alone, which is said; a text match is in the step.
  const where = (evidence) =>
    evidence.matchedIn === 'episode'
      ? ['the episode']
      : [
          h(
            'a',
            { href: `#/episodes/${encodeURIComponent(episodeId)}/steps/${evidence.stepNumber}` },
            `step ${evidence.stepNumber}`,
          ),
          evidence.matchedIn === 'step_error' ? ' (its error)' : null,
        ];
  const rows = [];
  if (why.text)
    rows.push([
      'text',
      [`rank ${why.text.rank}, BM25 ${formatNumber(why.text.bm25)} in `, ...where(why.text)],
      why.text,
    ]);
  if (why.vector)
    rows.push([
      'vector',
      [
        `rank ${why.vector.rank}, similarity ${formatNumber(why.vector.similarity)} in `,
        ...where(why.vector),
      ],
      why.vector,
    ]);
  if (why.expansion) rows.push(['expansion', `rank ${why.expansion.rank}`, why.expansion]);
  if (why.proximity) rows.push(['proximity', `rank ${why.proximity.rank}`, why.proximity]);
  if (why.time) rows.push(['time', 'within the date the query names', why.time]);
  rows.push(['recency', `${formatNumber(why.recency.ageDays, 1)} days old`, why.recency]);
  rows.push(['outcome', `success rate ${formatPercent(why.outcome.successRate)}`, why.outcome]);
  return rows.map(([signal, detail, evidence]) =>
    h(
      'tr',
      { 'data-signal': signal },
      h('td', {}, signal),
      h('td', {}, detail),
      h('td', { className: 'num' }, formatNumber(evidence.contribution)),
    ),
  );
}

function hit({ episode, score, why }, index) {
  return h(
    'li',
    { className: 'hit', 'data-episode-id': episode.id },
    h(
      'div',
      { className: 'hit-head' },
      h('span', { className: 'rank' }, `${index + 1}.`),
      episodeLink(episode, { className: 'stored', dir: 'auto' }),
      h('span', { className: 'score' }, `score ${formatNumber(score)}`),
    ),
    // The line reads left to right; the domain, stored text, keeps its own direction inside it
    // (an Arabic domain first made the whole line right to left, its separators reordered).
    h(
      'p',
      { className: 'muted stored' },
      h('bdi', {}, episode.domain),
      ` · ${episode.taskType} · ${episode.status} · ${formatTime(episode.createdAt)}`,
    ),
    table(['signal', 'why', 'contribution'], whyRows(episode.id, why)),
  );
}

function signalsNote(signals) {
  const off = Object.entries(signals)
    .filter(([, signal]) => !signal.used)
    .map(([name, signal]) => `${name} signal not used${signal.reason ? `: ${signal.reason}` : ''}`);
  return off.length === 0 ? null : h('p', { className: 'muted' }, off.join('; '));
}

export function renderSearch(root, api, session) {
  const heading = viewHeading('Search');
  const results = h('div', { className: 'results' });
  const text = h('input', { name: 'text', value: state.text, type: 'search', required: true });
  const domain = h('input', { name: 'domain', value: state.domain, placeholder: 'any', spellcheck: 'false' });
  const form = h(
    'form',
    { className: 'filters', autocomplete: 'off' },
    h('label', { className: 'wide' }, 'Task', text),
    h('label', {}, 'Domain', domain),
    h('button', { type: 'submit' }, 'Retrieve'),
  );

  /** `retried`: asked by "Try again", whose button is gone with the error: the focus goes to the heading. */
  async function search(retried = false) {
    const input = { text: state.text, limit: pageSize(session, 10), patterns: 5 };
    if (state.domain !== '') input.domain = state.domain;
    const found = await loadInto(
      results,
      'Searching…',
      () => api.query('search.retrieve', input),
      () => search(true),
    );
    if (found === undefined) return;
    show(
      results,
      signalsNote(found.signals),
      h('h3', {}, `Episodes (${found.episodes.length})`),
      found.episodes.length === 0
        ? h('p', { className: 'muted' }, 'No past episode matches.')
        : h('ol', { className: 'hits' }, found.episodes.map(hit)),
      h('h3', {}, `Patterns (${found.patterns.length})`),
      found.patterns.length === 0
        ? h('p', { className: 'muted' }, 'No relevant pattern.')
        : table(
            [...patternHeaders, 'lift', 'relevance'],
            found.patterns.map(({ pattern, lift, score }) =>
              patternRow(pattern, [formatNumber(lift, 2), formatNumber(score)]),
            ),
          ),
    );
    announce(results, `Found ${found.episodes.length} episodes and ${found.patterns.length} patterns.`);
    if (retried) heading.focus();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.text = text.value.trim();
    state.domain = domain.value.trim();
    if (state.text !== '') return void search();
    // Spaces alone pass `required`: the previous query's hits would stay under a blank box.
    const note = 'Type what the task is about to search past episodes.';
    show(results, h('p', { className: 'error', role: 'alert' }, note));
    text.focus();
  });
  root.append(heading, form, results);
  text.focus();
  if (state.text !== '') void search();
}
