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

/**
 * The AI SDK's own mock model answering with `replies` in turn, for `generateText` and
 * `streamText` alike; `prompts` keeps what each call was sent.
 */
export function scriptedModel(replies: Reply[]): { model: MockLanguageModelV3; prompts: Prompt[] } {
  const prompts: Prompt[] = [];
  const next = (options: LanguageModelV3CallOptions) => {
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
      return { stream: convertArrayToReadableStream(chunks) };
    },
  });
  return { model, prompts };
}

/** The system messages of one prompt, as text. */
export const systemTexts = (prompt: Prompt): string[] =>
  prompt.flatMap((message) => (message.role === 'system' ? [message.content] : []));
