import { relevanceFloors, textMatch } from '@episodic/core';
import { errorSignature } from '@episodic/miner-error-resolution';
import type { Episode, RemoteCallOptions, Step } from '@episodic/sdk';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { episodeHeadline, stepLine } from '../format/describe-episode.js';
import { patternHeadline, patternWhy } from '../format/describe-pattern.js';
import { clip, TextBudget } from '../format/text-budget.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { fanOut, refusalIssues, toolAnswer } from './tool-answer.js';
import { toolAnnotations, toolFields } from './tool-fields.js';

const seenErrorInput = z.strictObject({
  error: z
    .string()
    .min(1)
    .max(20_000)
    .describe('The error text as you got it (message, traceback or tool output).'),
  domain: toolFields.domain.optional(),
  limit: z
    .number()
    .int()
    .min(1)
    .max(10)
    .default(3)
    .describe('At most this many error-resolution patterns, and this many past occurrences.'),
  maxChars: toolFields.maxChars,
  episodeId: toolFields.episodeId
    .optional()
    .describe(
      'Your episode for this task, if you started one: its own failed step is not a past occurrence.',
    ),
});

/** Whether `error` refuses the input's `field`: the engine's and the server's refusals both name it. */
function refusesField(error: unknown, field: string): boolean {
  return refusalIssues(error).some((issue) => issue.path === field);
}

/** Steps shown after a failure: the fix is usually within a few. */
const followingSteps = 4;

/** A failed step and what the agent did next, until the failed action succeeded. */
interface Followed {
  failed: Step;
  after: Step[];
  /** `followingSteps` steps followed it, or one retried its action successfully. */
  done: boolean;
}

/** A page of an episode's steps: `get`'s first one, or one `episodes.steps` read. */
interface StepPage {
  items: Step[];
  nextCursor: string | null;
}

interface Occurrence extends Followed {
  episode: Episode;
  /** The same signature, not only shared words. */
  same: boolean;
}

function follow(followed: Followed | undefined, step: Step): void {
  if (followed === undefined || followed.done || step.stepNumber <= followed.failed.stepNumber) return;
  followed.after.push(step);
  followed.done =
    followed.after.length === followingSteps ||
    (step.action === followed.failed.action && step.success === true);
}

/** The failed step and the steps that followed it. */
function occurrenceText({ episode, failed, after, same }: Occurrence): string {
  const label = same ? 'same error' : 'similar error';
  return [
    episodeHeadline(episode, 120),
    `  ${label} at:`,
    stepLine(failed, 200),
    after.length > 0
      ? '  then:'
      : episode.status === 'active'
        ? '  then: nothing yet (the episode is still in progress)'
        : '  then: nothing (the episode ended there)',
    ...after.map((step) => stepLine(step)),
  ].join('\n');
}

/**
 * In one episode, the first failed step with the error's signature, else the first whose error
 * matches as well as a pattern must to be returned for it (`relevanceFloors.text`), with the
 * steps that followed it. `get` gives a long episode's first page of steps only: the pages after
 * it are read one at a time, only until the last step the search matched (`through`) and the
 * steps following the failure found are read, and each is let go once looked through.
 */
async function findInEpisode(
  memory: AgentMemory,
  episode: Episode,
  firstPage: StepPage,
  error: string,
  signature: string,
  through: number,
  call: RemoteCallOptions,
): Promise<Occurrence | null> {
  let page: StepPage | null = firstPage;
  let same: Followed | undefined;
  let similar: Followed | undefined;
  let last = 0;
  while (page !== null) {
    for (const step of page.items) {
      follow(same, step);
      follow(similar, step);
      last = step.stepNumber;
      if (step.success !== false || step.result === null) continue;
      const stepSignature = errorSignature(step.result);
      if (same === undefined && stepSignature === signature) same = { failed: step, after: [], done: false };
      if (similar === undefined && textMatch(error, stepSignature) >= relevanceFloors.text)
        similar = { failed: step, after: [], done: false };
    }
    const found = same ?? similar;
    // An earlier failure with the same signature is never beaten; otherwise read on to the last
    // matched step, and past it only for the steps that followed the failure found.
    const enough = same?.done === true || (last >= through && (found === undefined || found.done));
    if (page.nextCursor === null || enough) break;
    page = await memory.episodes.steps(episode.id, { cursor: page.nextCursor }, call);
  }
  const found = same ?? similar;
  if (found === undefined) return null;
  return { ...found, episode, same: same !== undefined };
}

