import { createLocalEmbeddings } from '@episodic/embeddings-local';
import { createOpenAIEmbeddings } from '@episodic/embeddings-openai';
import type { EmbeddingProviderV1 } from '@episodic/plugin';
import type { ServerConfig } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';

/** The embedding provider the settings name or hold (a plugin), or `undefined` for `none`. */
export function createEmbeddingProvider(config: ServerConfig): EmbeddingProviderV1 | undefined {
  if (typeof config.embeddings !== 'string') return config.embeddings;
  try {
    switch (config.embeddings) {
      case 'none':
        return undefined;
      case 'local':
        return createLocalEmbeddings({ dimensions: config.embeddingsDimensions });
      case 'openai':
        // The API key stays in the environment: the provider reads it per request, by name.
        return createOpenAIEmbeddings({
          baseURL: config.embeddingsUrl,
          model: config.embeddingsModel,
          dimensions: config.embeddingsDimensions,
          apiKeyEnv: config.embeddingsApiKeyEnv,
        });
    }
  } catch (error) {
    throw new ServerError('CONFIG', `Invalid embedding settings: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
