import type { Episode, Step } from '@episodic/sdk';
import { clip } from './text-budget.js';

function outcome(episode: Episode): string {
  if (episode.status === 'active') return 'active';
  const rate = episode.successRate === null ? '' : ` ${Math.round(episode.successRate * 100)}%`;
  return `${episode.status}${rate}`;
}

/** `[episode <id>] debugging · web · completed 100% · "context"` */
export function episodeHeadline(episode: Episode, contextChars = 160): string {
  const context = episode.context === null ? '' : ` · "${clip(episode.context, contextChars)}"`;
  return `[episode ${episode.id}] ${episode.taskType} · ${episode.domain} · ${outcome(episode)}${context}`;
}

/**
 * The headline in at most `room` characters, for an answer with no room for the whole block: the
 * context clipped to what is left, or left off, or the id alone; undefined when not even that fits.
 */
export function episodeOneLine(episode: Episode, room: number): string | undefined {
  const bare = `[episode ${episode.id}] ${episode.taskType} · ${episode.domain} · ${outcome(episode)}`;
  // ` · "` and `"` around the context, and a few of its characters at least.
  const contextRoom = room - bare.length - 5;
  if (episode.context !== null && contextRoom >= 8) return episodeHeadline(episode, contextRoom);
  if (bare.length <= room) return bare;
  const id = `[episode ${episode.id}]`;
  return id.length <= room ? id : undefined;
}

/** `  3. ✗ run_tests login → TypeError: …` (✓ success, ✗ failure, · unknown). */
export function stepLine(step: Step, resultChars = 140): string {
  const mark = step.success === true ? '✓' : step.success === false ? '✗' : '·';
  const result =
    step.result === null || step.result.trim() === '' ? '' : ` → ${clip(step.result, resultChars)}`;
  return `  ${step.stepNumber}. ${mark} ${clip(step.action, 100)}${result}`;
}
