import {
  canonicalJson,
  declaredHistory,
  describeIssues,
  type MineInput,
  maxPatternDataChars,
  type PatternMinerV1,
  toPluginIssues,
} from '@episodic/plugin';
import type { Logger } from '../logger.js';
import { storableText } from '../schemas/storable-text.js';
import { withinDeadline } from '../within-deadline.js';
import { boundedMine } from './bounded-mine.js';
import { patternId } from './pattern-id.js';
import { deepFreeze } from './read-only.js';

/** What running the miners needs besides the miners: where to report them, and how long to wait. */
export interface MinerRunSettings {
  logger: Logger;
  /** The deadline of one `mine()` call (`learning.mineTimeoutMs`). */
  mineTimeoutMs: number;
  /** Hears each failure the logger is told of, by miner (`learning.status()` counts them). */
  onMinerFailure?: (failure: MinerFailure) => void;
}

/** One failure of a miner on an episode: it threw, outlived its deadline, or gave an invalid candidate. */
export interface MinerFailure {
  patternType: string;
  episodeId: string;
  /** What went wrong, as the log says it. */
  error: string;
}

/** A candidate the engine accepted: validated, canonical, with its id. */
export interface AcceptedCandidate {
  id: string;
  patternType: string;
  taskType: string | null;
  /** Canonical JSON of the parsed data: what `pattern_data` holds. */
  dataJson: string;
  summary: string;
  success: boolean;
  measurements: Record<string, number>;
}

const maxSummaryChars = 1000;

/**
 * The summary as the store keeps it: the driver cut text at a NUL, and a lone surrogate (also
 * one left by a clip through an emoji) came back as U+FFFD, so both are replaced before.
 */
function clipSummary(summary: string): string {
  const clean = storableText(summary, Number.MAX_SAFE_INTEGER);
  const last = clean.charCodeAt(maxSummaryChars - 1);
  return clean.slice(0, last >= 0xd800 && last <= 0xdbff ? maxSummaryChars - 1 : maxSummaryChars);
}

/**
 * What a failure says: its message, or what was thrown when a plugin threw something else. Never
 * throws itself: reading `.message` of a thrown `null` failed the whole batch, every miner's work.
 */
function failureText(error: unknown): string {
  if (error instanceof Error) return error.message;
  let thrown: string;
  try {
    thrown = typeof error === 'string' ? JSON.stringify(error) : String(error);
  } catch {
    thrown = `a value of type ${typeof error}`;
  }
  return `it threw ${thrown}, not an Error`;
}

/** A candidate's identifying columns, in `patterns` order: id, pattern_type, domain, task_type, pattern_data, summary. */
export function identityColumns(candidate: AcceptedCandidate, domain: string) {
  return [
    candidate.id,
    candidate.patternType,
    domain,
    candidate.taskType,
    candidate.dataJson,
    candidate.summary,
  ] as const;
}

function stringLeaves(value: unknown, into: string[]): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((item) => stringLeaves(item, into));
  else if (typeof value === 'object' && value !== null)
    Object.values(value).forEach((item) => stringLeaves(item, into));
  return into;
}

/** `null`, `a string`, `an array`: what a value is, for a message. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

/**
 * The candidate's outcome flags as the contract types them. Read as `=== true`, a `null` success
 * (a miner passing on a step's unknown outcome) or `'true'` was stored as a failure: evidence
 * against the pattern, with no word to its author.
 */
function checkFlags(candidate: { success?: unknown; perTaskType?: unknown } | null): void {
  if (typeof candidate !== 'object' || candidate === null)
    throw new TypeError(`it is ${kindOf(candidate)}, not an object { data, success }`);
  if (typeof candidate.success !== 'boolean')
    throw new TypeError(`success is ${kindOf(candidate.success)}, not a boolean`);
  if (candidate.perTaskType !== undefined && typeof candidate.perTaskType !== 'boolean')
    throw new TypeError(`perTaskType is ${kindOf(candidate.perTaskType)}, not a boolean`);
}

function checkMeasurements(
  measurements: Readonly<Record<string, number>> | undefined,
): Record<string, number> {
  const checked: Record<string, number> = {};
  for (const [name, value] of Object.entries(measurements ?? {})) {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new TypeError(`measurement "${name}" is not a finite number`);
    checked[name] = value;
  }
  return checked;
}

