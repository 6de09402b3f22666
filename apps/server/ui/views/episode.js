import { errorNotice, facts, h, table } from '../dom.js';
import { formatDuration, formatPercent, formatSuccess, formatTime } from '../format.js';

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

export async function renderEpisode(root, api, episodeId) {
  root.append(h('p', {}, h('a', { href: '#/episodes' }, '← Episodes')));
  let episode;
  try {
    episode = await api.query('episodes.get', { episodeId });
  } catch (error) {
    root.append(errorNotice(error));
    return;
  }
  root.append(
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
    h('h3', {}, `Steps (${episode.steps.length})`),
    episode.steps.length === 0
      ? h('p', { className: 'muted' }, 'No steps recorded.')
      : table(['#', 'action', 'result', 'success', 'duration', 'time'], episode.steps.map(stepRow)),
  );
}
