import type { EpisodeStatus } from './enums.js';
import type { JsonObject } from './schemas/json-object.js';

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
}

export interface Episode {
  id: string;
  taskType: string;
  domain: string;
  context: string | null;
  status: EpisodeStatus;
  /** Outcome in [0, 1]; set on completion. */
  successRate: number | null;
  createdAt: string;
  completedAt: string | null;
  metadata: JsonObject | null;
  /** Model of the embedding stored for this episode, if any. */
  embeddingVersion: string | null;
}

export interface Step {
  id: string;
  episodeId: string;
  /** 1, 2, 3… in the order the engine received the steps. */
  stepNumber: number;
  action: string;
  result: string | null;
  durationMs: number | null;
  success: boolean | null;
  timestamp: string;
  metadata: JsonObject | null;
}

export interface EpisodeWithSteps extends Episode {
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
