import {
  type MineInput,
  maxCandidatesPerMine,
  type PatternCandidate,
  type PatternMinerV1,
} from '@episodic/plugin';
import { withinDeadline } from '../within-deadline.js';

const describeValue = (value: unknown): string =>
  value === null || value === undefined ? String(value) : `a value of type ${typeof value}`;

/**
 * One `mine()` call, held to its contract: it must give an array, and an async one must settle
 * within `timeoutMs` and stop waiting when `input.signal` aborts. A promise that never settles
 * would otherwise keep its batch (and the heartbeat its lease) forever, and a store's `close()`
 * with it. The miner sees a signal that also aborts at the deadline, so a cooperative one can let
 * go of what it holds; one that ignores it is abandoned, not awaited. A synchronous miner cannot
 * be interrupted: the deadline bounds waiting, not computing.
 *
 * Rejects with `input.signal.reason` when aborted, and with a `TypeError` saying what went wrong
 * when the miner broke its contract (not an array, or more than `maxCandidatesPerMine`).
 */
export async function boundedMine(
  miner: PatternMinerV1,
  input: MineInput,
  timeoutMs: number,
): Promise<readonly PatternCandidate<unknown>[]> {
  const result = await withinDeadline((signal) => miner.mine({ ...input, signal }), {
    timeoutMs,
    signal: input.signal,
    what: 'mine()',
    setting: 'learning.mineTimeoutMs',
  });
  if (!Array.isArray(result))
    throw new TypeError(`mine() returned ${describeValue(result)}, not an array of candidates`);
  if (result.length > maxCandidatesPerMine)
    throw new TypeError(
      `mine() returned ${result.length} candidates, more than the ${maxCandidatesPerMine} allowed`,
    );
  return result;
}
