import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir`, at any depth. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

export interface ByteScanOptions {
  /** Match `text` in any ASCII letter case: the full-text index keeps its tokens folded. */
  foldCase?: boolean;
}

const chunkBytes = 1 << 22;
const zeros = Buffer.alloc(chunkBytes);

/**
 * Whether `file`'s bytes hold `text`, read in chunks that overlap by the text's length. An LMDB
 * cache's data file is as long as its map (256 MiB by default) and mostly a hole: read whole and
 * turned into one string, as this scan once did, it took seconds a file and timed a test out on a
 * loaded machine. All-zero chunks are skipped but for their first bytes.
 */
function fileHolds(file: string, needle: string, foldCase: boolean): boolean {
  const wanted = Buffer.from(needle, 'latin1');
  const overlap = wanted.length - 1;
  const chunk = Buffer.alloc(chunkBytes + overlap);
  const fd = openSync(file, 'r');
  try {
    let kept = 0;
    for (let position = 0; ; ) {
      const read = readSync(fd, chunk, kept, chunkBytes, position);
      if (read === 0) return false;
      position += read;
      const filled = kept + read;
      // Past a hole, only what could end a match begun before it (a text may hold zero bytes).
      const hole = chunk.subarray(kept, filled).equals(zeros.subarray(0, read));
      const view = chunk.subarray(0, hole ? kept + Math.min(read, overlap) : filled);
      const found = foldCase ? view.toString('latin1').toLowerCase().includes(needle) : view.includes(wanted);
      if (found) return true;
      kept = Math.min(overlap, filled);
      chunk.copy(chunk, 0, filled - kept, filled);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The files under `dir` whose bytes hold `text`: what a scan for leftover (or plaintext) content
 * finds. `[]` when none does; a failing expectation names the files.
 */
export function filesHolding(dir: string, text: string, options: ByteScanOptions = {}): string[] {
  const foldCase = options.foldCase ?? false;
  const needle = foldCase ? text.toLowerCase() : text;
  return filesUnder(dir).filter((file) => fileHolds(file, needle, foldCase));
}
