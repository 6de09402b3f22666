import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/temp-store.js';
import { rekeyDatabase } from '../maintenance/rekey-database.js';
import { openMemory } from '../open-memory.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** Fifteen characters: one short of the minimum. */
const shortKey = 'fifteen chars!!';
const longKey = 'sixteen chars!!!';

function folder() {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const path = join(dir.path, 'data', 'memory.db');
  return { dir: dir.path, path, url: `file:${path}` };
}

/** A store an earlier version created under a short key: libSQL itself never asked for a length. */
async function storeUnderShortKey(path: string, key: string) {
  mkdirSync(join(path, '..'), { recursive: true });
  const raw = createClient({ url: `file:${path}`, encryptionKey: key });
  await raw.execute('CREATE TABLE made_by_hand (x)');
  await raw.execute('DROP TABLE made_by_hand');
  raw.close();
  const memory = await openMemory({ url: `file:${path}`, encryptionKey: key, cache: false });
  const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'old', context: 'kept' });
  await memory.close();
  return episode.id;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('a new encryption key', () => {
  it.each([
    ['15 characters', shortKey],
    // 16 UTF-16 units, but 8 characters: counted as a person counts them.
    ['8 emoji', '🔑'.repeat(8)],
  ])(
    'of %s does not create a store: refused before anything is written, naming the field and the minimum',
    async (_name, key) => {
      const { dir, path, url } = folder();
      const error = await openMemory({ url, encryptionKey: key }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        code: 'VALIDATION',
        issues: [{ path: 'encryptionKey', message: expect.stringMatching(/^is shorter than 16 characters/) }],
        message: expect.stringMatching(
          /^encryptionKey is shorter than 16 characters: a new encryption key needs at least 16 .*A store that exists keeps opening with its own key/,
        ),
      });
      expect((error as Error).message).not.toContain(key);
      expect(existsSync(path)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it('of 16 characters creates the store; an empty file counts as no store yet', async () => {
    const { path, url } = folder();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '');
    await expect(openMemory({ url, encryptionKey: shortKey, cache: false })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    const memory = await openMemory({ url, encryptionKey: longKey, cache: false });
    await memory.close();
    await expect(openMemory({ url, cache: false })).rejects.toMatchObject({ code: 'STORAGE' });
  });

  it('is not asked of a store that exists: one made under a short key keeps opening, and rekey refuses a short new key before changing anything', async () => {
    const { dir, path, url } = folder();
    const id = await storeUnderShortKey(path, 'short');
    await expect(openMemory({ url, cache: false })).rejects.toMatchObject({ code: 'STORAGE' });
    const opened = await openMemory({ url, encryptionKey: 'short', cache: false });
    expect((await opened.episodes.get(id))?.context).toBe('kept');
    await opened.close();
    const before = sha256(path);
    const files = readdirSync(join(dir, 'data')).sort();

    await expect(
      rekeyDatabase({ path, encryptionKey: 'short', newEncryptionKey: shortKey }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'newEncryptionKey' }],
      message: expect.stringMatching(
        /^newEncryptionKey is shorter than 16 characters.*Nothing was changed\.$/,
      ),
    });
    expect([sha256(path), readdirSync(join(dir, 'data')).sort()]).toEqual([before, files]);

    await rekeyDatabase({ path, encryptionKey: 'short', newEncryptionKey: longKey });
    const memory = await openMemory({ url, encryptionKey: longKey, cache: false });
    expect((await memory.episodes.get(id))?.context).toBe('kept');
    await memory.close();
  });
});
