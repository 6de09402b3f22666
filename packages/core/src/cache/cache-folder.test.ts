import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchFolders } from './__fixtures__/scratch-folders.js';
import { removeOtherKeys } from './cache-folder.js';

const { root, folderHolding } = scratchFolders();

describe('a cache folder of another key, removed', () => {
  it('is reported once: emptied and waiting for deletion, the next open leaves it be', () => {
    const cacheRoot = root();
    const identity = 'file:/data/memory.db';
    const database = createHash('sha256').update(identity).digest('hex').slice(0, 12);
    folderHolding(join(cacheRoot, `lmdb-v1-b0a1b2c3d-d${database}-kother`), 'plaintext');
    const keying = { lmdbKey: undefined, fingerprint: 'unencrypted', tag: 'plain' };
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    removeOtherKeys(cacheRoot, identity, keying, logger);
    const [removed, ...others] = readdirSync(cacheRoot);
    expect(others).toEqual([]);
    expect(removed).toMatch(/-kother\.old-[0-9a-f]+$/u);
    expect(readdirSync(join(cacheRoot, removed as string))).toEqual([]);
    // Renamed again and reported again, on every open within the minute it waits.
    removeOtherKeys(cacheRoot, identity, keying, logger);
    expect(warnings).toHaveLength(1);
    expect(readdirSync(cacheRoot)).toEqual([removed]);
  });
});
