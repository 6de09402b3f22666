import type { LanguageModelMiddleware } from 'ai';
import type { MemoryRun } from './memory-run.js';
import { watchedStream } from './watched-stream.js';

type Prompt = Parameters<NonNullable<LanguageModelMiddleware['transformParams']>>[0]['params']['prompt'];

/**
 * The memory as a user message just before the latest user message: the request it is about
 * comes right after it, and the caller's system messages stay as they are. A user message, not a
 * system one: its text was written by earlier runs and other writers of the domain, and must not
 * get the authority a provider gives the system prompt. With no user message, after the system ones.
 */
export function withReference(prompt: Prompt, text: string): Prompt {
  const latestUser = prompt.findLastIndex((message) => message.role === 'user');
  const at = latestUser !== -1 ? latestUser : prompt.findIndex((message) => message.role !== 'system');
  const index = at === -1 ? prompt.length : at;
  return [
    ...prompt.slice(0, index),
    { role: 'user' as const, content: [{ type: 'text' as const, text }] },
    ...prompt.slice(index),
  ];
}

/**
 * The language-model middleware of one run: it shows every model call the memory (calls are
 * stateless), fails the run when a call throws or its abort signal fires or its stream reports
 * an error, and tells the run's activity what its calls are doing.
 */
export function memoryMiddleware(run: MemoryRun): LanguageModelMiddleware {
  return {
    specificationVersion: 'v3',
    async transformParams({ params }) {
      run.recorder.retrying();
      // The run's signal, if `experimental_onStart` (ours) did not give it before.
      run.recorder.useSignal(params.abortSignal);
      run.recorder.failOnAbort(params.abortSignal);
      return run.reference === null
        ? params
        : { ...params, prompt: withReference(params.prompt, run.reference) };
    },
    async wrapGenerate({ doGenerate }) {
      run.activity.modelCallStarted();
      try {
        const result = await run.failOnError(doGenerate);
        for (const part of result.content)
          if (part.type === 'tool-call' && part.providerExecuted !== true)
            run.activity.toolCalled(part.toolCallId);
        return result;
      } finally {
        run.activity.modelCallEnded();
      }
    },
    async wrapStream({ doStream }) {
      run.activity.modelCallStarted();
      let result: Awaited<ReturnType<typeof doStream>>;
      try {
        result = await run.failOnError(doStream);
      } catch (error) {
        run.activity.modelCallEnded();
        throw error;
      }
      const stream = watchedStream(result.stream, {
        toolCall: (toolCallId) => run.activity.toolCalled(toolCallId),
        failed: () => void run.recorder.finish('failed'),
        ended: () => run.activity.modelCallEnded(),
      });
      return { ...result, stream };
    },
  };
}
