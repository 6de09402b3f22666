import type { LeftTo } from './learner-settings.js';
import type { LearnerQueueStatus } from './learning-queue.js';

export interface LearnerStatus extends LearnerQueueStatus {
  /** Episodes this process learned per second over the last minute. */
  learnedPerSecond: number;
  /** Whether this process runs this learner: it has it, and `learning.run` is on. */
  runsHere: boolean;
  /**
   * Whether some process runs this learner now: this one, or another whose claim has not run out
   * (renewed every `leaseMs / 3`, it lasts that process's `leaseMs`: a killed process stops counting
   * then, a closed one at once). `flush()` waits only for the rows of alive learners.
   */
  alive: boolean;
  /**
   * When a process last ran this learner (ISO): with `alive: false`, since when nobody has. `null`
   * when no process ever ran it (its rows were queued by a process that has it but does not run it).
   */
  lastSeenAt: string | null;
  /** What this process runs it with (`EpisodeLearner.settings`; mining: its miners), `null` when none. */
  settings: string | null;
  /**
   * The older process this one leaves the learner to, because it runs it with other settings
   * (`null` when none does): only one set of settings learns a learner's rows.
   */
  leftTo: LeftTo | null;
  /**
   * Failures of the learner's parts in this process since it opened, by part: the mining
   * learner's miners by pattern type (a `mine()` that threw or outlived its deadline, an invalid
   * candidate). Such a failure costs only that miner's patterns of that episode, which counts as
   * learned, so it shows nowhere else (`failed` counts rows). `{}` when none.
   */
  partFailures: Record<string, PartFailures>;
}

/** One part of a learner failing (`LearnerStatus.partFailures`). */
export interface PartFailures {
  /** How many times, in this process since it opened. */
  count: number;
  /** The newest: the episode, what went wrong (at most 500 characters, as `lastFailure`), and when (ISO). */
  last: { episodeId: string; error: string; at: string };
}

/** What `memory.learning.status()` reports. */
export interface LearningStatus {
  /** Queue rows still to learn (all learners; an episode has one per learner), failed ones excepted. */
  pending: number;
  /**
   * The `pending` rows of learners no process runs now (`alive: false`): `flush()` does not wait
   * for them; a process that runs their learner again learns them.
   */
  unattended: number;
  /** Rows left as failed after their last attempt; `learning.retryFailed()` queues them again. */
  failed: number;
  /** Age of the oldest row still to learn, in seconds. */
  oldestPendingSeconds: number;
  /** Episodes fully learned by this process per second over the last minute (the slowest learner's rate). */
  learnedPerSecond: number;
  /** Whether this process runs the learners (`learning.run`). */
  running: boolean;
  /** The learners this process has, and every other learner with rows in the queue. */
  learners: Record<string, LearnerStatus>;
}

/** `mining: 3, run by another process`, for each learner with pending rows that is `alive` or not. */
export const pendingOf = (current: LearningStatus, alive: boolean): string =>
  Object.entries(current.learners)
    .filter(([, learner]) => learner.pending > 0 && learner.alive === alive)
    .map(([name, learner]) => {
      const where = learner.runsHere
        ? 'run here'
        : learner.alive
          ? 'run by another process'
          : learner.lastSeenAt === null
            ? 'never run'
            : `last run ${learner.lastSeenAt}`;
      return `${name}: ${learner.pending}, ${where}`;
    })
    .join('; ');

export const unattendedNote = (current: LearningStatus): string =>
  `${current.unattended} rows of learners no process runs now (${pendingOf(current, false)}), ` +
  'which a process running them again will learn';
