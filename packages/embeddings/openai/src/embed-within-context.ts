import { batchBySize, embedBatched } from '@episodic/plugin';
import { cutToTokenEstimate, cutToUtf8Bytes, estimateTokens } from './input-cut.js';
import { OpenAIEmbeddingsError } from './openai-embeddings-error.js';
import type { ResolvedOpenAIEmbeddingsOptions } from './openai-embeddings-options.js';
import { postEmbeddings } from './post-embeddings.js';

/**
 * The server's refusal of an input past the model's context, stating the context: OpenAI's
 * "Invalid 'input[3]': maximum input length is 8192 tokens." (older and single-input answers:
 * "maximum context length is 8192 tokens"), which vLLM words alike or, newer, "max context 8192
 * tokens, the prompt had at least 8193"; and llama.cpp's "input (600 tokens) is too large to
 * process. increase the physical batch size (current batch size: 512)", whose batch bounds an input.
 */
const contextRefusal =
  /max(?:imum)? (?:(?:input|context) length is|context) (\d+) tokens|too large to process.*\(current batch size: (\d+)\)/is;

/** OpenAI's refusal of inputs past its tokens per request in all: "Requested 341234 tokens, max 300000 tokens per request". */
const requestRefusal = /max \d+ tokens per request/i;

/** What `pattern` finds in `error`'s message, when `error` is the server refusing the request. */
function refusal(error: unknown, pattern: RegExp): RegExpExecArray | null {
  if (!OpenAIEmbeddingsError.isInstance(error) || error.code !== 'BAD_REQUEST') return null;
  return pattern.exec(error.message);
}

/**
 * Embeds `texts`, each cut to `maxInputChars` and to an estimate of `maxInputTokens`, in requests
 * within `maxBatchSize`, `maxBatchChars` and an estimate of `maxBatchTokens`. Should the server
 * still refuse a request as too many tokens in all (dense ASCII the estimate underrates), it is
 * halved until accepted. Should it refuse one because an input is past the model's context, it is
 * halved until each refused input stands alone, and that input is sent again cut to as many UTF-8
 * bytes as the context has tokens, which byte-level BPE cannot exceed. Only refused inputs are
 * cut further; the others keep their length, and no batch is lost to long inputs.
 */
export function embedWithinContext(
  texts: readonly string[],
  options: ResolvedOpenAIEmbeddingsOptions,
  signal: AbortSignal | undefined,
): Promise<Float32Array[]> {
  const embed = (inputs: readonly string[]): Promise<Float32Array[]> =>
    embedBatched(
      inputs.map((text) => cutToTokenEstimate(text, options.maxInputTokens)),
      { ...options, signal },
      async (batch) => {
        const requests = batchBySize(batch, {
          maxItems: batch.length,
          maxSize: options.maxBatchTokens,
          sizeOf: estimateTokens,
        });
        const vectors: Float32Array[] = [];
        for (const request of requests) vectors.push(...(await send(request)));
        return vectors;
      },
    );
  const halve = async (batch: readonly string[]): Promise<Float32Array[]> => {
    const half = Math.ceil(batch.length / 2);
    return [...(await embed(batch.slice(0, half))), ...(await embed(batch.slice(half)))];
  };
  const send = async (batch: string[]): Promise<Float32Array[]> => {
    try {
      return await postEmbeddings(batch, options, signal);
    } catch (error) {
      if (batch.length > 1 && refusal(error, requestRefusal) !== null) return halve(batch);
      const context = refusal(error, contextRefusal);
      if (context === null) throw error;
      const maxBytes = Math.min(Number(context[1] ?? context[2]), options.maxInputTokens);
      // Every input within the bound already: this server counts otherwise, and cutting cannot help.
      if (batch.every((text) => Buffer.byteLength(text) <= maxBytes)) throw error;
      if (batch.length === 1) return embed([cutToUtf8Bytes(batch[0] as string, maxBytes)]);
      return halve(batch);
    }
  };
  return embed(texts);
}
