import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir`, at any depth. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every byte of every file under `dir`, as one string: what a byte-scan for leftover text reads. */
export function folderBytes(dir: string): string {
  return filesUnder(dir)
    .map((file) => readFileSync(file).toString('latin1'))
    .join('');
}
