/**
 * What the reads and step writes take last: the run's abort signal, as the engine's `CallOptions`
 * and the SDK's `RemoteCallOptions` declare it (a server lets go of the request; the embedded
 * engine runs a call it started to its end).
 */
export interface MemoryCallOptions {
  signal?: AbortSignal | undefined;
}

/**
 * The part of Episodic's `Memory` that `withMemory` uses. Both `openMemory()` from
 * `@episodic/core` and `createRemoteMemory()` from `@episodic/sdk` satisfy it, so the
 * integration depends on neither.
 */
export interface EpisodicMemory {
  readonly episodes: {
    start(input: {
      taskType: string;
      domain: string;
      context?: string;
      metadata?: Record<string, unknown>;
    }): Promise<{ id: string }>;
    logSteps(episodeId: string, steps: RecordedStep[], options?: MemoryCallOptions): Promise<unknown>;
    complete(episodeId: string, input: { status: 'completed' | 'failed' }): Promise<unknown>;
    /**
     * Ends an episode with no outcome: one that started too late for its run to be recorded in
     * it, or whose run ended without its outcome reaching `withMemory`.
     */
    archive(episodeId: string): Promise<unknown>;
    /**
     * A page of an episode's steps in order, from the first or from step `fromStep`: the key steps
     * of the past episodes shown to the model are picked from them. `null` when it is not found.
     */
    steps(
      episodeId: string,
      input?: { limit?: number; fromStep?: number },
      options?: MemoryCallOptions,
    ): Promise<{ items: readonly StoredStep[] } | null>;
  };
  readonly search: {
    retrieve(
      input: { text: string; domain?: string; taskType?: string; limit?: number; patterns?: number },
      options?: MemoryCallOptions,
    ): Promise<Recall>;
  };
}

/** A tool call as it is stored: the tool's name as the action, its arguments as `parameters`. */
export interface RecordedStep {
  /** A UUID the step is stored under once, however often its write is sent (a replayed request). */
  id?: string;
  action: string;
  result?: string;
  durationMs?: number;
  success?: boolean;
  timestamp?: string;
  metadata?: Record<string, unknown>;
}

/** A step as `episodes.steps` answers it, as far as the prompt needs it. */
export interface StoredStep {
  stepNumber: number;
  action: string;
  result: string | null;
  success: boolean | null;
  /** For a step `withMemory` recorded, the tool call's arguments are in `metadata.parameters`. */
  metadata: Record<string, unknown> | null;
}

/** What `search.retrieve` answers, as far as the prompt needs it. */
export interface Recall {
  episodes: Array<{
    episode: { id: string; context: string | null; status: string; successRate: number | null };
    /** `stepNumber`: the step whose text (or failure) matched the task best, if a step did. */
    why: {
      text: { matchedIn: string; stepNumber?: number | null } | null;
      vector: { similarity: number; stepNumber?: number | null } | null;
    };
  }>;
  patterns: Array<{
    pattern: {
      patternType: string;
      summary: string | null;
      successRate: number;
      support: number | null;
    };
    /** `why.text`: how far the pattern's summary matches the task (0 when it does not). */
    why: { text: number };
    /** Its success rate over the usual one of its scope; `liftLower`, the part beyond chance. */
    lift: number | null;
    liftLower: number | null;
  }>;
}
