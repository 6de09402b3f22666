import { type LanguageModel, type ModelMessage, wrapLanguageModel } from 'ai';
import { unlessAborted } from './bounded-wait.js';
import { clientMemory } from './client-memory.js';
import { hookReports, RecordingError } from './hook-reports.js';
import { memoryMiddleware } from './memory-middleware.js';
import { memoryPrompt } from './memory-prompt.js';
import { MemoryRun } from './memory-run.js';
import { lookUpPast } from './past-experience.js';
import type { RunStatus } from './run-recorder.js';
import { storableText } from './storable-text.js';
import { latestUserText, queryText } from './task-text.js';
import { type ToolOutcomePart, toolSteps } from './tool-steps.js';
import type { WithMemoryOptions } from './with-memory-options.js';

/** The task as stored (the engine's own limit is larger) and as searched (a query needs no more). */
const maxContextChars = 16_000;
const maxQueryChars = 4000;

/** A finished step as the AI SDK gives it to `onStepFinish`, and to `onFinish` in `steps`. */
interface FinishedStep {
  readonly content: readonly unknown[];
  readonly finishReason?: string;
}

/**
 * Settings to spread into `generateText`, `streamText` or `new ToolLoopAgent(...)`. Each run of
 * the model becomes one episode: started, with past experience looked up, at its first step;
 * each finished tool call logged as a step; completed on finish, failed on an error or abort.
 * To add a hook of your own under one of these names, call ours from it (see the README).
 */
export interface MemorySettings {
  /** Takes the run's `abortSignal`: the look-up, the step writes and every wait of ours stop with it. */
  experimental_onStart: (event: { abortSignal?: AbortSignal | undefined }) => void;
  prepareStep: (options: {
    stepNumber: number;
    messages: ModelMessage[];
    model: LanguageModel;
  }) => Promise<{ model: LanguageModel } | undefined>;
  experimental_onToolCallFinish: (event: { toolCall: { toolCallId: string }; durationMs: number }) => void;
  onStepFinish: (step: FinishedStep) => Promise<void>;
  onFinish: (event: { readonly steps?: readonly FinishedStep[] }) => Promise<void>;
  onError: (event: { error: unknown }) => Promise<void>;
  onAbort: (event?: unknown) => Promise<void>;
  /**
   * The last run's episode once everything about it is written (not spread into the SDK's
   * settings), with its status: `completed`, `failed`, `archived` (ended with no outcome, see the
   * README) or `active` (a run still under way). `null` when no run started, or its episode could
   * not be started or the store could not be reached. Ask once the run is over: a model failure
   * still awaiting the SDK's retry is then final, and a run the SDK will say nothing more about
   * (a stream its consumer stopped reading) is archived.
   */
  readonly episode: () => Promise<{ id: string; status: RunStatus } | null>;
}

/** The tool call ids of a step's tool outcomes. */
const outcomeIds = (content: readonly ToolOutcomePart[]) =>
  content.flatMap((part) =>
    (part.type === 'tool-result' || part.type === 'tool-error') && part.toolCallId !== undefined
      ? [part.toolCallId]
      : [],
  );

/**
 * Episodic memory for one AI SDK run (or a sequence of runs of one agent): spread the result
 * into the call's settings.
 *
 * @example
 * const result = await generateText({
 *   ...withMemory({ memory, domain: 'shop', taskType: 'debugging' }),
 *   model, tools, prompt: 'Checkout fails with a TypeError',
 * });
 */
