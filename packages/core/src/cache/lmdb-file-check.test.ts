import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/temp-store.js';
import { lmdbDataFileProblem } from './lmdb-file-check.js';

const dir = tempDir('episodic-lmdb-check-');
const envPath = join(dir.path, 'env');
let valid: Buffer;

beforeAll(async () => {
  const db = open<Buffer, string>(envPath, { encoding: 'binary', noSync: true });
  db.transactionSync(() => {
    for (let i = 0; i < 500; i += 1) db.putSync(`key-${i}`, Buffer.alloc(300, i));
  });
  await db.close();
  valid = readFileSync(join(envPath, 'data.mdb'));
});
afterAll(() => dir.cleanup());

function problemWith(bytes: Buffer): string | null {
  const path = join(dir.path, 'candidate.mdb');
  writeFileSync(path, bytes);
  return lmdbDataFileProblem(path);
}

describe('LMDB data file check (before LMDB may touch the file)', () => {
  it('accepts a real environment, an empty file and a missing one', () => {
    expect(lmdbDataFileProblem(join(envPath, 'data.mdb'))).toBeNull();
    expect(problemWith(Buffer.alloc(0))).toBeNull();
    expect(lmdbDataFileProblem(join(dir.path, 'absent', 'data.mdb'))).toBeNull();
  });

  it('refuses files LMDB could crash on', () => {
    expect(problemWith(Buffer.alloc(64 * 1024, 'garbage '))).toBe('not an LMDB data file');
    expect(problemWith(Buffer.alloc(64 * 1024))).toBe('not an LMDB data file');
    expect(problemWith(valid.subarray(0, 5000))).toBe('the file is shorter than its two meta pages');
    const wrongVersion = Buffer.from(valid);
    wrongVersion.writeUInt32LE(1, 28);
    expect(problemWith(wrongVersion)).toMatch(/data version 1/);
    const badRoot = Buffer.from(valid);
    badRoot.writeBigUInt64LE(10n ** 9n, 136);
    expect(problemWith(badRoot)).toMatch(/points outside the file/);
    const secondMetaLost = Buffer.from(valid);
    const pageSize = valid.readUInt32LE(48);
    secondMetaLost.fill(0, pageSize, pageSize + 64);
    expect(problemWith(secondMetaLost)).toMatch(/meta page 1/);
  });
});
