import { type BigIntStats, closeSync, constants, existsSync, fstatSync, openSync, statSync } from 'node:fs';

/**
 * An environment folder held while LMDB opens the two files in it. LMDB opens `lock.mdb` and
 * `data.mdb` by path, one after the other, and lmdb-js creates the folder first when it finds
 * none. Another process's purge renames the folder away and a new one into its place: in
 * between, an open paired the lock file of one folder with the data file of the other (two
 * processes then wrote at once: commits were lost, and processes died of SIGSEGV), or made an
 * environment in place with no key fingerprint. On Linux the folder is opened once and LMDB is
 * given `/proc/self/fd/<fd>`, which names that folder whatever happens to its path; elsewhere the
 * path itself, and `stillAt` after the open tells a folder replaced meanwhile.
 */
export interface PinnedFolder {
  /** The path to give LMDB. */
  readonly path: string;
  /** Whether the environment's path still names the folder pinned: a folder renamed into its place differs. */
  stillAt(): boolean;
  release(): void;
}

const procFd = existsSync('/proc/self/fd') ? '/proc/self/fd' : null;

/** Inode and status-change time: a folder renamed into the path differs, even on a reused inode number. */
const identity = (stats: BigIntStats | undefined) =>
  stats === undefined ? undefined : `${stats.ino}:${stats.ctimeNs}`;

/** Pins the folder at `envPath`, or returns null when there is none (renamed away just now). */
export function pinFolder(envPath: string): PinnedFolder | null {
  const atPath = () => identity(statSync(envPath, { bigint: true, throwIfNoEntry: false }));
  if (procFd === null) {
    const pinned = atPath();
    return pinned === undefined ? null : { path: envPath, stillAt: () => atPath() === pinned, release() {} };
  }
  let fd: number;
  try {
    fd = openSync(envPath, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const pinned = identity(fstatSync(fd, { bigint: true }));
  return {
    path: `${procFd}/${fd}`,
    stillAt: () => atPath() === pinned,
    release: () => closeSync(fd),
  };
}
