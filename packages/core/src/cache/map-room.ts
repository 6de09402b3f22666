import { execFileSync } from 'node:child_process';
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
 * unless the thread is descheduled between the check and the commit while something else fills the
 * disk (it was: on a busy machine, a process writing through the map while another filled and
 * freed the disk died of SIGBUS in 2 of 3 runs of 20 s). So the map's files are also given every
 * block first (`preallocateMapFiles`), and then only a commit that grows the map can meet a hole.
 * The error is `FULL`: the cache tries again once the disk has room.
 */
export function assertMapRoom(envPath: string, mapSizeBytes: number): void {
  const data = statSync(join(envPath, 'data.mdb'), { throwIfNoEntry: false });
  const mapBytes = Math.max(data?.size ?? 0, mapSizeBytes);
  const allocated = (data?.blocks ?? 0) * 512;
  const needed = 2 * mapBytes - allocated;
  const free = freeBytesOn(envPath);
  if (free >= needed) {
    // After the check: a full disk spawns no `fallocate` per refused write. Only a map that grew
    // leaves `data.mdb` with holes here (`lock.mdb` keeps its size once open): the stat above
    // says so, so a write pays no further system call otherwise.
    if (data !== undefined && allocated < data.size) preallocateMapFiles(envPath);
    return;
  }
  throw new EpisodicError(
    'FULL',
    `the disk holding it has ${mib(free)} free, less than the ${mib(needed)} its memory map may still write (the part of its ${mib(mapBytes)} not on disk yet, and as much again if the map grows): LMDB would kill the process (SIGBUS) if the disk filled under it`,
  );
}

/**
 * Per file: the inode and size `fallocate` ran for. Not run again for them: where it failed, or
 * where the file system counts fewer blocks than it gave (compression), it would not do more.
 */
const tried = new Map<string, string>();

/**
 * Gives every byte of the environment's memory-mapped files a disk block with `fallocate(1)`
 * (mode 0: a hole gets a block, data stays as it is, so it is safe while other processes write
 * through their maps): LMDB's writable map leaves `data.mdb` sparse up to the map's size, and
 * `lock.mdb` (mapped in every mode: each reader writes its slot there) is sparse past its first
 * page. Once both are whole, a write into them needs no new block and a full disk cannot kill the
 * process. On a file system that holds the blocks at once (ext4, xfs, tmpfs) this costs a few
 * milliseconds and counts the whole map as used disk. Where there is no `fallocate` (macOS) or the
 * file system refuses it, the room check alone guards.
 */
export function preallocateMapFiles(envPath: string): void {
  for (const name of ['data.mdb', 'lock.mdb']) {
    const file = join(envPath, name);
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined || stats.blocks * 512 >= stats.size) continue;
    const seen = `${stats.ino}:${stats.size}`;
    if (tried.get(file) === seen) continue;
    try {
      execFileSync('fallocate', ['--length', String(stats.size), file], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
      });
      tried.set(file, seen);
    } catch (error) {
      // A disk that filled since the room check is tried again at the next write; no fallocate
      // here, or a file system without it, is not: see above.
      if (!String((error as { stderr?: unknown }).stderr).includes('No space left')) tried.set(file, seen);
    }
  }
}
