import type { LanguageModelV3CallOptions, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';

type Prompt = LanguageModelV3CallOptions['prompt'];

/** One model reply: tool calls (name and arguments) or a final text. */
export type Reply = { tools: Array<[string, Record<string, unknown>]> } | { text: string } | { fail: Error };

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

function content(reply: Reply, call: number) {
  if ('fail' in reply) throw reply.fail;
  if ('text' in reply) return [{ type: 'text' as const, text: reply.text }];
  return reply.tools.map(([toolName, input], index) => ({
    type: 'tool-call' as const,
    toolCallId: `call-${call}-${index}`,
    toolName,
    input: JSON.stringify(input),
  }));
}

const finishReason = (reply: Reply) =>
  ({ unified: 'tools' in reply ? 'tool-calls' : 'stop', raw: undefined }) as const;

/** `chunks` as a stream that calls `onEnd` once it has been read to its end. */
function streamOf<T>(chunks: T[], onEnd: () => void): ReadableStream<T> {
  const stream = convertArrayToReadableStream(chunks);
  const reader = stream.getReader();
  return new ReadableStream<T>({
    async pull(controller) {
      const next = await reader.read();
      if (next.done) {
        onEnd();
        controller.close();
      } else controller.enqueue(next.value);
    },
  });
}

/**
 * The AI SDK's own mock model answering with `replies` in turn, for `generateText` and
 * `streamText` alike; `prompts` keeps what each call was sent, and `streamsRead()` resolves once
 * the streams of the first `count` stream calls have been read to their end.
 */
export function scriptedModel(replies: Reply[]): {
  model: MockLanguageModelV3;
  prompts: Prompt[];
  streamsRead: (count: number) => Promise<void>;
} {
  const prompts: Prompt[] = [];
  let read = 0;
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const streamRead = () => {
    read += 1;
    for (const wait of waiting) if (wait.count <= read) wait.resolve();
  };
  const streamsRead = (count: number) =>
    new Promise<void>((resolve) => {
      if (count <= read) resolve();
      else waiting.push({ count, resolve });
    });
  const next = (options: LanguageModelV3CallOptions) => {
    // As a provider's request would: an aborted call fails before it is sent.
    options.abortSignal?.throwIfAborted();
    prompts.push(options.prompt);
    const reply = replies[prompts.length - 1] ?? { text: 'done' };
    return { reply, parts: content(reply, prompts.length) };
  };
  const model = new MockLanguageModelV3({
    doGenerate: async (options) => {
      const { reply, parts } = next(options);
      return { content: parts, finishReason: finishReason(reply), usage, warnings: [] };
    },
    doStream: async (options) => {
      const { reply, parts } = next(options);
      const chunks: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
      for (const part of parts) {
        if (part.type === 'tool-call') chunks.push(part);
        else
          chunks.push(
            { type: 'text-start', id: 't' },
            { type: 'text-delta', id: 't', delta: part.text },
            { type: 'text-end', id: 't' },
          );
      }
      chunks.push({ type: 'finish', finishReason: finishReason(reply), usage });
      return { stream: streamOf(chunks, streamRead) };
    },
  });
  return { model, prompts, streamsRead };
}

/** The system messages of one prompt, as text. */
export const systemTexts = (prompt: Prompt): string[] =>
  prompt.flatMap((message) => (message.role === 'system' ? [message.content] : []));

/** The memory message of one prompt, as text (a user message, fenced as reference data); `null` for none. */
export const memoryText = (prompt: Prompt): string | null => {
  for (const message of prompt) {
    if (message.role !== 'user') continue;
    for (const part of message.content)
      if (part.type === 'text' && part.text.startsWith('Reference data from Episodic memory'))
        return part.text;
  }
  return null;
};
