import type { EpisodeView, JsonObject, StepView } from '@episodic/plugin';
import type { EpisodeStatus } from './enums.js';

/**
 * Which domains a caller may touch. Absent means every domain (a local, trusted caller); an
 * empty list means none. Every query applies it in SQL, never by filtering rows afterwards.
 */
export interface AccessScope {
  domains: readonly string[];
}

/** Options every engine method accepts. */
export interface CallOptions {
  scope?: AccessScope | undefined;
  /** Who is calling, for the audit log: a token id, or `local` (the default). */
  actor?: string | undefined;
  /**
   * Stops waiting for the call. Honoured by clients whose calls wait on a network
   * (`createRemoteMemory` from `@episodic/sdk` rejects at once with code `ABORTED`); the embedded
   * engine runs a call it started to its end. Declared here so that code written against one
   * interface passes it to either, and an embedded `Memory` stays assignable to `RemoteMemory`.
   */
  signal?: AbortSignal | undefined;
}

/**
 * An episode as stored, without its steps. Its fields are the ones a miner sees
 * (`EpisodeView` in `@episodic/plugin`), plus what only the store keeps.
 */
export interface Episode extends Omit<EpisodeView, 'steps'> {
  status: EpisodeStatus;
  /** Model of the embedding stored for this episode, if any. */
  embeddingVersion: string | null;
}

/** A step as stored: exactly what a miner sees of it. */
export type Step = StepView;

/** An episode with every one of its steps: what learners and miners are given. */
export interface EpisodeWithAllSteps extends Episode {
  steps: Step[];
}

/** What `episodes.get` answers: an episode with the first page of its steps. */
export interface EpisodeWithSteps extends Episode {
  /**
   * The first page of its steps, in order: all of them unless `nextStepsCursor` is set (more
   * than `limits.maxPageSize` steps, or more text than `limits.maxStepCharsPerPage`).
   */
  steps: Step[];
  /** How many steps the episode has, whether or not `steps` holds them all. */
  stepCount: number;
  /** Pass to `episodes.steps` as `cursor` for the steps after `steps`; `null` when `steps` holds them all. */
  nextStepsCursor: string | null;
}

/** What `episodes.appendSteps` answers: the steps as stored, and their episode's domain. */
export interface AppendedSteps {
  /** The episode's domain, read in the transaction that wrote the steps. */
  domain: string;
  steps: Step[];
}

export interface Pattern {
  id: string;
  patternType: string;
  /** Domain the pattern was mined in; `null` only for patterns stored before domains existed. */
  domain: string | null;
  patternData: unknown;
  successRate: number;
  usageCount: number;
  lastUsed: string | null;
  createdAt: string;
  metadata: JsonObject | null;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null;
}
