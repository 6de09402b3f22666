import { announce, facts, h, loadInto, show, viewHeading } from '../dom.js';
import { contextPreview, formatPercent, formatTime } from '../format.js';
import { stepsSection } from './episode-steps.js';

function json(value) {
  return value === null || value === undefined ? null : h('pre', {}, JSON.stringify(value, null, 2));
}

/** A context of no characters is said, as a missing one is: an empty box reads as still loading. */
function contextText(context) {
  if (context === null || context === undefined) return '(none)';
  return context === '' ? '(empty)' : context;
}

/**
 * The episode `episodeId`; with `step`, opened at that step (`#/episodes/<id>/steps/<n>`), shown
 * and marked. Stored text sets its own direction (`dir=auto`, `<bdi>`).
 */
export async function renderEpisode(root, api, episodeId, step) {
  const body = h('div', {});
  root.append(h('p', {}, h('a', { href: '#/episodes' }, '← Episodes')), body);

  /** `retried`: asked by "Try again", whose button is gone with the error: the focus goes to the heading. */
  async function load(retried = false) {
    const episode = await loadInto(
      body,
      'Loading…',
      () => api.query('episodes.get', { episodeId }),
      () => load(true),
    );
    if (episode === undefined) return;
    const heading = viewHeading(`Episode ${episode.id}`);
    const steps = await stepsSection(api, episode, step);
    show(
      body,
      heading,
      h('h3', {}, 'Context'),
      h('pre', { className: 'episode-context', dir: 'auto' }, contextText(episode.context)),
      h('h3', {}, 'Outcome'),
      facts([
        ['status', episode.status],
        ['success rate', formatPercent(episode.successRate)],
        ['domain', h('bdi', {}, episode.domain)],
        ['task type', episode.taskType],
        ['started', formatTime(episode.createdAt)],
        ['finished', formatTime(episode.completedAt)],
        ['embedding', episode.embeddingVersion],
      ]),
      episode.metadata === null
        ? null
        : h('details', {}, h('summary', {}, 'Metadata'), json(episode.metadata)),
      ...steps,
    );
    // Left for another page meanwhile: the title and the announcement are that page's.
    if (!root.isConnected) return;
    // Tabs and history entries tell episodes apart by their context.
    document.title = `Episode: ${contextPreview(episode, 60)} — Episodic`;
    announce(body, `Episode opened: ${contextPreview(episode, 60)}`);
    if (retried) heading.focus();
    body.querySelector('tr.named')?.scrollIntoView({ block: 'center' });
  }

  await load();
}
