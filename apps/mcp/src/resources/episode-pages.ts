import type { RemoteCallOptions, Step } from '@episodic/sdk';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { clip, shorten } from '../format/text-budget.js';
import type { AgentMemory } from '../memory/agent-memory.js';

/**
 * Most characters of JSON one read of `episode://{id}` or `episode://{id}/steps/{cursor}` answers
 * (about 25,000 tokens). What lands in an agent's context must be bounded like a tool's answer:
 * the store's own page bound (4 Mi characters) is sized for the dashboard, and a page of it in
 * three-byte characters is past the MCP SDK's 10 MiB stdio line, which drops the connection.
 */
export const resourceChars = 100_000;

/** Longest action, result or metadata (as JSON text) of a step, and metadata of the episode. */
export const fieldChars = 2000;

/** Longest episode context: the task as written, which is rarely longer. */
const contextChars = 4000;

/*
 * One step always fits a page: escaped at worst (a control character is `\u0001` in JSON, six
 * characters), the episode's header is at most 6 × (4,000 + 2,000) and a step 6 × 3 × 2,000
 * characters, with some hundreds of characters of field names: about 75,000 in all.
 */

/** Metadata as it is, or as its JSON text cut to `fieldChars` when longer. */
function shownMetadata(metadata: Step['metadata']): Step['metadata'] | string {
  if (metadata === null) return null;
  const text = JSON.stringify(metadata);
  return text.length <= fieldChars ? metadata : shorten(text, fieldChars);
}

type ShownStep = Omit<Step, 'metadata'> & { metadata: Step['metadata'] | string };

function shownStep(step: Step): ShownStep {
  return {
    ...step,
    action: shorten(step.action, fieldChars),
    result: step.result === null ? null : shorten(step.result, fieldChars),
    metadata: shownMetadata(step.metadata),
  };
}

/** Characters of `value` as pretty JSON, and a margin for the brackets of a non-empty step array. */
function jsonChars(value: unknown): number {
  return JSON.stringify(value, null, 2).length + 16;
}

/**
 * Characters a step adds to its page's pretty JSON: its own text with every line indented two
 * levels (it sits in an array in the page's object), and the `,\n` after it.
 */
function stepChars(step: ShownStep): number {
  const text = JSON.stringify(step, null, 2);
  return text.length + 4 * text.split('\n').length + 2;
}

/** The longest cursor a page can carry: a step number. */
const longestCursor = String(Number.MAX_SAFE_INTEGER);

interface StepSource {
  items: Step[];
  nextCursor: string | null;
}

/**
 * Steps from `first` and the store's pages after it, each cut to `fieldChars`, until `room`
 * characters are spent; `next` is the step number the following page starts at, `null` after
 * the last step.
 */
async function fillPage(
  memory: AgentMemory,
  episodeId: string,
  first: StepSource,
  room: number,
  call: RemoteCallOptions,
): Promise<{ steps: ShownStep[]; next: number | null }> {
  const steps: ShownStep[] = [];
  let used = 0;
  let page: StepSource | null = first;
  while (page !== null) {
    for (const step of page.items) {
      const shown = shownStep(step);
      const cost = stepChars(shown);
      if (steps.length > 0 && used + cost > room) return { steps, next: step.stepNumber };
      steps.push(shown);
      used += cost;
    }
    page =
      page.nextCursor === null
        ? null
        : await memory.episodes.steps(episodeId, { cursor: page.nextCursor }, call);
  }
  return { steps, next: null };
}

/**
 * `episode://{id}`: the episode with `stepCount` and as many of its first steps as fit
 * `resourceChars`; `nextStepsCursor` (a step number) names where the rest start.
 */
export async function episodePage(memory: AgentMemory, episodeId: string, call: RemoteCallOptions) {
  const read = await memory.episodes.get(episodeId, call);
  if (read === null) return null;
  const { steps, stepCount, nextStepsCursor, ...episode } = read;
  const header = {
    ...episode,
    context: episode.context === null ? null : shorten(episode.context, contextChars),
    metadata: shownMetadata(episode.metadata),
  };
  const room = resourceChars - jsonChars({ ...header, steps: [], stepCount, nextStepsCursor: longestCursor });
  const page = await fillPage(memory, episodeId, { items: steps, nextCursor: nextStepsCursor }, room, call);
  // In the order `episodes.get` answers: the steps, then how many there are and where the rest are.
  const next = page.next === null ? null : String(page.next);
  return { ...header, steps: page.steps, stepCount, nextStepsCursor: next };
}

/** `episode://{id}/steps/{cursor}`: the steps from step number `cursor` on, as many as fit. */
export async function stepsPage(
  memory: AgentMemory,
  episodeId: string,
  cursor: string,
  call: RemoteCallOptions,
) {
  if (!/^[1-9]\d{0,15}$/.test(cursor))
    throw new McpError(
      ErrorCode.InvalidParams,
      `Invalid cursor "${clip(cursor, 40)}": use the nextStepsCursor or nextCursor of the page before (a step number).`,
    );
  const first = await memory.episodes.steps(episodeId, { fromStep: Number(cursor) }, call);
  if (first === null) return null;
  const room = resourceChars - jsonChars({ items: [], nextCursor: longestCursor });
  const page = await fillPage(memory, episodeId, first, room, call);
  return { items: page.steps, nextCursor: page.next === null ? null : String(page.next) };
}
