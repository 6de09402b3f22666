import { closeSync, mkdirSync, openSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesHolding } from './folder-bytes.js';
import { tempDir } from './temp-store.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** A file as long as an LMDB map, mostly a hole, with `text` written at each offset. */
function sparseFile(path: string, writes: [offset: number, text: string][]): void {
  const fd = openSync(path, 'w');
  for (const [offset, text] of writes) writeSync(fd, Buffer.from(text, 'latin1'), 0, text.length, offset);
  closeSync(fd);
  truncateSync(path, 256 << 20);
}

// The privacy and encryption tests pass when this scan finds nothing: it must miss nothing.
describe('filesHolding', () => {
  it('finds text across a chunk boundary, after a hole, in a nested folder, and in any case when asked', () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    mkdirSync(join(dir.path, 'cache', 'env'), { recursive: true });
    const chunk = 1 << 22;
    sparseFile(join(dir.path, 'cache', 'env', 'data.mdb'), [
      [chunk - 5, 'PELICAN7741'],
      [50 * chunk + 3, 'otter2210'],
    ]);
    sparseFile(join(dir.path, 'memory.db-wal'), [[7 * chunk - 2, 'HERON\u0000\u00005521']]);
    const started = performance.now();
    expect(filesHolding(dir.path, 'PELICAN7741')).toEqual([join(dir.path, 'cache', 'env', 'data.mdb')]);
    expect(filesHolding(dir.path, 'OTTER2210')).toEqual([]);
    expect(filesHolding(dir.path, 'OTTER2210', { foldCase: true })).toHaveLength(1);
    expect(filesHolding(dir.path, 'HERON\u0000\u00005521')).toEqual([join(dir.path, 'memory.db-wal')]);
    expect(filesHolding(dir.path, 'BADGER6630', { foldCase: true })).toEqual([]);
    // What it is for: five scans of 512 MiB, mostly holes, in well under a test's time.
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
