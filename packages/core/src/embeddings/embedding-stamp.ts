import type { EmbeddingProviderV1 } from '@episodic/plugin';

/**
 * What identifies a vector space: `provider/model/dimensions`. It is stored on every embedding
 * row (`model_name`) and on each embedded episode (`embedding_version`); two stamps that differ
 * mean vectors that must never be compared.
 */
export function embeddingStamp(
  provider: Pick<EmbeddingProviderV1, 'provider' | 'model' | 'dimensions'>,
): string {
  return `${provider.provider}/${provider.model}/${provider.dimensions}`;
}
