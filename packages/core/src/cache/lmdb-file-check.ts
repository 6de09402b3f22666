import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * LMDB trusts its data file: opening one that is not a valid environment can crash the whole
 * process (SIGSEGV) instead of throwing. So before the cache opens `data.mdb` we read its two
 * meta pages ourselves and refuse anything that does not look exactly like LMDB wrote it.
 *
 * Layout (lmdb-js's liblmdb, 64-bit): each meta page starts with a 24-byte page header (page
 * number, txn id, pad, flags, bounds), then `MDB_meta`: magic, version, address, map size, the
 * free and main `MDB_db` records (48 bytes each, the page size in the first one's `md_pad`),
 * last page, txn id.
 */
const metaMagic = 0xbeefc0de;
const dataVersion = 2;
const metaPageFlag = 0x08;
const metaBytes = 168;
const noPage = 0xffffffffffffffffn;

const offsets = {
  pageNumber: 0,
  pageFlags: 18,
  magic: 24,
  version: 28,
  pageSize: 48,
  freeRoot: 88,
  mainRoot: 136,
  lastPage: 144,
};

function checkMeta(meta: Buffer, index: number, pageSize: number): string | null {
  if (meta.length < metaBytes) return `meta page ${index} is truncated`;
  if (meta.readBigUInt64LE(offsets.pageNumber) !== BigInt(index))
    return `meta page ${index} has the wrong page number`;
  if ((meta.readUInt16LE(offsets.pageFlags) & metaPageFlag) === 0) return `page ${index} is not a meta page`;
  if (meta.readUInt32LE(offsets.magic) !== metaMagic) return `meta page ${index} lacks the LMDB magic number`;
  const version = meta.readUInt32LE(offsets.version) & 0xffff;
  if (version !== dataVersion)
    return `meta page ${index} has LMDB data version ${version}, expected ${dataVersion}`;
  if (meta.readUInt32LE(offsets.pageSize) !== pageSize)
    return `meta page ${index} disagrees on the page size`;
  const lastPage = meta.readBigUInt64LE(offsets.lastPage);
  if (lastPage < 1n) return `meta page ${index} has an impossible last page`;
  for (const root of [offsets.freeRoot, offsets.mainRoot]) {
    const page = meta.readBigUInt64LE(root);
    if (page !== noPage && (page < 2n || page > lastPage))
      return `meta page ${index} points outside the file`;
  }
  return null;
}

function readProblem(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `cannot read ${path}: ${(error as Error).message}`;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return null;
    const first = Buffer.alloc(metaBytes);
    readSync(fd, first, 0, metaBytes, 0);
    const pageSize = first.readUInt32LE(offsets.pageSize);
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
      return first.readUInt32LE(offsets.magic) === metaMagic
        ? 'the page size is invalid'
        : 'not an LMDB data file';
    }
    if (size < 2 * pageSize) return 'the file is shorter than its two meta pages';
    const second = Buffer.alloc(metaBytes);
    readSync(fd, second, 0, metaBytes, pageSize);
    return checkMeta(first, 0, pageSize) ?? checkMeta(second, 1, pageSize);
  } finally {
    closeSync(fd);
  }
}

/**
 * Why the LMDB data file at `path` must not be opened, or `null` when it is safe to open: a
 * valid environment, an empty file, or no file at all (LMDB creates it).
 *
 * Another process may be rewriting a meta page while we read it; a torn read could show a root
 * from one commit and a last page from another. So a problem counts only if a second read,
 * a moment later, sees one too.
 */
export function lmdbDataFileProblem(path: string): string | null {
  if (readProblem(path) === null) return null;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  return readProblem(path);
}
