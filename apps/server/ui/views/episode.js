import { errorNotice, facts, h, show, table } from '../dom.js';
import { formatCount, formatDuration, formatPercent, formatSuccess, formatTime } from '../format.js';

function json(value) {
  return value === null || value === undefined ? null : h('pre', {}, JSON.stringify(value, null, 2));
}

function stepRow(step) {
  const success = step.success === null ? 'unknown' : step.success ? 'ok' : 'failed';
  return h(
    'tr',
    { 'data-step': step.stepNumber, className: `step-${success}` },
    h('td', { className: 'num' }, String(step.stepNumber)),
    h('td', {}, h('code', {}, step.action)),
    h('td', { className: 'result' }, step.result === null ? '–' : h('pre', {}, step.result)),
    h('td', {}, formatSuccess(step.success)),
    h('td', { className: 'num' }, formatDuration(step.durationMs)),
    h('td', { className: 'time' }, formatTime(step.timestamp)),
  );
}

const stepHeaders = ['#', 'action', 'result', 'success', 'duration', 'time'];

/**
 * The steps past the first page, a page a click, appended to `body` (the table's `<tbody>`) in
 * step order; gone once the last page is in. `heading` shows the count, raised if steps were
 * appended to the episode after it was read.
 */
function moreSteps(api, episode, body, heading) {
  let cursor = episode.nextStepsCursor;
  let shown = episode.steps.length;
  let total = Math.max(episode.stepCount, shown);
  const progress = h('span', {});
  const status = h('div', { className: 'status' });
  const button = h('button', { type: 'button' }, 'Load more steps');
  const more = h('div', { className: 'pager', 'data-part': 'more-steps' }, progress, button, status);
  const update = () => {
    progress.textContent = `Showing ${formatCount(shown)} of ${formatCount(total)} steps`;
    heading.textContent = `Steps (${total})`;
  };

  button.addEventListener('click', async () => {
    // Disabled until the page is in: a second click would ask for the same page again.
    button.disabled = true;
    show(status, h('span', { className: 'muted' }, 'Loading…'));
    let page;
    try {
      page = await api.query('episodes.steps', { episodeId: episode.id, cursor });
    } catch (error) {
      // Said beside the button, which stays to try again; the rows shown stay.
      show(status, errorNotice(error));
      button.disabled = false;
      return;
    }
    show(status);
    body.append(...page.items.map(stepRow));
    shown += page.items.length;
    total = Math.max(total, shown);
    cursor = page.nextCursor;
    update();
    if (cursor === null) more.remove();
    else button.disabled = false;
  });
  update();
  return more;
}

function stepsSection(api, episode) {
  const heading = h('h3', {}, `Steps (${episode.stepCount})`);
  if (episode.steps.length === 0) return [heading, h('p', { className: 'muted' }, 'No steps recorded.')];
  const steps = table(stepHeaders, episode.steps.map(stepRow));
  const more =
    episode.nextStepsCursor === null ? null : moreSteps(api, episode, steps.querySelector('tbody'), heading);
  return [heading, steps, more];
}

export async function renderEpisode(root, api, episodeId) {
  root.append(h('p', {}, h('a', { href: '#/episodes' }, '← Episodes')));
  let episode;
  try {
    episode = await api.query('episodes.get', { episodeId });
  } catch (error) {
    root.append(errorNotice(error));
    return;
  }
  const parts = [
    h('h2', {}, `Episode ${episode.id}`),
    h('h3', {}, 'Context'),
    h('pre', { className: 'episode-context' }, episode.context ?? '(none)'),
    h('h3', {}, 'Outcome'),
    facts([
      ['status', episode.status],
      ['success rate', formatPercent(episode.successRate)],
      ['domain', episode.domain],
      ['task type', episode.taskType],
      ['started', formatTime(episode.createdAt)],
      ['finished', formatTime(episode.completedAt)],
      ['embedding', episode.embeddingVersion],
    ]),
    episode.metadata === null ? null : h('details', {}, h('summary', {}, 'Metadata'), json(episode.metadata)),
    ...stepsSection(api, episode),
  ];
  // `append` would show a `null` as the text "null".
  root.append(...parts.filter((part) => part !== null));
}
