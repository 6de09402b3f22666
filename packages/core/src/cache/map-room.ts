import { statSync } from 'node:fs';
import { join } from 'node:path';
import { freeBytesOn } from '../db/storage-errors.js';
import { EpisodicError } from '../errors.js';

const mib = (bytes: number) => `${Math.floor(bytes / 2 ** 20)} MiB`;

/**
 * Throws unless the disk holds everything an environment opened with LMDB's writable map
 * (`useWritemap`, see lmdb-handle.ts) may still write. Through that map a
 * commit writes into a sparse file: its first write to a page the file has no disk block for
 * makes the kernel allocate one, and on a full disk the process gets SIGBUS and dies at once
 * (measured: the server died with "Bus error" when its disk filled, where the database's own
 * writes are refused as `FULL`). So the cache writes only while the disk has room for the whole
 * map not yet allocated, plus the map once more: lmdb-js doubles the map when a write needs pages
 * past its end. Checked before every write (two system calls, ~1 µs against ~15 µs for the
 * write): room found seconds earlier may be gone, but not in the microseconds of one commit
 * unless something else fills the disk at hundreds of MiB per millisecond. The error is `FULL`:
 * the cache tries again once the disk has room.
 */
export function assertMapRoom(envPath: string, mapSizeBytes: number): void {
  const data = statSync(join(envPath, 'data.mdb'), { throwIfNoEntry: false });
  const mapBytes = Math.max(data?.size ?? 0, mapSizeBytes);
  const allocated = (data?.blocks ?? 0) * 512;
  const needed = 2 * mapBytes - allocated;
  const free = freeBytesOn(envPath);
  if (free >= needed) return;
  throw new EpisodicError(
    'FULL',
    `the disk holding it has ${mib(free)} free, less than the ${mib(needed)} its memory map may still write (the part of its ${mib(mapBytes)} not on disk yet, and as much again if the map grows): LMDB would kill the process (SIGBUS) if the disk filled under it`,
  );
}
