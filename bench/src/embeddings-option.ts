import type { EmbeddingProviderV1 } from '@episodic/plugin';
import { BenchError } from './bench-error.js';

export interface EmbeddingsOption {
  /** A package name (`@episodic/embeddings-static`) or a path to a module, as `import()` takes it. */
  module: string;
  /** Options for the package's factory, such as `{ model: '/path/to/potion-base-8M' }`. */
  options: Record<string, unknown>;
}

type Factory = (options: Record<string, unknown>) => EmbeddingProviderV1 | Promise<EmbeddingProviderV1>;

/** The module's default export, else its one `create…Embeddings` export. */
function findFactory(name: string, module: Record<string, unknown>): Factory {
  if (typeof module.default === 'function') return module.default as Factory;
  const factories = Object.entries(module).filter(
    ([key, value]) => /^create\w*Embeddings$/.test(key) && typeof value === 'function',
  );
  if (factories.length !== 1)
    throw new BenchError(
      'USAGE',
      `--embeddings ${name}: expected a default export or one create…Embeddings export, found ${factories.map(([key]) => key).join(', ') || 'none'}.`,
    );
  return factories[0]?.[1] as Factory;
}

/** The provider `--embeddings` names, built once and shared by every store a benchmark opens. */
export async function loadEmbeddings(option: EmbeddingsOption): Promise<EmbeddingProviderV1> {
  let module: Record<string, unknown>;
  try {
    module = (await import(option.module)) as Record<string, unknown>;
  } catch (error) {
    throw new BenchError(
      'USAGE',
      `--embeddings ${option.module}: cannot import it (${(error as Error).message}).`,
      {
        cause: error,
      },
    );
  }
  return await findFactory(option.module, module)(option.options);
}
