import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `<folder>.partial-<pid>-<hex>`: the pid tells a pull still running from one that was killed. */
const partialName = /\.partial-(?:(\d+)-)?[0-9a-f]{8}$/;

/** A fresh partial folder for a pull into `folder`, named as `partialName` reads it. */
export function partialFolderFor(folder: string): string {
  return `${folder}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the partial folders of pulls into `folder` that were killed (SIGKILL, a crash, a power
 * cut: no handler ran) and returns them. Names without a pid are from versions that did not
 * record one; a pull removes its own folder whenever it can, so one left over was interrupted.
 */
export function removeAbandonedPartials(folder: string): string[] {
  const prefix = `${basename(folder)}.partial-`;
  let names: string[];
  try {
    names = readdirSync(dirname(folder));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = name.startsWith(prefix) ? partialName.exec(name) : null;
    if (match === null || (match[1] !== undefined && alive(Number(match[1])))) continue;
    rmSync(join(dirname(folder), name), { recursive: true, force: true });
    removed.push(join(dirname(folder), name));
  }
  return removed;
}
