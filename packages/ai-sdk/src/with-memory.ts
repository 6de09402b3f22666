import { type LanguageModel, type LanguageModelMiddleware, type ModelMessage, wrapLanguageModel } from 'ai';
import { clientMemory, type EpisodicClientLike } from './client-memory.js';
import type { EpisodicMemory } from './memory-port.js';
import { memoryPrompt } from './memory-prompt.js';
import { retryWaitMs } from './retry-wait.js';
import { RunRecorder, withinTime } from './run-recorder.js';
import { storableText } from './storable-text.js';
import { type ToolOutcomePart, toolSteps } from './tool-steps.js';

interface MemoryOptions {
  /** An embedded store (`openMemory()` from `@episodic/core`) or a server (`createRemoteMemory()` from `@episodic/sdk`). */
  memory: EpisodicMemory;
  client?: never;
}
interface ClientOptions {
  /** A server through the full client, `createEpisodicClient()` from `@episodic/sdk`. */
  client: EpisodicClientLike;
  memory?: never;
}

export type WithMemoryOptions = (MemoryOptions | ClientOptions) & RunOptions;

interface RunOptions {
  /** The domain the episode is recorded in and past experience is looked up in. */
  domain: string;
  /** The episode's task type (`debugging`, `code_generation`, … or one the store was opened with). */
  taskType: string;
  /** Most tokens of past experience put in front of the model (about 4 characters a token). Default 800. */
  maxMemoryTokens?: number;
  /** How many past episodes to look up. Default 5. */
  episodes?: number;
  /** How many patterns to look up. Default 5. */
  patterns?: number;
  /** Longest tool result stored per step, in characters. Default 4000. */
  maxResultChars?: number;
  /**
   * Longest the run waits for the memory at any point, in milliseconds: a store that does not
   * answer by then is left behind, as an unreachable one is. Default 10 000.
   */
  memoryTimeoutMs?: number;
  /**
   * Where a failure of the memory itself goes (store unreachable, a write refused). The model
   * run goes on without memory either way. Default: a warning on the console.
   */
  onMemoryError?: (error: unknown) => void;
}

/** The task as stored (the engine's own limit is larger) and as searched (a query needs no more). */
const maxContextChars = 16_000;
const maxQueryChars = 4000;

/**
 * Settings to spread into `generateText`, `streamText` or `new ToolLoopAgent(...)`. Each run of
 * the model becomes one episode: started, with past experience looked up, at its first step;
 * each finished tool call logged as a step; completed on finish, failed on an error or abort.
 */
export interface MemorySettings {
  prepareStep: (options: {
    stepNumber: number;
    messages: ModelMessage[];
    model: LanguageModel;
  }) => Promise<{ model: LanguageModel } | undefined>;
  experimental_onToolCallFinish: (event: { toolCall: { toolCallId: string }; durationMs: number }) => void;
  onStepFinish: (step: { readonly content: readonly unknown[] }) => Promise<void>;
  onFinish: () => Promise<void>;
  onError: (event: { error: unknown }) => Promise<void>;
  onAbort: () => Promise<void>;
  /**
   * The last run's episode once everything about it is written (not spread into the SDK's
   * settings): `null` when no run started, or its episode could not be started or the store
   * could not be reached. A model failure still awaiting the SDK's retry is final once asked.
   */
  readonly episode: () => Promise<{ id: string } | null>;
}

