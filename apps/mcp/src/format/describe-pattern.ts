import type { Pattern, RelevantPattern } from '@episodic/sdk';
import { clip } from './text-budget.js';

const percent = (value: number) => `${Math.round(value * 100)}%`;

/** Evidence in words: `seen in 3 episodes, 3 succeeded; used 2×, helped 2`. */
function evidence(pattern: Pattern): string {
  const parts: string[] = [];
  if (pattern.support !== null)
    parts.push(
      `seen in ${pattern.support} episode${pattern.support === 1 ? '' : 's'}, ${pattern.successes ?? 0} succeeded`,
    );
  if (pattern.usageCount > 0) parts.push(`used ${pattern.usageCount}×, helped ${pattern.helpedCount}`);
  parts.push(`score ${pattern.score.toFixed(2)}`);
  return parts.join('; ');
}

const scopeOf = (pattern: Pattern) =>
  pattern.taskType === null ? (pattern.domain ?? 'any domain') : `${pattern.domain} · ${pattern.taskType}`;

const summaryOf = (pattern: Pattern) => pattern.summary ?? JSON.stringify(pattern.patternData);

/** `[pattern <id>] error_resolution · web: <summary> (evidence)` */
export function patternHeadline(pattern: Pattern, summaryChars = 240): string {
  const summary = clip(summaryOf(pattern), summaryChars);
  return `[pattern ${pattern.id}] ${pattern.patternType} · ${scopeOf(pattern)}: ${summary} (${evidence(pattern)})`;
}

/**
 * The headline without its evidence in at most `room` characters, for an answer with no room for
 * the whole block: the summary clipped to what is left, or the id and type alone; undefined when
 * not even the id fits.
 */
export function patternOneLine(pattern: Pattern, room: number): string | undefined {
  const bare = `[pattern ${pattern.id}] ${pattern.patternType} · ${scopeOf(pattern)}: `;
  if (room - bare.length >= 12) return `${bare}${clip(summaryOf(pattern), room - bare.length)}`;
  const id = `[pattern ${pattern.id}] ${pattern.patternType}`;
  if (id.length <= room) return id;
  const bareId = `[pattern ${pattern.id}]`;
  return bareId.length <= room ? bareId : undefined;
}

/** Why a pattern was returned: its relevance and each signal's share, and its lift. */
export function patternWhy(relevant: RelevantPattern): string {
  const { why } = relevant;
  const lower = relevant.liftLower;
  const lift =
    lower === null || lower < 1
      ? ''
      : Number.isFinite(lower)
        ? `; beats its base rate ×${lower.toFixed(2)} (95% sure)`
        : '; nothing else in its scope succeeded';
  return `  why: relevance ${relevant.score.toFixed(2)} = text ${why.text.toFixed(2)} + evidence ${why.evidence.toFixed(2)} + task type ${why.taskType.toFixed(2)}${lift}; success ${percent(relevant.pattern.successRate)}`;
}
