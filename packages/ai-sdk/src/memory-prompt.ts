import type { Recall } from './memory-port.js';

/** Rough characters per token of English and code: enough to keep a budget, no tokenizer needed. */
const charsPerToken = 4;

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/gu, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
};

function episodeReason(why: Recall['episodes'][number]['why']): string {
  const reasons: string[] = [];
  if (why.text !== null)
    reasons.push(`same words in its ${why.text.matchedIn === 'step' ? 'steps' : 'task'}`);
  if (why.vector !== null) reasons.push(`similar meaning (${why.vector.similarity.toFixed(2)})`);
  return reasons.length === 0 ? 'recent in this domain' : reasons.join(', ');
}

function patternReason({ why, lift, liftLower }: Recall['patterns'][number]): string {
  const reasons: string[] = [];
  if (why.text > 0) reasons.push('same words as the task');
  // Beyond chance only when its lower bound says so; a higher rate from a few runs says that too.
  if (lift !== null && lift > 1)
    reasons.push(
      `succeeds ${lift.toFixed(1)}× as often as usual${liftLower !== null && liftLower > 1 ? '' : ' (few runs yet)'}`,
    );
  return reasons.length === 0 ? 'seen in past runs of this domain' : reasons.join(', ');
}

/**
 * The past episodes and patterns as a system message, within `maxTokens`: whole lines are
 * added best first until the next one would pass the budget. `null` when there is nothing to say.
 */
export function memoryPrompt(recall: Recall, maxTokens: number): string | null {
  const header = 'Experience from earlier runs of similar tasks (from Episodic memory; use it if it helps):';
  let room = maxTokens * charsPerToken - header.length;
  const sections: string[] = [];
  /** A section's title goes in only with its first line; lines stop at the first that does not fit. */
  const section = (title: string, lines: string[]) => {
    const kept: string[] = [];
    for (const line of lines) {
      const cost = line.length + 1 + (kept.length === 0 ? title.length + 1 : 0);
      if (cost > room) break;
      room -= cost;
      kept.push(line);
    }
    if (kept.length > 0) sections.push(title, ...kept);
  };
  section(
    'Patterns that worked:',
    recall.patterns.flatMap((relevant) => {
      const { pattern } = relevant;
      if (pattern.summary === null) return [];
      const evidence = pattern.support === null ? '' : `, seen in ${pattern.support} episodes`;
      const rate = Math.round(pattern.successRate * 100);
      return [
        `- ${oneLine(pattern.summary, 300)} (${pattern.patternType}, success ${rate}%${evidence}; why: ${patternReason(relevant)})`,
      ];
    }),
  );
  section(
    'Past episodes:',
    recall.episodes.map(({ episode, why }) => {
      const rate = episode.successRate === null ? '' : `, success ${Math.round(episode.successRate * 100)}%`;
      const task = oneLine(episode.context ?? '(no description)', 400);
      return `- [${episode.status}${rate}] ${task} (why: ${episodeReason(why)}; episode ${episode.id})`;
    }),
  );
  return sections.length === 0 ? null : [header, ...sections].join('\n');
}
