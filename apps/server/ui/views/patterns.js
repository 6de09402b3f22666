import { h, loadInto, pager, show, table } from '../dom.js';
import { formatNumber, formatPercent, formatTime } from '../format.js';
import { pageSize } from '../session.js';

const state = { type: '', domain: '', cursors: [undefined] };

export const patternHeaders = ['summary', 'type', 'domain', 'support', 'success rate', 'surely at least'];

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
        h('summary', {}, pattern.summary ?? pattern.patternType),
        h('pre', {}, JSON.stringify(pattern.patternData, null, 2)),
      ),
    ),
    h('td', {}, pattern.patternType),
    h('td', {}, pattern.domain ?? '–'),
    h('td', { className: 'num' }, formatNumber(pattern.support)),
    h('td', { className: 'num' }, formatPercent(pattern.successRate)),
    h('td', { className: 'num' }, formatPercent(pattern.wilsonLower)),
    extra.map((cell) => h('td', { className: 'num' }, cell)),
  );
}

export async function renderPatterns(root, api, session) {
  const results = h('div', { className: 'results' });
  const type = h('input', { name: 'type', value: state.type, list: 'pattern-types', placeholder: 'any' });
  const domain = h('input', { name: 'domain', value: state.domain, placeholder: 'any', spellcheck: 'false' });
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
    h('button', { type: 'submit' }, 'Filter'),
  );

  async function load() {
    const input = { limit: pageSize(session, 25), cursor: state.cursors.at(-1) };
    if (state.type !== '') input.type = state.type;
    if (state.domain !== '') input.domain = state.domain;
    const page = await loadInto(results, 'Loading…', () => api.query('patterns.list', input));
    if (page === undefined) return;
    show(
      results,
      page.items.length === 0
        ? h('p', { className: 'muted' }, 'No patterns yet: they are mined from completed episodes.')
        : table(
            [...patternHeaders, 'used', 'updated'],
            page.items.map((pattern) =>
              patternRow(pattern, [formatNumber(pattern.usageCount), formatTime(pattern.updatedAt)]),
            ),
          ),
      pager(state.cursors, page.nextCursor, () => void load()),
    );
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.type = type.value.trim();
    state.domain = domain.value.trim();
    state.cursors = [undefined];
    void load();
  });
  root.append(h('h2', {}, 'Patterns'), form, results);
  await load();
}