function messageText(message: ModelMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

/** The task as the user put it: the text of the user messages the run started with. */
function taskText(messages: ModelMessage[]): string {
  return messages
    .filter((message) => message.role === 'user')
    .map(messageText)
    .join('\n')
    .trim();
}

/** Adds the memory after the caller's own system messages, so their instructions come first. */
function withSystemText(
  prompt: Parameters<NonNullable<LanguageModelMiddleware['transformParams']>>[0]['params']['prompt'],
  text: string,
) {
  const firstOther = prompt.findIndex((message) => message.role !== 'system');
  const at = firstOther === -1 ? prompt.length : firstOther;
  return [...prompt.slice(0, at), { role: 'system' as const, content: text }, ...prompt.slice(at)];
}

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
  const report =
    options.onMemoryError ??
    ((error: unknown) =>
      console.warn(`[episodic] memory unavailable: ${(error as Error)?.message ?? error}`));
  const timeoutMs = options.memoryTimeoutMs ?? 10_000;
  let run = new RunRecorder(memory, report, timeoutMs);
  let guidance: string | null = null;
  const durations = new Map<string, number>();

  /** Failed tries of the current model call: the AI SDK waits longer before each retry. */
  let failedTries = 0;

  /**
   * A model call that throws (an API error, an abort) fails the run's episode, then throws on;
   * unless the AI SDK retries that error (this runs inside its retry loop), when the run fails
   * only if no retry comes.
   */
  async function failOnError<T>(call: () => PromiseLike<T>): Promise<T> {
    const current = run;
    try {
      const result = await call();
      failedTries = 0;
      return result;
    } catch (error) {
      failedTries += 1;
      const waitMs = retryWaitMs(error, failedTries);
      if (waitMs === null) await current.finish('failed');
      else current.failUnlessRetried(waitMs);
      throw error;
    }
  }

  const middleware: LanguageModelMiddleware = {
    specificationVersion: 'v3',
    async transformParams({ params }) {
      const current = run;
      current.retrying();
      current.failOnAbort(params.abortSignal);
      return guidance === null ? params : { ...params, prompt: withSystemText(params.prompt, guidance) };
    },
    wrapGenerate: ({ doGenerate }) => failOnError(doGenerate),
    wrapStream: ({ doStream }) => failOnError(doStream),
  };

  async function begin(messages: ModelMessage[]): Promise<void> {
    // A new run of these settings: the last one's model failure awaiting a retry is final.
    void run.settled();
    run = new RunRecorder(memory, report, timeoutMs);
    failedTries = 0;
    durations.clear();
    guidance = null;
    const task = taskText(messages);
    const limit = options.episodes ?? 5;
    const [, recall] = await Promise.all([
      run.start({
        taskType: options.taskType,
        domain: options.domain,
        context: task === '' ? undefined : storableText(task, maxContextChars),
      }),
      task === ''
        ? null
        : withinTime(
            memory.search.retrieve({
              text: task.slice(0, maxQueryChars),
              domain: options.domain,
              taskType: options.taskType,
              // One more: the run's own episode, started meanwhile, may take a place.
              limit: limit + 1,
              patterns: options.patterns ?? 5,
            }),
            timeoutMs,
          ).catch((error: unknown) => {
            report(error);
            return null;
          }),
    ]);
    // Started in parallel, the run's own episode may already be found: it is not past experience.
    const past =
      recall === null
        ? null
        : {
            ...recall,
            episodes: recall.episodes.filter(({ episode }) => episode.id !== run.episodeId).slice(0, limit),
          };
    guidance = past === null ? null : memoryPrompt(past, maxMemoryTokens);
  }

  const settings: Omit<MemorySettings, 'episode'> = {
    async prepareStep({ stepNumber, messages, model }) {
      if (stepNumber === 0) await begin(messages);
      // A model named by a gateway id string is left as it is: it gets no memory in its prompt.
      return typeof model === 'string' ? undefined : { model: wrap(model) };
    },
    experimental_onToolCallFinish({ toolCall, durationMs }) {
      durations.set(toolCall.toolCallId, durationMs);
    },
    async onStepFinish(step) {
      const steps = toolSteps(step.content as readonly ToolOutcomePart[], durations, limits);
      if (steps.length > 0) await run.log(steps);
    },
    onFinish: () => run.finish('completed'),
    onError: () => run.finish('failed'),
    onAbort: () => run.finish('failed'),
  };
  function wrap(model: Exclude<LanguageModel, string>) {
    return model.specificationVersion === 'v3' ? wrapLanguageModel({ model, middleware }) : model;
  }
  // Not enumerable: spreading the settings into the SDK's call leaves it out.
  return Object.defineProperty(settings, 'episode', {
    value: () => run.settled(),
    enumerable: false,
  }) as MemorySettings;
}