export function withMemory(options: WithMemoryOptions): MemorySettings {
  const memory = options.memory ?? clientMemory(options.client);
  const maxMemoryTokens = options.maxMemoryTokens ?? 800;
  const limits = { maxResultChars: options.maxResultChars ?? 4000, maxParameterChars: 8000 };
  const hook =
    options.onMemoryError ??
    ((error: unknown) =>
      console.warn(
        error instanceof RecordingError
          ? `[episodic] ${error.message}`
          : `[episodic] memory unavailable: ${(error as Error)?.message ?? error}`,
      ));
  // The caller's code: a throw there stopped the run before its model call, or ended the process
  // as an unhandled rejection from a write in the background, where the run must go on either way.
  const report = (error: unknown) => {
    try {
      hook(error);
    } catch (thrown) {
      console.warn(`[episodic] onMemoryError threw: ${(thrown as Error)?.message ?? thrown}`);
    }
  };
  const reports = hookReports(report);
  const timeoutMs = options.memoryTimeoutMs ?? 10_000;
  const taskOf = options.task ?? latestUserText;
  let run: MemoryRun | null = null;
  /** The caller's signal, from `experimental_onStart`, for the run whose first step comes next. */
  let startSignal: AbortSignal | undefined;

  /**
   * `next` starts: the last run, if it has no outcome yet, gets one now. Still under way, it
   * overlaps `next`: the hooks of both land on whichever started last, so neither record is the
   * run's own, and both are archived.
   */
  function settle(previous: MemoryRun, next: MemoryRun): void {
    // Its model failure awaiting a retry is final: the run failed.
    if (previous.recorder.awaitingRetry) void previous.recorder.settled();
    if (previous.recorder.outcome !== null) return;
    const running = previous.activity.running;
    reports.abandoned(previous.recorder.episodeId, running);
    if (running) next.recorder.markMixed();
    void previous.recorder.finish('archived');
  }

  async function begin(messages: ModelMessage[]): Promise<MemoryRun> {
    // First: a `task` of the caller's that throws stops the run before anything of it exists.
    const task = taskOf(messages).trim();
    const current = new MemoryRun(memory, report, timeoutMs);
    if (run !== null) settle(run, current);
    run = current;
    const signal = startSignal;
    startSignal = undefined;
    current.recorder.useSignal(signal);
    const started = current.recorder.start({
      taskType: options.taskType,
      domain: options.domain,
      context: task === '' ? undefined : storableText(task, maxContextChars),
    });
    // After the start, which it must follow: a run aborted before any model call sees the
    // signal (during the look-up, or already) is failed all the same.
    current.recorder.failOnAbort(signal);
    const limit = options.episodes ?? 5;
    const [, past] = await Promise.all([
      // Not waited for once the caller aborts: the start goes on, so the run is recorded as failed.
      unlessAborted(started, signal),
      task === ''
        ? null
        : lookUpPast(
            memory,
            {
              text: queryText(task, maxQueryChars),
              domain: options.domain,
              taskType: options.taskType,
              // One more: the run's own episode, started meanwhile, may take a place.
              episodes: limit + 1,
              patterns: options.patterns ?? 5,
              timeoutMs,
              signal,
            },
            report,
          ),
    ]);
    if (past !== null) {
      // Started in parallel, the run's own episode may already be found: it is not past experience.
      const own = current.recorder.episodeId;
      const episodes = past.episodes.filter(({ episode }) => episode.id !== own).slice(0, limit);
      current.reference = memoryPrompt({ ...past, episodes }, maxMemoryTokens);
    }
    return current;
  }

  /**
   * The run a step or the finish belongs to; `null` when our `prepareStep` did not start it:
   * reported, unless runs overlapped (the older one's hooks are expected then, and reported).
   */
  function startedRun(): MemoryRun | null {
    if (run !== null && !run.sawFinish) return run;
    if (run === null || !run.recorder.isMixed) reports.prepareStepReplaced();
    return null;
  }

  async function recordStep(current: MemoryRun, step: FinishedStep): Promise<void> {
    const content = step.content as readonly ToolOutcomePart[];
    current.activity.stepFinished(step.finishReason !== 'tool-calls', outcomeIds(content));
    const steps = toolSteps(content, current.durations, limits);
    if (steps.length > 0) await current.recorder.log(steps);
  }

  const settings: Omit<MemorySettings, 'episode'> = {
    experimental_onStart({ abortSignal }) {
      // The SDK gives `prepareStep` no signal; this comes just before the run's first one.
      startSignal = abortSignal;
    },
    async prepareStep({ stepNumber, messages, model }) {
      let current = run;
      if (stepNumber === 0) current = await begin(messages);
      else if (current !== null) {
        current.activity.stepPrepared();
        // Overlapping runs miscount each other's steps: that is reported already.
        if (current.activity.stepsFinished < stepNumber && !current.recorder.isMixed)
          reports.onStepFinishReplaced();
      }
      if (current === null) return undefined;
      // A model named by a gateway id string is left as it is: it gets no memory in its prompt,
      // and its calls are not watched.
      if (typeof model === 'string' || model.specificationVersion !== 'v3') {
        current.activity.unwatched();
        return undefined;
      }
      return { model: wrapLanguageModel({ model, middleware: memoryMiddleware(current) }) };
    },
    experimental_onToolCallFinish({ toolCall, durationMs }) {
      run?.durations.set(toolCall.toolCallId, durationMs);
      run?.activity.toolFinished(toolCall.toolCallId);
    },
    async onStepFinish(step) {
      const current = startedRun();
      if (current !== null) await recordStep(current, step);
    },
    async onFinish(event) {
      const current = startedRun();
      if (current === null) return;
      current.sawFinish = true;
      // Steps that never reached our `onStepFinish` (one of the caller's own in its place).
      const missed = event.steps?.slice(current.activity.stepsFinished) ?? [];
      if (missed.length > 0 && !current.recorder.isMixed) reports.onStepFinishReplaced();
      for (const step of missed) await recordStep(current, step);
      await current.recorder.finish('completed');
    },
    onError: async () => run?.recorder.finish('failed'),
    onAbort: async () => run?.recorder.finish('failed'),
  };
  // Not enumerable: spreading the settings into the SDK's call leaves it out.
  return Object.defineProperty(settings, 'episode', {
    value: async () => {
      if (run === null) return null;
      const { recorder, activity } = run;
      if (recorder.outcome === null && !recorder.awaitingRetry && activity.stalled) {
        reports.noOutcome(recorder.episodeId);
        void recorder.finish('archived');
      }
      return recorder.settled();
    },
    enumerable: false,
  }) as MemorySettings;
}
