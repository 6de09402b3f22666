import type { JsonObject } from './json.js';

/**
 * Where an episode is in its lifecycle. A miner only ever sees finished episodes (`completed` or
 * `failed`), or `archived` ones when `remine()` rebuilds patterns from history.
 */
export type EpisodeViewStatus = 'active' | 'completed' | 'failed' | 'archived';

/**
 * One step of an episode, as a miner sees it: what the agent did and how it went, in the order
 * the engine received it.
 */
export interface StepView {
  /** The step's id (a UUIDv7). Never put it in pattern data: it belongs to this episode only. */
  id: string;
  /** The id of the episode the step belongs to. */
  episodeId: string;
  /** 1, 2, 3… in the order the engine received the steps. */
  stepNumber: number;
  /**
   * What the agent did, as it logged it: a tool call `read_file src/a.ts`, a ReAct action
   * `Search[Nick Park]`, a shell command, a JSON tool call. Use `parseAction` / `toolName` to
   * compare actions by the tool they name rather than by their arguments.
   */
  action: string;
  /** What came back (the tool's output or error text), when the agent recorded it. */
  result: string | null;
  /** How long the step took, in ms, when recorded. */
  durationMs: number | null;
  /** Whether the step worked, when the agent said so; `null` when it did not say. */
  success: boolean | null;
  /** When the step ended, ISO-8601 UTC. */
  timestamp: string;
  /** Whatever else the agent attached, as a JSON object. */
  metadata: JsonObject | null;
}

/**
 * A finished episode with its steps, as a miner sees it ({@link MineInput.episode}). Ids and
 * timestamps identify this one run: pattern data must be built from what repeats across runs
 * (the tools, their order, the error kinds), never from these.
 */
export interface EpisodeView {
  /** The episode's id (a UUIDv7). */
  id: string;
  /** What kind of task it was: one of the seed's (`debugging`, `testing`…) or one the store added. */
  taskType: string;
  /** The domain the episode belongs to (a project, a product, a tenant): patterns never cross it. */
  domain: string;
  /** The task as the agent described it, when it did. */
  context: string | null;
  status: EpisodeViewStatus;
  /** Outcome in [0, 1], set on completion. */
  successRate: number | null;
  /** When the episode started, ISO-8601 UTC. */
  createdAt: string;
  /** When it finished, ISO-8601 UTC. */
  completedAt: string | null;
  /** Whatever else the agent attached, as a JSON object. */
  metadata: JsonObject | null;
  /**
   * Its steps, in order: every one. Long episodes exist (thousands of steps): bound what you
   * look at. The engine bounds their text: an episode whose actions, results and metadata add up
   * to more than about a million characters keeps its shorter steps whole and cuts the longer
   * ones to what is left (their metadata if small, else null; the start of their action; the
   * start and end of their result), so a step can hold less than the agent logged.
   */
  steps: StepView[];
}
