import { isAbsolute, join, resolve } from 'node:path';
import { createLocalEmbeddings } from '@episodic/embeddings-local';
import { createOpenAIEmbeddings } from '@episodic/embeddings-openai';
import { createStaticEmbeddings } from '@episodic/embeddings-static';
import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { resolveLocations, type ServerConfig } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';

/**
 * Where a static model lives: a path (absolute, or starting with `.`) as given, otherwise a hub
 * name pulled by `episodic models pull` into `<dataDir>/models/NAME`.
 */
export function modelFolder(model: string, dataDir: string): string {
  return isAbsolute(model) || model.startsWith('.') ? resolve(model) : join(dataDir, 'models', model);
}

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
      case 'static':
        return createStaticEmbeddings({
          model: modelFolder(config.embeddingsModel ?? '', resolveLocations(config).dataDir),
        });
    }
  } catch (error) {
    throw new ServerError('CONFIG', `Invalid embedding settings: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
