import { errorNotice, facts, h, show, table } from '../dom.js';
import { formatCount, formatDuration, formatPercent, formatSuccess, formatTime } from '../format.js';

function json(value) {
  return value === null || value === undefined ? null : h('pre', {}, JSON.stringify(value, null, 2));
}

/** A step's row; `named` marks the step the link asked for (`#/episodes/<id>/steps/<n>`). */
function stepRow(step, named) {
  const success = step.success === null ? 'unknown' : step.success ? 'ok' : 'failed';
  return h(
    'tr',
    {
      'data-step': step.stepNumber,
      className: `step-${success}${named ? ' named' : ''}`,
      'aria-current': named ? 'true' : undefined,
    },
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
 * The steps after those shown, a page a click from `cursor`, appended to `body` (the table's
 * `<tbody>`) in step order; gone once the last page is in. `from` is the first step shown and
 * `shown` how many; `heading` shows the count, raised if steps were appended to the episode after
 * it was read.
 */
function moreSteps(api, { episodeId, cursor: start, from, shown: initially, total: counted }, body, heading) {
  let cursor = start;
  let shown = initially;
  let total = Math.max(counted, from - 1 + shown);
  const progress = h('span', {});
  const status = h('div', { className: 'status' });
  const button = h('button', { type: 'button' }, 'Load more steps');
  const more = h('div', { className: 'pager', 'data-part': 'more-steps' }, progress, button, status);
  const update = () => {
    progress.textContent =
      from === 1
        ? `Showing ${formatCount(shown)} of ${formatCount(total)} steps`
        : `Showing steps ${formatCount(from)}–${formatCount(from + shown - 1)} of ${formatCount(total)}`;
    heading.textContent = `Steps (${total})`;
  };

  button.addEventListener('click', async () => {
    // Disabled until the page is in: a second click would ask for the same page again.
    button.disabled = true;
    show(status, h('span', { className: 'muted' }, 'Loading…'));
    let page;
    try {
      page = await api.query('episodes.steps', { episodeId, cursor });
    } catch (error) {
      // Said beside the button, which stays to try again; the rows shown stay.
      show(status, errorNotice(error));
      button.disabled = false;
      return;
    }
    show(status);
    body.append(...page.items.map((step) => stepRow(step, false)));
    shown += page.items.length;
    total = Math.max(total, from - 1 + shown);
    cursor = page.nextCursor;
    update();
    if (cursor === null) more.remove();
    else button.disabled = false;
  });
  update();
  return more;
}

/**
 * The episode's steps from its first page, or, when the link names a step past that page, from
 * that step (read by number, `fromStep`), with a link back to the first.
 */
async function stepsSection(api, episode, step) {
  const heading = h('h3', {}, `Steps (${episode.stepCount})`);
  if (episode.steps.length === 0) return [heading, h('p', { className: 'muted' }, 'No steps recorded.')];
  let page = { items: episode.steps, nextCursor: episode.nextStepsCursor };
  let from = 1;
  let note = null;
  if (step !== undefined && step > episode.steps.at(-1).stepNumber) {
    let named = { items: [] };
    if (episode.nextStepsCursor !== null) {
      try {
        named = await api.query('episodes.steps', { episodeId: episode.id, fromStep: step });
      } catch (error) {
        return [heading, errorNotice(error)];
      }
    }
    if (named.items.length === 0) {
      // Past the last step: said, above the steps from the first.
      note = h(
        'p',
        { className: 'muted', 'data-part': 'from-step' },
        `No step ${formatCount(step)}: the episode has ${formatCount(episode.stepCount)} steps.`,
      );
    } else {
      page = named;
      from = named.items[0].stepNumber;
      note = h(
        'p',
        { className: 'muted', 'data-part': 'from-step' },
        `From step ${formatCount(from)}. `,
        h('a', { href: `#/episodes/${encodeURIComponent(episode.id)}` }, 'Show from step 1'),
      );
    }
  }
  const steps = table(
    stepHeaders,
    page.items.map((item) => stepRow(item, item.stepNumber === step)),
  );
  const more =
    page.nextCursor === null
      ? null
      : moreSteps(
          api,
          {
            episodeId: episode.id,
            cursor: page.nextCursor,
            from,
            shown: page.items.length,
            total: episode.stepCount,
          },
          steps.querySelector('tbody'),
          heading,
        );
  return [heading, note, steps, more];
}

/** The episode `episodeId`; with `step`, opened at that step (`#/episodes/<id>/steps/<n>`), shown and marked. */
export async function renderEpisode(root, api, episodeId, step) {
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
    ...(await stepsSection(api, episode, step)),
  ];
  // `append` would show a `null` as the text "null".
  root.append(...parts.filter((part) => part !== null));
  root.querySelector('tr.named')?.scrollIntoView({ block: 'center' });
}