/**
 * Runs every miner on one episode and keeps the candidates that honour the contract. A miner
 * that throws, returns something other than an array or outlives its deadline, or a candidate
 * that does not validate, is reported through the logger and left out; the other miners' work
 * still counts. Aborting is not a miner failure: it propagates.
 */
export async function collectCandidates(
  miners: readonly PatternMinerV1[],
  input: MineInput,
  { logger, mineTimeoutMs, onMinerFailure }: MinerRunSettings,
): Promise<AcceptedCandidate[]> {
  const accepted = new Map<string, AcceptedCandidate>();
  const episode = deepFreeze(input.episode);
  /** Logs a failure of `miner` on this episode (`candidate`: the index of the invalid one) and counts it. */
  const report = (miner: PatternMinerV1, error: unknown, candidate?: number) => {
    const text = failureText(error);
    const what =
      candidate === undefined
        ? 'failed on episode'
        : `returned an invalid candidate #${candidate} for episode`;
    logger.warn(`episodic: miner ${miner.patternType} ${what} ${episode.id}: ${text}`);
    onMinerFailure?.({
      patternType: miner.patternType,
      episodeId: episode.id,
      error: candidate === undefined ? text : `invalid candidate #${candidate}: ${text}`,
    });
  };
  for (const miner of miners) {
    input.signal?.throwIfAborted();
    let candidates: Awaited<ReturnType<typeof boundedMine>>;
    try {
      const history = declaredHistory(miner, input.history);
      candidates = await boundedMine(miner, { ...input, history }, mineTimeoutMs);
    } catch (error) {
      if (input.signal?.aborted) throw input.signal.reason;
      report(miner, error);
      continue;
    }
    // Validation may be asynchronous too (the Standard Schema contract): it gets the same
    // deadline, or a schema that never settles stalled every episode's mining, without a word.
    const validate = (data: unknown) => miner.dataSchema['~standard'].validate(data);
    let validated: PromiseSettledResult<Awaited<ReturnType<typeof validate>>>[];
    try {
      validated = await withinDeadline(
        () => Promise.allSettled(candidates.map(async (candidate) => validate(candidate.data))),
        {
          timeoutMs: mineTimeoutMs,
          signal: input.signal,
          what: 'dataSchema validation',
          setting: 'learning.mineTimeoutMs',
        },
      );
    } catch (error) {
      if (input.signal?.aborted) throw input.signal.reason;
      report(miner, error);
      continue;
    }
    for (const [index, candidate] of candidates.entries()) {
      try {
        checkFlags(candidate);
        const outcome = validated[index] as PromiseSettledResult<Awaited<ReturnType<typeof validate>>>;
        if (outcome.status === 'rejected') throw outcome.reason;
        const parsed = outcome.value;
        if (parsed.issues !== undefined) {
          const why = describeIssues(toPluginIssues(parsed.issues, 'data'));
          throw new TypeError(`data does not match its schema: ${why}`);
        }
        // First, on the data alone: a value JSON cannot hold is named by its path in the data.
        const dataJson = canonicalJson(parsed.value);
        if (dataJson.length > maxPatternDataChars)
          throw new TypeError(
            `data is ${dataJson.length} characters as JSON, more than the ${maxPatternDataChars} allowed`,
          );
        const taskType = candidate.perTaskType ? episode.taskType : null;
        const id = patternId({
          patternType: miner.patternType,
          domain: episode.domain,
          taskType,
          data: parsed.value,
        });
        if (accepted.has(id)) continue;
        const summary: unknown = miner.describe?.(parsed.value) ?? stringLeaves(parsed.value, []).join(' ');
        if (typeof summary !== 'string')
          throw new TypeError(`describe() returned a value of type ${typeof summary}, not a string`);
        accepted.set(id, {
          id,
          patternType: miner.patternType,
          taskType,
          dataJson,
          summary: clipSummary(summary),
          success: candidate.success,
          measurements: checkMeasurements(candidate.measurements),
        });
      } catch (error) {
        report(miner, error, index);
      }
    }
  }
  return [...accepted.values()];
}
