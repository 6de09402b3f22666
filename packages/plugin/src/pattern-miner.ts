import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { EpisodeMeasures } from './episode-measures.js';
import type { EpisodeView } from './episode-view.js';

/**
 * A summary of a sample of numbers (step counts, durations), kept incrementally by the engine.
 */
export interface Distribution {
  /** How many episodes contributed a value. */
  count: number;
  mean: number;
  /**
   * The median, from a histogram with about 5 % relative bucket width: exact below 16, within
   * about 2.5 % above. It is what "the usual run" means for a miner.
   */
  median: number;
}

/** How the finished episodes of one domain (or one domain and task type) went, so far. */
export interface Baseline {
  /** Finished episodes counted. */
  episodes: number;
  /** Of those, how many succeeded (see {@link MineInput.succeeded}). */
  successes: number;
  /** `successes / episodes`, or `null` before the first episode. */
  successRate: number | null;
  /** Steps per episode, over every finished episode; `null` before the first one. */
  steps: Distribution | null;
  /**
   * Total step duration per episode (the sum of the steps' `durationMs`), over the episodes that
   * recorded durations; `null` when none did.
   */
  durationMs: Distribution | null;
  /** The same two figures over the successful episodes only: what a good run usually costs. */
  successful: {
    steps: Distribution | null;
    durationMs: Distribution | null;
  };
}

/**
 * The read-only view of history the engine gives a miner. It is bounded by construction: two
 * baselines maintained incrementally as episodes finish, never a scan of past episodes, so
 * mining stays as fast at 100,000 episodes as at 10. Both describe the episodes mined *before*
 * this one, in mining order, which is what makes `remine()` reproduce incremental results.
 */
export interface MiningHistory {
  /** The episode's domain and task type. */
  readonly taskType: Readonly<Baseline>;
  /** The episode's whole domain, every task type. */
  readonly domain: Readonly<Baseline>;
}

/** What a miner declares it reads of {@link MiningHistory}: see {@link PatternMinerV1.history}. */
export type MinerHistoryUse = 'none' | 'taskType' | 'domain';

