import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesHolding } from './__fixtures__/folder-bytes.js';
import { tempDir } from './__fixtures__/temp-store.js';
import { EpisodicError } from './errors.js';
import { openMemory } from './open-memory.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function dataDir() {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  return join(dir.path, 'data');
}

async function writeSecrets(url: string, encryptionKey?: string) {
  const memory = await openMemory({ url, ...(encryptionKey ? { encryptionKey } : {}) });
  const episode = await memory.episodes.start({
    taskType: 'debugging',
    domain: 'vault',
    context: 'ZEBRA-CONTEXT-7731',
  });
  await memory.episodes.logStep(episode.id, { action: 'call_api', result: 'QUOKKA-RESULT-9924' });
  await memory.episodes.complete(episode.id, { status: 'completed' });
  // checked while open too, so the WAL (not yet checkpointed) is part of what is read
  return { memory, id: episode.id };
}

describe('files at rest', () => {
  it('creates the data folder 0700 and the database files 0600', async () => {
    const dir = dataDir();
    const { memory } = await writeSecrets(`file:${join(dir, 'memory.db')}`);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ['memory.db', 'memory.db-wal', 'memory.db-shm']) {
      expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
    }
    await memory.close();
  });

  it('keeps no plaintext in the database or its WAL when encrypted', async () => {
    const dir = dataDir();
    const url = `file:${join(dir, 'memory.db')}`;
    const { memory, id } = await writeSecrets(url, 'correct horse battery staple');
    expect(readdirSync(dir)).toContain('memory.db-wal');
    expect(filesHolding(dir, 'ZEBRA-CONTEXT-7731')).toEqual([]);
    expect(filesHolding(dir, 'QUOKKA-RESULT-9924')).toEqual([]);
    await memory.close();
    expect(filesHolding(dir, 'ZEBRA-CONTEXT-7731')).toEqual([]);
    expect(filesHolding(dir, 'QUOKKA-RESULT-9924')).toEqual([]);

    const reopened = await openMemory({ url, encryptionKey: 'correct horse battery staple' });
    expect((await reopened.episodes.get(id))?.steps[0]?.result).toBe('QUOKKA-RESULT-9924');
    expect(await reopened.search.text({ text: 'QUOKKA' })).toHaveLength(1);
    await reopened.close();
  });

  it('the same test sees the plaintext when the store is not encrypted (so it can fail)', async () => {
    const dir = dataDir();
    const { memory } = await writeSecrets(`file:${join(dir, 'memory.db')}`);
    expect(filesHolding(dir, 'QUOKKA-RESULT-9924')).not.toEqual([]);
    await memory.close();
  });

  it.each([
    ['no key', undefined],
    ['the wrong key', 'not the key'],
  ])('refuses to open an encrypted store with %s, clearly', async (_name, key) => {
    const dir = dataDir();
    const url = `file:${join(dir, 'memory.db')}`;
    await (await writeSecrets(url, 'the right key, 16 chars')).memory.close();
    const error = await openMemory({ url, ...(key ? { encryptionKey: key } : {}) }).catch(
      (caught: unknown) => caught,
    );
    expect(EpisodicError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'STORAGE',
      message: expect.stringMatching(/encryption key.*episodic restore/s),
    });
  });
});
