import { announce, errorNotice, h, show, table } from '../dom.js';
import { formatCount, formatDuration, formatSuccess, formatTime } from '../format.js';

/**
 * Past either bound, a step's action or result shows its start and a button for the rest. An
 * episode's results may hold up to 64 kB each: 10,000 steps of 8 kB made a page of 80 M
 * characters whose every layout took seconds (each "Load more steps" 1–2 s, the last one 7.6 s,
 * in Chromium on 2 cores). About a screenful of a wide cell; not tuned.
 */
const previewChars = 1000;
const previewLines = 20;

/** Where the preview of `text` ends (never inside a surrogate pair), or `null` when it fits whole. */
function previewEnd(text) {
  let end = Math.min(text.length, previewChars);
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < end; at = text.indexOf('\n', at + 1)) {
    lines += 1;
    if (lines === previewLines) end = at;
  }
  if (end >= text.length) return null;
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}

/** Code points, as a reader counts characters: an emoji is one, not its two UTF-16 units. */
function characterCount(text) {
  return text.length - (text.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
}

/**
 * Stored text in a `tag` element, or, when it is long and not `whole`, its start with "…" and a
 * button that shows it all (and its start again). The full text is only put in the page when asked.
 */
function storedText(tag, text, whole) {
  const end = whole ? null : previewEnd(text);
  if (end === null) return h(tag, {}, text);
  const start = `${text.slice(0, end)}…`;
  const shown = h(tag, {}, start);
  const more = `Show all ${formatCount(characterCount(text))} characters`;
  const button = h('button', { type: 'button', className: 'show-all', 'aria-expanded': 'false' }, more);
  button.addEventListener('click', () => {
    const expanded = button.getAttribute('aria-expanded') === 'true';
    shown.textContent = expanded ? start : text;
    button.textContent = expanded ? more : 'Show less';
    button.setAttribute('aria-expanded', String(!expanded));
  });
  return [shown, button];
}

/**
 * A step's row; `named` marks the step the link asked for (`#/episodes/<id>/steps/<n>`), shown
 * whole. The action and result are stored text: they wrap anywhere (a URL or a command may have
 * no space for hundreds of characters) and set their own direction (Arabic or Hebrew reads right
 * to left).
 */
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
    h('td', { className: 'action stored', dir: 'auto' }, storedText('code', step.action, named)),
    h(
      'td',
      { className: 'result stored', dir: 'auto' },
      step.result === null ? '–' : storedText('pre', step.result, named),
    ),
    h('td', {}, formatSuccess(step.success)),
    h('td', { className: 'num' }, formatDuration(step.durationMs)),
    h('td', { className: 'time' }, formatTime(step.timestamp)),
  );
}

const stepHeaders = ['#', 'action', 'result', 'success', 'duration', 'time'];

/**
 * One page of steps as a table of its own, named by the steps it holds. Appended to one table,
 * each page made the browser lay out every row shown before it again: at 10,000 steps of 8 kB each
 * "Load more steps" took longer, the last 1.6–2.1 s (Chromium, 2 cores; now 0.24–0.47 s each). A page of its own is
 * laid out alone, and one scrolled out of sight is not rendered at all (`content-visibility`, in
 * the styles), while it stays in the page for find-in-page and assistive technology; fixed column
 * widths keep the pages lined up as one table.
 */
function stepsPage(steps, named) {
  const first = steps[0].stepNumber;
  const last = steps.at(-1).stepNumber;
  const page = table(
    stepHeaders,
    steps.map((step) => stepRow(step, step.stepNumber === named)),
    'steps',
  );
  page.classList.add('steps-page');
  const label =
    first === last ? `Step ${formatCount(first)}` : `Steps ${formatCount(first)}–${formatCount(last)}`;
  page.querySelector('table').setAttribute('aria-label', label);
  return page;
}

/**
 * The steps after those shown, a page a click from `cursor`, each put before the pager in step
 * order (`stepsPage`); gone once the last page is in. `from` is the first step shown and `shown`
 * how many; `heading` shows the count, raised if steps were appended to the episode after it was
 * read.
 */
function moreSteps(api, { episodeId, cursor: start, from, shown: initially, total: counted }, heading) {
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
    // Disabled until the page is in: a second click would ask for the same page again. A
    // focused button loses the focus when disabled: `enable` gives it back.
    const focused = document.activeElement === button;
    const enable = () => {
      button.disabled = false;
      if (focused && document.activeElement === document.body) button.focus();
    };
    button.disabled = true;
    show(status, h('span', { className: 'muted' }, 'Loading…'));
    let page;
    try {
      page = await api.query('episodes.steps', { episodeId, cursor });
    } catch (error) {
      // Said beside the button, which stays to try again; the rows shown stay.
      show(status, errorNotice(error));
      enable();
      return;
    }
    show(status);
    // An empty page (the steps after those shown deleted meanwhile) adds no table.
    const added = page.items.length === 0 ? null : stepsPage(page.items);
    if (added !== null) more.before(added);
    const rows = added === null ? [] : [...added.querySelectorAll('tr[data-step]')];
    shown += page.items.length;
    total = Math.max(total, from - 1 + shown);
    cursor = page.nextCursor;
    update();
    if (cursor !== null) {
      enable();
      announce(heading, `${progress.textContent}.`);
      return;
    }
    more.remove();
    // The button went with the last page: the focus goes to the first step that page brought,
    // where a keyboard user reads on (on screen already: it took the button's place).
    if (focused && rows.length > 0) {
      rows[0].setAttribute('tabindex', '-1');
      rows[0].focus({ preventScroll: true });
    }
    announce(heading, `All ${formatCount(total)} steps shown.`);
  });
  update();
  return more;
}

/**
 * The episode's steps from its first page, or, when the link names a step past that page, from
 * that step (read by number, `fromStep`), with a link back to the first.
 */
export async function stepsSection(api, episode, step) {
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
  const steps = stepsPage(page.items, step);
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
          heading,
        );
  return [heading, note, steps, more];
}
