import { type ChildProcess, fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mountSmallDisk } from '../testing/small-disk.js';
import { currentBoot } from './cache-folder.js';

const writerScript = fileURLToPath(new URL('./__fixtures__/map-writer.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The cache's memory-mapped files on a real small disk (a 32 MB tmpfs) that fills up. Mounting
 * needs root (or CAP_SYS_ADMIN); elsewhere the test says it is skipped (CI runs as root).
 */
const disk = mountSmallDisk(32);
afterAll(() => disk.remove());
const writable = currentBoot().volatile;

function nextMessage(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`the writer died: ${signal ?? `exit code ${code}`}`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(String(message));
    });
  });
}

describe.skipIf(disk.skipped !== null || !writable)(
  `a cache environment's mapped files${disk.skipped === null ? '' : ` (skipped: ${disk.skipped})`}`,
  () => {
    it('have every block on disk, so a commit through the map on a disk that filled after the room check does not kill the process', async () => {
      const envPath = join(disk.path ?? '', 'env');
      const child = fork(writerScript, [envPath], {
        cwd: packageRoot,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      try {
        expect(await nextMessage(child)).toBe('ready');
        for (const name of ['data.mdb', 'lock.mdb']) {
          const stats = statSync(join(envPath, name));
          expect({ name, whole: stats.blocks * 512 >= stats.size }).toEqual({ name, whole: true });
        }
        disk.fill();
        const answer = nextMessage(child);
        child.send('write');
        // Without its blocks, the first write into a hole of data.mdb was a SIGBUS.
        expect(await answer).toBe('written');
      } finally {
        disk.free();
        child.kill();
      }
    }, 60_000);
  },
);