/**
 * Past failed steps with this error: full-text search over steps (written with the step, so an
 * episode recorded a moment ago is found before any learning), then, in each hit, the failed
 * step with the same signature, else one whose error matches as well as a pattern must to be
 * returned for it (`relevanceFloors.text`): a shared word such as "Error" is not enough.
 */
async function findOccurrences(
  memory: AgentMemory,
  error: string,
  signature: string,
  domain: string | undefined,
  limit: number,
  exclude: string | undefined,
  call: RemoteCallOptions,
): Promise<Occurrence[]> {
  // Placeholders (`<n>`, `<path>`) stand for what varies: searching their names would only add noise.
  const words = signature.replace(/<[a-z_]+>/g, ' ');
  const query = { text: words, domain };
  const hits = await memory.search.text({ ...query, limit: limit * 4 }, call).catch((error: unknown) => {
    // The store's page bound (`limits.maxPageSize`) is not known here: one below `limit × 4`
    // refuses the field, and its default page is as many as it allows.
    if (refusesField(error, 'limit')) return memory.search.text(query, call);
    throw error;
  });
  const found = await Promise.all(
    hits.flatMap((hit) => {
      const matched = hit.matches.flatMap((match) =>
        match.source === 'step' && match.stepNumber !== null ? [match.stepNumber] : [],
      );
      if (hit.episode.id === exclude || matched.length === 0) return [];
      return [
        memory.episodes.get(hit.episode.id, call).then((read) => {
          if (read === null) return null;
          const { steps, stepCount: _stepCount, nextStepsCursor, ...episode } = read;
          const first = { items: steps, nextCursor: nextStepsCursor };
          return findInEpisode(memory, episode, first, error, signature, Math.max(...matched), call);
        }),
      ];
    }),
  );
  const occurrences = found.filter((occurrence) => occurrence !== null);
  // Stable: within each group, search rank order is kept.
  return occurrences.sort((a, b) => Number(b.same) - Number(a.same)).slice(0, limit);
}

/**
 * The answer's first line, whatever `maxChars`: without it the agent cannot even tell whether the
 * error was seen. The signature (as long as the error) gives way first, then the counts' end.
 */
function header(counts: string, signature: string, maxChars: number): string {
  const label = ' Signature: ""';
  const room = maxChars - counts.length - label.length;
  if (room < 20) return clip(counts, maxChars);
  return `${counts} Signature: "${clip(signature, room)}"`;
}

export function registerSeenErrorTool(server: McpServer, memory: AgentMemory): void {
  server.registerTool(
    'memory_seen_error',
    {
      title: 'Have we seen this error before?',
      description:
        'Call this as soon as a command, test or tool call fails, BEFORE you start debugging: it tells ' +
        'whether this error was met before and what resolved it, from the error-resolution patterns ' +
        'learned so far and from past failed steps with the same error (with the steps that followed).',
      inputSchema: seenErrorInput,
      annotations: toolAnnotations.reads,
    },
    (input, { signal }) =>
      toolAnswer(async () => {
        const call = fanOut(signal);
        const signature = errorSignature(input.error);
        const [patterns, occurrences] = await Promise.all([
          memory.patterns.relevant(
            {
              text: input.error.slice(0, 8000),
              domain: input.domain,
              types: ['error_resolution'],
              limit: input.limit,
            },
            call,
          ),
          findOccurrences(memory, input.error, signature, input.domain, input.limit, input.episodeId, call),
        ]);
        const where = input.domain === undefined ? '' : ` in ${input.domain}`;
        if (patterns.length === 0 && occurrences.length === 0) {
          return `Not seen before${where}: no error-resolution pattern and no past failed step matches "${clip(signature, 160)}".`;
        }
        const budget = new TextBudget(
          input.maxChars,
          header(
            `Seen before${where}: ${patterns.length} error-resolution pattern(s), ${occurrences.length} past occurrence(s).`,
            signature,
            input.maxChars,
          ),
          'raise maxChars or read episode://<id>.',
        );
        for (const relevant of patterns) {
          const episodes =
            relevant.episodeIds.length === 0 ? '' : `\n  episodes: ${relevant.episodeIds.join(', ')}`;
          budget.add(`${patternHeadline(relevant.pattern)}\n${patternWhy(relevant)}${episodes}`);
        }
        for (const occurrence of occurrences) budget.add(occurrenceText(occurrence));
        return budget.toString();
      }),
  );
}
