import { describe, expect, it } from 'vitest';
import { tempStoreFolder } from './__fixtures__/temp-store.js';
import { EpisodicError } from './errors.js';
import { openMemory } from './open-memory.js';

async function refusal(config: Record<string, unknown>): Promise<EpisodicError> {
  const folder = tempStoreFolder();
  try {
    const error = await openMemory({ url: folder.url, ...config }).then(
      async (memory) => {
        await memory.close();
        return null;
      },
      (caught: unknown) => caught,
    );
    expect(EpisodicError.isInstance(error), 'opened').toBe(true);
    return error as EpisodicError;
  } finally {
    folder.cleanup();
  }
}

describe('openMemory config', () => {
  it('refuses a setting it does not know, at every level, naming it, and opens nothing', async () => {
    // A misspelt `embeddings` opened a store without them; a misspelt limit left the default.
    for (const [config, path, name] of [
      [{ embedding: {} }, '(input)', 'embedding'],
      [{ minners: [] }, '(input)', 'minners'],
      [{ limits: { maxResultsChars: 10 } }, 'limits', 'maxResultsChars'],
      [{ learning: { lease: 5 } }, 'learning', 'lease'],
    ] as const) {
      const error = await refusal(config);
      expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path }] });
      expect(error.message).toContain(`Unrecognized key: "${name}"`);
    }
  });
});
