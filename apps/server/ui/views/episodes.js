import { announce, h, loadInto, pager, refocus, show, table, viewHeading } from '../dom.js';
import { contextPreview, formatPercent, formatTime } from '../format.js';
import { pageSize } from '../session.js';

const statuses = ['', 'active', 'completed', 'failed', 'archived'];

// Kept across navigations, so coming back from an episode shows the same filters and page.
const state = { domain: '', status: '', taskType: '', cursors: [undefined] };

/** A link to the episode, its context cut short as its text; `props` add to the `<a>`'s. */
export function episodeLink(episode, props = {}) {
  return h('a', { ...props, href: `#/episodes/${encodeURIComponent(episode.id)}` }, contextPreview(episode));
}

/**
 * The context first: it holds the row's only link, which a narrow screen then shows without
 * scrolling the table. Stored text sets its own direction (`dir=auto`): an Arabic context reads
 * right to left, its ellipsis on the left, where its end is.
 */
function episodeRow(episode) {
  return h(
    'tr',
    { 'data-episode-id': episode.id },
    h('td', { className: 'context', dir: 'auto' }, episodeLink(episode)),
    h('td', { className: 'time' }, formatTime(episode.createdAt)),
    h('td', { className: 'stored', dir: 'auto' }, episode.domain),
    h('td', {}, episode.taskType),
    h('td', { className: `status status-${episode.status}` }, episode.status),
    h('td', { className: 'num' }, formatPercent(episode.successRate)),
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
  const heading = viewHeading('Episodes');
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

  /** `way`: how this load was asked for (a page turn, a retry), for where the focus goes. */
  async function load(way) {
    const input = { limit: pageSize(session, 25), cursor: state.cursors.at(-1) };
    for (const name of ['domain', 'status', 'taskType']) if (state[name] !== '') input[name] = state[name];
    const page = await loadInto(
      results,
      'Loading…',
      () => api.query('episodes.list', input),
      () => load('retry'),
    );
    if (page === undefined) return;
    const paging = pager(state.cursors, page.nextCursor, load);
    show(
      results,
      page.items.length === 0
        ? h('p', { className: 'muted' }, 'No episodes match.')
        : table(
            ['context', 'started', 'domain', 'task type', 'status', 'success'],
            page.items.map(episodeRow),
          ),
      paging,
    );
    announce(
      results,
      page.items.length === 0
        ? 'No episodes match.'
        : `Episodes, page ${state.cursors.length}: ${page.items.length} shown.`,
    );
    refocus(paging, way, heading);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    for (const name of ['domain', 'status', 'taskType']) state[name] = String(data.get(name)).trim();
    state.cursors = [undefined];
    void load();
  });
  root.append(heading, form, results);
  await load();
}
