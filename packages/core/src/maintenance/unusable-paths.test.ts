import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { restoreDatabase } from './restore-database.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
beforeEach(async () => {
  store = await openTempMemory();
});
afterEach(() => store.close());

describe('a backup or restore path whose folder cannot be made', () => {
  it('is refused as an EpisodicError naming the path, before anything is written', async () => {
    // A file where the path needs a folder: the backup folder name given to a file by mistake.
    const file = join(store.dir, 'backups');
    writeFileSync(file, 'not a folder');
    const before = readdirSync(store.dir).sort();
    await expect(store.memory.admin.backup(join(file, 'b.db'))).rejects.toMatchObject({
      name: 'EpisodicError',
      code: 'VALIDATION',
      message: `Cannot create the folder of ${join(file, 'b.db')}: ${file} is a file.`,
    });
    await expect(
      restoreDatabase({ path: join(file, 'memory.db'), from: join(store.dir, 'memory.db') }),
    ).rejects.toMatchObject({ name: 'EpisodicError', code: 'VALIDATION' });
    expect(readdirSync(store.dir).sort()).toEqual(before);
  });
});
