import { z } from 'zod';

/** Vector lengths of Cohere's embed models, so `dimensions` can be left out for them. */
export const cohereModelDimensions: Readonly<Record<string, number>> = {
  'embed-v4.0': 1536,
  'embed-english-v3.0': 1024,
  'embed-multilingual-v3.0': 1024,
  'embed-english-light-v3.0': 384,
  'embed-multilingual-light-v3.0': 384,
};

/** The options of `createCohereEmbeddings`. */
export const cohereEmbeddingsOptionsSchema = z
  .strictObject({
    /** Requests go to `{baseURL}/v2/embed`. */
    baseURL: z.url({ protocol: /^https?$/ }).default('https://api.cohere.com'),
    model: z.string().min(1).max(200).default('embed-v4.0'),
    /**
     * Vector length. Required for a model not in `cohereModelDimensions`; for `embed-v4.0` it is
     * sent as `output_dimension` (256, 512, 1024 or 1536).
     */
    dimensions: z.number().int().min(1).max(65_536).optional(),
    /**
     * Cohere's `input_type`. `EmbeddingProviderV1` embeds stored episodes and queries alike, so one
     * type serves both; `search_document` suits what is stored.
     */
    inputType: z
      .enum(['search_document', 'search_query', 'classification', 'clustering'])
      .default('search_document'),
    /** The environment variable holding the API key (the Cohere SDK's own name by default). */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .default('CO_API_KEY'),
    /** Texts per request: Cohere accepts at most 96. */
    maxBatchSize: z.number().int().min(1).max(96).default(96),
    /** Characters per request, over all its texts: keeps a request's tokens bounded. */
    maxBatchChars: z.number().int().min(1).default(200_000),
    /** Longer texts are cut before sending (Cohere would truncate them anyway, after the upload). */
    maxInputChars: z.number().int().min(1).default(8_000),
    timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
    maxRetries: z.number().int().min(0).max(10).default(3),
    /** More headers on every request (`X-Client-Name`, a proxy's key). */
    headers: z.record(z.string(), z.string()).optional(),
    /** The `fetch` to use (a proxy agent, a test double); the global `fetch` by default. */
    fetch: z
      .custom<typeof globalThis.fetch>((value) => typeof value === 'function', 'must be a fetch function')
      .optional(),
  })
  .transform((options, ctx) => {
    const dimensions = options.dimensions ?? cohereModelDimensions[options.model];
    if (dimensions === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['dimensions'],
        message: `is required for model "${options.model}"`,
      });
      return z.NEVER;
    }
    return { ...options, dimensions, baseURL: options.baseURL.replace(/\/+$/, '') };
  });

export type CohereEmbeddingsOptions = z.input<typeof cohereEmbeddingsOptionsSchema>;
export type ResolvedCohereEmbeddingsOptions = z.output<typeof cohereEmbeddingsOptionsSchema>;
