import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real small disk (a tmpfs) for tests of what happens when it fills up. */
export interface SmallDisk {
  /** The mounted folder; `null` when mounting was refused (see `skipped`). */
  path: string | null;
  /** Why there is no disk (mounting needs root or CAP_SYS_ADMIN), or `null` when there is one. */
  skipped: string | null;
  /** Writes a file on the disk until the disk refuses another byte. */
  fill(): void;
  /** Gives back `bytes` of what `fill` wrote, or all of it. */
  free(bytes?: number): void;
  /** Unmounts the disk and removes its folder. */
  remove(): void;
}

/**
 * Mounts a tmpfs of `megabytes` in a new temporary folder. Where mounting is refused the disk
 * says why in `skipped` (and warns once), so a test can skip itself and say so instead of failing.
 */
export function mountSmallDisk(megabytes: number): SmallDisk {
  const root = mkdtempSync(join(tmpdir(), 'episodic-small-disk-'));
  const path = join(root, 'disk');
  mkdirSync(path);
  let skipped: string | null = null;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    skipped = `cannot mount a small tmpfs here (${(error as Error).message.split('\n')[0]}); run as root to run it`;
    console.warn(`Disk-full test skipped: ${skipped}`);
  }
  const filler = join(path, 'filler');
  return {
    path: skipped === null ? path : null,
    skipped,
    fill: () => {
      const fd = openSync(filler, 'w');
      try {
        for (const chunk of [1 << 20, 1 << 16, 1 << 12, 512]) {
          const bytes = Buffer.alloc(chunk, 1);
          for (;;) {
            try {
              writeSync(fd, bytes);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
              break;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    free: (bytes) => {
      if (bytes === undefined) rmSync(filler, { force: true });
      else truncateSync(filler, Math.max(0, statSync(filler).size - bytes));
    },
    remove: () => {
      if (skipped === null) execFileSync('umount', ['-l', path]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