/** What the engine passes to {@link PatternMinerV1.mine}. Treat every part as read-only. */
export interface MineInput {
  /** A finished episode with its steps in order. */
  readonly episode: Readonly<EpisodeView>;
  /**
   * Whether the episode reached its goal: it was completed (rather than failed). Stored at
   * mining time, so an episode archived later is remined with the outcome it had.
   */
  readonly succeeded: boolean;
  readonly history: MiningHistory;
  /**
   * Aborted when the store closes, a `remine()` is cancelled or this call's deadline passes (core's
   * `learning.mineTimeoutMs`; the engine stops waiting then). A long-running miner should check
   * it between units of work and reject with `signal.reason`.
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * One pattern a miner found in one episode. The engine turns candidates into evidence: the
 * pattern's id is a hash of its type, domain, task type (when {@link perTaskType}) and the
 * canonical JSON of {@link data}, so the same pattern found in another episode updates the same
 * row (support, successes, success rate, Wilson lower bound, measurements) instead of adding one.
 */
export interface PatternCandidate<Data> {
  /**
   * The pattern itself: its whole identity, and what is stored as `pattern_data`. It must
   * validate against the miner's `dataSchema`, be plain JSON, and hold nothing specific to this
   * episode (no ids, timestamps or raw numbers from results), or the same pattern seen twice
   * would count as two. Key order does not matter; array order does.
   */
  data: Data;
  /**
   * Whether this episode is evidence that the pattern works (usually: the episode succeeded).
   * The pattern's success rate is the share of its supporting episodes where this was true.
   */
  success: boolean;
  /**
   * Mine the pattern per task type: the episode's task type becomes part of its identity and
   * `patterns.task_type`, so retrieval can prefer it for that task type. Omitted or `false`:
   * the pattern holds across the whole domain.
   */
  perTaskType?: boolean;
  /**
   * Per-episode figures the engine aggregates over the supporting episodes (count, sum, min,
   * max, so the mean), e.g. `{ stepsSaved: 4 }`. Finite numbers only.
   */
  measurements?: Readonly<Record<string, number>>;
}

/**
 * A pattern miner, version 1 of the contract: a plugin that turns one finished episode into
 * candidate patterns of one type. Write its factory with `defineMiner` (options validated by any
 * Standard Schema), and check it with `testPatternMiner` from `@episodic/plugin/testing`.
 *
 * The engine calls {@link mine} once per finished episode, inside the transaction that records
 * its evidence, so a miner must be quick and its work bounded by the episode's size (cap what it
 * looks at; never grow quadratically with the number of steps). It must be deterministic: the
 * same input gives the same candidates, which is how `remine()` rebuilds what incremental
 * mining built.
 *
 * The contract is versioned: `specificationVersion` says which shape an object has, so a later
 * `PatternMinerV2` can change it while engines keep running v1 miners. Everything a miner needs
 * is in this package; it never depends on `@episodic/core` (and so on no native module).
 *
 * @example
 * const miner: PatternMinerV1<{ first: string }> = {
 *   specificationVersion: 'v1',
 *   patternType: 'first_action',
 *   dataSchema: z.strictObject({ first: z.string() }),
 *   mine: ({ episode, succeeded }) =>
 *     episode.steps.length === 0 ? [] : [{ data: { first: toolName(episode.steps[0]!.action) }, success: succeeded }],
 * };
 * const memory = await openMemory({ miners: [miner] });
 */
export interface PatternMinerV1<Data = unknown> {
  /** The contract version this miner implements. */
  readonly specificationVersion: 'v1';
  /**
   * The `pattern_type` of every pattern it finds, snake_case (`tool_sequence`). A type outside
   * the seed's four is registered when the store opens; two miners may not share a type.
   */
  readonly patternType: string;
  /**
   * Validates `pattern_data`: any [Standard Schema](https://standardschema.dev) (a zod 4 schema,
   * valibot, arktype…), so a miner is not tied to the engine's zod version. The engine validates
   * every candidate with it and stores the output; a candidate it refuses is logged and dropped.
   * It may be asynchronous, though a synchronous one keeps mining fast.
   */
  readonly dataSchema: StandardSchemaV1<unknown, Data>;
  /**
   * A short text for a pattern, indexed for full-text search and shown to people
   * (`get_user_details → book_reservation`). Without it the engine joins the data's strings.
   */
  describe?(data: Data): string;
  /**
   * Which part of {@link MineInput.history} `mine` reads: `'none'`, `'taskType'` (only
   * `history.taskType`) or `'domain'` (both; the default, so a miner that does not say is assumed
   * to read everything). Forgetting an episode changes the history of every episode of its domain
   * (or task type) mined after it, so `forget` mines those episodes again with each miner that
   * reads history, to stay equal to a `remine()` of what remains; a miner that reads none is never
   * run again. Declare the least you read: reading an undeclared part throws.
   */
  readonly history?: MinerHistoryUse;
  /**
   * For a miner that reads history: the part of it that {@link mine} depends on for one episode,
   * as JSON (say, the medians it compares with, or `null` while too few runs count, or whenever
   * this episode, given its `measures`, yields nothing under that history). Any two histories
   * with the same key must give the same candidates for that episode; compute the key from the
   * history and let `mine` read history only through it, so the two cannot disagree. After a
   * `forget`, the engine mines a later episode again only when its key changed, instead of every
   * later episode of the task type (or domain): a key that folds in `measures` spares the many
   * episodes that yield nothing either way. Reads only what {@link history} declares.
   *
   * @param measures The episode's step count and total step duration, as `measureEpisode` gives
   *   them: all the engine knows of an episode before it reads the steps back.
   */
  historyKey?(history: MiningHistory, measures: EpisodeMeasures): unknown;
  /**
   * How common a pattern must be among successful runs before `relevantPatterns` (and so
   * `retrieve`) reports it as what works: the share, in (0, 1], of the successful episodes of the
   * pattern's scope (its domain and task type, or its whole domain) that show it, and at least
   * `minSupport` of them. This is frequent-pattern mining's relative minimum support, counted over
   * successes: a recipe that a few lucky runs happened to share is an anecdote, not what works.
   * Omit it for patterns that are rare by nature and should be found whenever they match (how an
   * error was resolved). `listPatterns` and `getPattern` still return every pattern.
   */
  readonly minSuccessShare?: number;
  /**
   * Which patterns are variants of one recipe: patterns of one scope (domain and task type) with
   * the same key say the same thing at different levels of detail (`look-up → write` and
   * `look-up×2+ → write`): `relevantPatterns` keeps the best-supported of them in its place and
   * moves the others after every other recipe, so a caller asking for 5 patterns gets 5 different
   * recipes where there are that many. Without it every pattern is its own recipe. Called at read
   * time on stored data, so it must be cheap and deterministic.
   */
  variantKey?(data: Data): string;
  /**
   * The candidate patterns in one finished episode. Return each pattern at most once; an
   * episode with no steps yields none. Sync or async; reject with `signal.reason` when aborted.
   * At most `maxCandidatesPerMine` candidates, each `data` at most `maxPatternDataChars`
   * characters as JSON: the engine leaves out, with a warning, a call that returns more and a
   * candidate whose data is larger.
   */
  mine(input: MineInput): PromiseLike<readonly PatternCandidate<Data>[]> | readonly PatternCandidate<Data>[];
}

/**
 * Most candidates one `mine()` call may return: 20 times the tool-sequence miner's default
 * (500; its own bound goes up to this). Each becomes rows in the miner's transaction, on the
 * store's one writer: one call returning 20,000 was stored whole.
 */
export const maxCandidatesPerMine = 10_000;

/**
 * Most characters a candidate's `data` may take as canonical JSON. A pattern's data is read back
 * with every pattern list and retrieve: 5 MB of it from one candidate was stored whole.
 */
export const maxPatternDataChars = 64 * 1024;
