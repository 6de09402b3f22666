import { h, loadInto, pager, show, table } from '../dom.js';
import { formatPercent, formatTime } from '../format.js';
import { pageSize } from '../session.js';

const statuses = ['', 'active', 'completed', 'failed', 'archived'];

// Kept across navigations, so coming back from an episode shows the same filters and page.
const state = { domain: '', status: '', taskType: '', cursors: [undefined] };

export function episodeLink(episode) {
  return h('a', { href: `#/episodes/${encodeURIComponent(episode.id)}` }, episode.context || episode.id);
}

function episodeRow(episode) {
  return h(
    'tr',
    { 'data-episode-id': episode.id },
    h('td', { className: 'time' }, formatTime(episode.createdAt)),
    h('td', {}, episode.domain),
    h('td', {}, episode.taskType),
    h('td', { className: `status status-${episode.status}` }, episode.status),
    h('td', { className: 'num' }, formatPercent(episode.successRate)),
    h('td', { className: 'context' }, episodeLink(episode)),
  );
}

function filterInput(label, name, list) {
  return h(
    'label',
    {},
    label,
    h('input', { name, value: state[name], list, spellcheck: 'false', placeholder: 'any' }),
  );
}

export async function renderEpisodes(root, api, session) {
  const results = h('div', { className: 'results' });
  const form = h(
    'form',
    { className: 'filters', autocomplete: 'off' },
    filterInput('Domain', 'domain'),
    h(
      'label',
      {},
      'Status',
      h(
        'select',
        { name: 'status' },
        statuses.map((status) =>
          h('option', { value: status, selected: status === state.status }, status || 'any'),
        ),
      ),
    ),
    filterInput('Task type', 'taskType', 'task-types'),
    h(
      'datalist',
      { id: 'task-types' },
      session.taskTypes.map((type) => h('option', { value: type })),
    ),
    h('button', { type: 'submit' }, 'Filter'),
  );

  async function load() {
    const input = { limit: pageSize(session, 25), cursor: state.cursors.at(-1) };
    for (const name of ['domain', 'status', 'taskType']) if (state[name] !== '') input[name] = state[name];
    const page = await loadInto(results, 'Loading…', () => api.query('episodes.list', input));
    if (page === undefined) return;
    show(
      results,
      page.items.length === 0
        ? h('p', { className: 'muted' }, 'No episodes match.')
        : table(
            ['started', 'domain', 'task type', 'status', 'success', 'context'],
            page.items.map(episodeRow),
          ),
      pager(state.cursors, page.nextCursor, () => void load()),
    );
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    for (const name of ['domain', 'status', 'taskType']) state[name] = String(data.get(name)).trim();
    state.cursors = [undefined];
    void load();
  });
  root.append(h('h2', {}, 'Episodes'), form, results);
  await load();
}
