/** The settings that configure one of the built-in embedding providers, not the choice of it. */
export const providerKeys = [
  'embeddingsUrl',
  'embeddingsApiKeyEnv',
  'embeddingsModel',
  'embeddingsDimensions',
] as const;

export type ProviderKey = (typeof providerKeys)[number];

/**
 * Why `key` does not apply to the provider `embeddings` (a built-in's name, or a plugin), or
 * `null` when it does. The schema refuses such a key given beside the provider; `loadConfig`
 * drops one that a lower layer gave for the provider a higher layer replaced.
 */
export function providerKeyMisfit(key: ProviderKey, embeddings: unknown): string | null {
  switch (key) {
    case 'embeddingsUrl':
    case 'embeddingsApiKeyEnv':
      return embeddings === 'openai' ? null : 'applies only with embeddings "openai"';
    case 'embeddingsModel':
      return embeddings === 'openai' || embeddings === 'static'
        ? null
        : 'applies only with embeddings "openai" or "static"';
    case 'embeddingsDimensions':
      if (typeof embeddings !== 'string')
        return 'applies only to the built-in providers; a plugin takes its own options';
      return embeddings === 'static' ? 'a static model has its own dimensions' : null;
  }
}
