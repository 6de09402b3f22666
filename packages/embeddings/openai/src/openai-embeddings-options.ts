import { z } from 'zod';

/** Vector lengths of OpenAI's own models, so that `dimensions` can be left out for them. */
export const knownModelDimensions: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

export const openAIEmbeddingsOptionsSchema = z
  .strictObject({
    /** Where the API lives; requests go to `{baseURL}/embeddings`. Ollama: `http://127.0.0.1:11434/v1`. */
    baseURL: z.url({ protocol: /^https?$/ }).default('https://api.openai.com/v1'),
    model: z.string().min(1).max(256).default('text-embedding-3-small'),
    /**
     * Length of the vectors. Required for models not in `knownModelDimensions`. For OpenAI's
     * `text-embedding-3-*` models it is also sent, and the server shortens the vectors to it.
     */
    dimensions: z.number().int().min(1).max(65_536).optional(),
    /** Whether to send `dimensions` in the request; by default only to `text-embedding-3-*` models. */
    sendDimensions: z.boolean().optional(),
    /** The environment variable holding the API key; without it, requests carry no `Authorization`. */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .default('OPENAI_API_KEY'),
    /** Texts per request (OpenAI accepts up to 2,048). */
    maxBatchSize: z.number().int().min(1).max(2048).default(256),
    /** Characters per request, summed over its texts, for a server that limits those. Unlimited by default. */
    maxBatchChars: z.number().int().min(1).optional(),
    /**
     * Tokens per request, summed over its texts (OpenAI refuses more than 300,000), by the estimate
     * texts are cut to `maxInputTokens` with; a request the server still refuses as too many
     * tokens is halved until it is accepted.
     */
    maxBatchTokens: z.number().int().min(1).default(300_000),
    /** Longer texts are cut to this many characters (and to `maxInputTokens`, below). */
    maxInputChars: z.number().int().min(1).default(16_000),
    /**
     * The model's context per input, in tokens (8,191 for OpenAI's embedding models). Texts are
     * cut to an estimate of it; one the server still refuses as too long is sent again cut to this
     * many UTF-8 bytes (or the server's stated context, if smaller), which byte-level BPE cannot exceed.
     */
    maxInputTokens: z.number().int().min(1).default(8191),
    /** Per request, from sending it to the last byte of the answer. */
    timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
    /** Further attempts after a 429, a 5xx, a timeout or a network failure. */
    maxRetries: z.number().int().min(0).max(10).default(3),
    /** First backoff delay; each retry doubles it, with jitter, up to `maxRetryDelayMs`. */
    retryBaseMs: z.number().int().min(0).default(500),
    /** Longest wait before a retry, also when the server's `Retry-After` asks for longer. */
    maxRetryDelayMs: z.number().int().min(0).default(60_000),
    /** More headers on every request (an organisation, a proxy's own key). `authorization` is set from `apiKeyEnv`. */
    headers: z.record(z.string(), z.string()).optional(),
    /** The `fetch` to use (a proxy agent, a test double); the global `fetch` by default. */
    fetch: z
      .custom<typeof globalThis.fetch>((value) => typeof value === 'function', 'must be a fetch function')
      .optional(),
    /** Set it when the server is known to return the same vector for the same text. */
    deterministic: z.boolean().default(false),
  })
  .transform((options, ctx) => {
    const dimensions = options.dimensions ?? knownModelDimensions[options.model];
    if (dimensions === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['dimensions'],
        message: `is required for model "${options.model}" (its vector length is not known in advance)`,
      });
      return z.NEVER;
    }
    const sendDimensions =
      options.sendDimensions ??
      (options.dimensions !== undefined && options.model.startsWith('text-embedding-3'));
    return { ...options, dimensions, sendDimensions, baseURL: options.baseURL.replace(/\/+$/, '') };
  });

export type OpenAIEmbeddingsOptions = z.input<typeof openAIEmbeddingsOptionsSchema>;
export type ResolvedOpenAIEmbeddingsOptions = z.output<typeof openAIEmbeddingsOptionsSchema>;
