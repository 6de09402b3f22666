import { announce, h, loadInto, pager, refocus, show, table, viewHeading } from '../dom.js';
import { formatNumber, formatPercent, formatTime } from '../format.js';
import { pageSize } from '../session.js';

// `minSuccessRate` as typed, in percent ('' for any).
const state = { type: '', domain: '', minSuccessRate: '', cursors: [undefined] };

// The task type tells apart patterns mined alike from the episodes of different task types.
export const patternHeaders = [
  'summary',
  'type',
  'domain',
  'task type',
  'support',
  'success rate',
  'surely at least',
];

/** A pattern as a table row; `extra` cells (lift, relevance) come after the common ones. */
export function patternRow(pattern, extra = []) {
  return h(
    'tr',
    { 'data-pattern-id': pattern.id },
    h(
      'td',
      { className: 'summary' },
      h(
        'details',
        {},
        h('summary', { className: 'stored', dir: 'auto' }, pattern.summary ?? pattern.patternType),
        h('pre', {}, JSON.stringify(pattern.patternData, null, 2)),
      ),
    ),
    h('td', {}, pattern.patternType),
    h('td', { className: 'stored', dir: 'auto' }, pattern.domain ?? '–'),
    h('td', {}, pattern.taskType ?? '–'),
    h('td', { className: 'num' }, formatNumber(pattern.support)),
    h('td', { className: 'num' }, formatPercent(pattern.successRate)),
    h('td', { className: 'num' }, formatPercent(pattern.wilsonLower)),
    extra.map((cell) => h('td', { className: 'num' }, cell)),
  );
}

/** What an empty page means: nothing mined yet, nothing matching the filters, or no more. */
function emptyMessage() {
  if (state.type !== '' || state.domain !== '' || state.minSuccessRate !== '')
    return 'No pattern matches these filters.';
  return state.cursors.length === 1
    ? 'No patterns yet: they are mined from completed episodes.'
    : 'No more patterns.';
}

export async function renderPatterns(root, api, session) {
  const heading = viewHeading('Patterns');
  const results = h('div', { className: 'results' });
  const type = h('input', { name: 'type', value: state.type, list: 'pattern-types', placeholder: 'any' });
  const domain = h('input', { name: 'domain', value: state.domain, placeholder: 'any', spellcheck: 'false' });
  // In percent, as the table shows rates; the API takes a ratio.
  const minSuccessRate = h('input', {
    name: 'minSuccessRate',
    type: 'number',
    min: 0,
    max: 100,
    step: 'any',
    value: state.minSuccessRate,
    placeholder: 'any',
  });
  const form = h(
    'form',
    { className: 'filters', autocomplete: 'off' },
    h('label', {}, 'Type', type),
    h(
      'datalist',
      { id: 'pattern-types' },
      session.patternTypes.map((name) => h('option', { value: name })),
    ),
    h('label', {}, 'Domain', domain),
    h('label', {}, 'Min success rate (%)', minSuccessRate),
    h('button', { type: 'submit' }, 'Filter'),
  );

  /** `way`: how this load was asked for (a page turn, a retry), for where the focus goes. */
  async function load(way) {
    const input = { limit: pageSize(session, 25), cursor: state.cursors.at(-1) };
    if (state.type !== '') input.type = state.type;
    if (state.domain !== '') input.domain = state.domain;
    if (state.minSuccessRate !== '') input.minSuccessRate = Number(state.minSuccessRate) / 100;
    const page = await loadInto(
      results,
      'Loading…',
      () => api.query('patterns.list', input),
      () => load('retry'),
    );
    if (page === undefined) return;
    const paging = pager(state.cursors, page.nextCursor, load);
    show(
      results,
      page.items.length === 0
        ? h('p', { className: 'muted' }, emptyMessage())
        : table(
            [...patternHeaders, 'used', 'updated'],
            page.items.map((pattern) =>
              patternRow(pattern, [formatNumber(pattern.usageCount), formatTime(pattern.updatedAt)]),
            ),
          ),
      paging,
    );
    announce(
      results,
      page.items.length === 0
        ? emptyMessage()
        : `Patterns, page ${state.cursors.length}: ${page.items.length} shown.`,
    );
    refocus(paging, way, heading);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.type = type.value.trim();
    state.domain = domain.value.trim();
    // The browser refuses to submit a number outside 0–100: what is left is a rate or empty.
    state.minSuccessRate = minSuccessRate.value;
    state.cursors = [undefined];
    void load();
  });
  root.append(heading, form, results);
  await load();
}
