import type { RemoteCallOptions, RetrievedEpisode, Step } from '@episodic/sdk';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { episodeHeadline, episodeOneLine, stepLine } from '../format/describe-episode.js';
import { patternHeadline, patternOneLine, patternWhy } from '../format/describe-pattern.js';
import { episodeWhy } from '../format/describe-why.js';
import { TextBudget } from '../format/text-budget.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { fanOut, toolAnswer } from './tool-answer.js';
import { toolAnnotations, toolFields, trimmedText } from './tool-fields.js';

const recallInput = z.strictObject({
  task: trimmedText(8000).describe('The task in your own words, with any error text, file or tool names.'),
  domain: toolFields.domain.optional(),
  taskType: toolFields.taskType.optional(),
  limit: z.number().int().min(1).max(20).default(5).describe('Past episodes to return.'),
  stepsPerEpisode: z
    .number()
    .int()
    .min(0)
    .max(50)
    .default(6)
    .describe(
      'Steps shown per episode (the steps that matched the task and failed steps, each with what followed, first).',
    ),
  maxChars: toolFields.maxChars,
  episodeId: toolFields.episodeId
    .optional()
    .describe('Your episode for this task, if you started one: left out, it is not past experience.'),
});

/**
 * The steps worth reading first: the steps `why` names (what matched the task) with the step
 * after each, then each failure with the step after it, then the rest in order; shown in order.
 */
function keySteps(steps: readonly Step[], named: readonly number[], max: number): Step[] {
  const chosen = new Set<number>();
  // The step after it, when it was read: a long episode's steps here can have gaps.
  const withNext = (index: number) => {
    chosen.add(index);
    if (steps[index + 1]?.stepNumber === (steps[index] as Step).stepNumber + 1) chosen.add(index + 1);
  };
  for (const number of named) {
    const index = steps.findIndex((step) => step.stepNumber === number);
    if (index !== -1) withNext(index);
  }
  for (const [index, step] of steps.entries()) if (step.success === false) withNext(index);
  for (const index of steps.keys()) chosen.add(index);
  return [...chosen]
    .slice(0, max)
    .sort((a, b) => a - b)
    .map((index) => steps[index] as Step);
}

/** The step numbers an episode's `why` names: the best text match's and the matched error's. */
function namedSteps({ why }: RetrievedEpisode): number[] {
  return [why.text?.stepNumber ?? null, why.vector?.stepNumber ?? null].filter((n) => n !== null);
}

/**
 * The episode's first page of steps, and for a long one also each step `why` names past that
 * page with the step after it (read by number, not by paging up to it); `stepCount` of all.
 */
async function stepsToChooseFrom(
  memory: AgentMemory,
  entry: RetrievedEpisode,
  call: RemoteCallOptions,
): Promise<{ steps: Step[]; stepCount: number } | null> {
  const episode = await memory.episodes.get(entry.episode.id, call);
  if (episode === null) return null;
  const last = episode.steps.at(-1)?.stepNumber ?? 0;
  const beyond = [...new Set(namedSteps(entry))].filter((number) => number > last);
  const pages = await Promise.all(
    beyond.map((fromStep) => memory.episodes.steps(entry.episode.id, { fromStep, limit: 2 }, call)),
  );
  const byNumber = new Map<number, Step>();
  for (const step of [...episode.steps, ...pages.flatMap((page) => page?.items ?? [])])
    byNumber.set(step.stepNumber, step);
  const steps = [...byNumber.values()].sort((a, b) => a.stepNumber - b.stepNumber);
  return { steps, stepCount: episode.stepCount };
}

/** `1 pattern`, `3 patterns`. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function registerRecallTool(server: McpServer, memory: AgentMemory): void {
  server.registerTool(
    'memory_recall',
    {
      title: 'Recall past episodes and patterns',
      description:
        'Call this FIRST when you start a task, and again when you change approach: it returns the past ' +
        'episodes most like the task (with their key steps and outcome) and the patterns learned from them ' +
        '(tool sequences, error fixes, tests that worked), each with the reason it was chosen. Ids let you ' +
        'read more (episode://<id>, pattern://<id>) or report a pattern with memory_pattern_feedback.',
      inputSchema: recallInput,
      annotations: toolAnnotations.reads,
    },
    (input, { signal }) =>
      toolAnswer(
        async () => {
          // A call the client cancelled stops waiting for the store, and makes no further calls.
          const call = fanOut(signal);
          const result = await memory.search.retrieve(
            {
              text: input.task,
              domain: input.domain,
              taskType: input.taskType,
              limit: input.limit,
              patterns: 5,
              exclude: input.episodeId === undefined ? undefined : [input.episodeId],
            },
            call,
          );
          if (result.episodes.length === 0 && result.patterns.length === 0) {
            return `Nothing in memory matches this task${input.domain === undefined ? '' : ` in ${input.domain}`}. Record this one: memory_start_episode.`;
          }
          const withSteps = await Promise.all(
            result.episodes.map((entry) =>
              input.stepsPerEpisode === 0 ? null : stepsToChooseFrom(memory, entry, call),
            ),
          );
          const budget = new TextBudget(
            input.maxChars,
            `${count(result.episodes.length, 'past episode')}, ${count(result.patterns.length, 'pattern')} (best first).`,
            'raise maxChars or lower limit.',
          );
          for (const relevant of result.patterns) {
            budget.add(`${patternHeadline(relevant.pattern)}\n${patternWhy(relevant)}`, (room) =>
              patternOneLine(relevant.pattern, room),
            );
          }
          for (const [index, entry] of result.episodes.entries()) {
            const lines = [episodeHeadline(entry.episode), episodeWhy(entry)];
            // A long episode's key steps are chosen from its first page and the steps `why` names;
            // `stepCount` says how many it has in all.
            const episode = withSteps[index] ?? null;
            const shown = keySteps(episode?.steps ?? [], namedSteps(entry), input.stepsPerEpisode);
            lines.push(...shown.map((step) => stepLine(step)));
            const more = (episode?.stepCount ?? 0) - shown.length;
            if (more > 0) lines.push(`  (${more} more steps)`);
            budget.add(lines.join('\n'), (room) => episodeOneLine(entry.episode, room));
          }
          return budget.toString();
        },
        { fields: { text: 'task', 'exclude.0': 'episodeId' } },
      ),
  );
}
