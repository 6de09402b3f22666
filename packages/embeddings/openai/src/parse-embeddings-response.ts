import { readVector } from '@episodic/plugin';
import { OpenAIEmbeddingsError } from './openai-embeddings-error.js';

function malformed(detail: string): OpenAIEmbeddingsError {
  return new OpenAIEmbeddingsError(
    'BAD_RESPONSE',
    `The embeddings server answered with a malformed response: ${detail}.`,
  );
}

/**
 * Reads `{ data: [{ index, embedding }] }` into one vector per input, in input order (servers may
 * list them in any order; `index` says which input each belongs to).
 */
export function parseEmbeddingsResponse(body: unknown, count: number, dimensions: number): Float32Array[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw malformed('no `data` array');
  if (data.length !== count) throw malformed(`${data.length} embeddings for ${count} inputs`);
  const vectors: (Float32Array | undefined)[] = new Array(count);
  for (const item of data as unknown[]) {
    const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
    if (
      typeof index !== 'number' ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= count ||
      vectors[index] !== undefined
    ) {
      throw malformed(`an embedding has index ${JSON.stringify(index)}`);
    }
    vectors[index] = readVector(embedding, dimensions, `embedding ${index}`, 'openai embeddings');
  }
  return vectors as Float32Array[];
}
