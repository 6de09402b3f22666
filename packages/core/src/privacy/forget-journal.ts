import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../db/process-alive.js';
import type { Logger } from '../logger.js';

/** Who asked for a deletion: its owner through `forget`, or a retention policy. */
export type ForgetOrigin = 'forget' | 'retention';

/**
 * What a forget under way writes beside a local database file
 * (`<database>.forgetting/<pid>-<hex>.json`) until it returns, so that a forget whose process is
 * killed part-way (SIGKILL, a crash: no handler runs) is found by the next open, which says what
 * it left. Ids and the actor only, as the audit log holds them: never the selector, whose
 * metadata value may itself be what the owner asked to have forgotten.
 */
export interface ForgetJournal {
  pid: number;
  startedAt: string;
  actor: string;
  /**
   * What started it: a `forget` call, or a retention pass deleting a domain's episodes past its
   * `deleteAfterDays` (whose next pass deletes what this one left, unasked).
   */
  origin: ForgetOrigin;
  /** Every episode the forget selected, in the order it forgets them. */
  episodeIds: string[];
}

/** A journal of a dead process, claimed by this one; `journal` is `null` when it was cut short. */
export interface InterruptedForget {
  journal: ForgetJournal | null;
  /** Deletes the journal, once what it says has been settled. */
  release(): void;
}

const folderOf = (database: string) => `${database}.forgetting`;
/** `<pid>-<hex>.json`; `settling-<pid>-<pid>-<hex>.json` once the process of the first pid claimed it. */
const journalName = /^(?:settling-(\d+)-)?((\d+)-[0-9a-f]{8}\.json)$/;

/** The folder goes with its last journal (another forget's keeps it). */
function removeFolderIfEmpty(database: string): void {
  try {
    rmdirSync(folderOf(database));
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code !== 'ENOTEMPTY' && code !== 'ENOENT') throw error;
  }
}

/**
 * Writes the journal of a forget about to delete `episodeIds`; `done` removes it. One that cannot
 * be written (a full disk) does not stop the forget, which frees what it can: `logger` is told
 * that a kill would then go unreported.
 */
export function startForgetJournal(
  database: string,
  entry: { actor: string; origin: ForgetOrigin; episodeIds: readonly string[] },
  logger: Logger,
): { done(): void } {
  const file = join(folderOf(database), `${process.pid}-${randomBytes(4).toString('hex')}.json`);
  const journal: ForgetJournal = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    actor: entry.actor,
    origin: entry.origin,
    episodeIds: [...entry.episodeIds],
  };
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        mkdirSync(folderOf(database), { recursive: true, mode: 0o700 });
        writeFileSync(file, `${JSON.stringify(journal)}\n`, { mode: 0o600 });
        break;
      } catch (error) {
        // Another process's forget ended meanwhile and took the folder, empty, with it. Each try
        // takes microseconds, and several processes forgetting at once on a loaded machine lost
        // 5 races in a row once (CI, session 46): many tries cost nothing.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 100) throw error;
      }
    }
  } catch (error) {
    rmSync(file, { force: true });
    logger.warn(
      `episodic: could not record the forget under way in ${folderOf(database)} (${(error as Error).message}); ` +
        'it goes on, but if it is stopped part-way the next open cannot say what it left.',
    );
    return { done: () => undefined };
  }
  return {
    done() {
      rmSync(file, { force: true });
      removeFolderIfEmpty(database);
    },
  };
}

function parseJournal(file: string): ForgetJournal | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ForgetJournal>;
    const ids = parsed.episodeIds;
    if (!Array.isArray(ids) || typeof parsed.startedAt !== 'string') return null;
    return {
      pid: Number(parsed.pid),
      startedAt: parsed.startedAt,
      actor: String(parsed.actor),
      // Journals written before the origin was recorded were all a forget's.
      origin: parsed.origin === 'retention' ? 'retention' : 'forget',
      episodeIds: ids.map(String),
    };
  } catch {
    return null;
  }
}

/**
 * Claims the journals of forgets whose process is gone (and of claims whose process died in
 * turn), by renaming each: of several processes opening the store at once, one settles each.
 * A journal cut short was being written when its process died, before the forget deleted
 * anything: it comes back as `null`, to be released without a word.
 */
export function claimInterruptedForgets(database: string): InterruptedForget[] {
  let names: string[];
  try {
    names = readdirSync(folderOf(database));
  } catch {
    return [];
  }
  const claimed: InterruptedForget[] = [];
  for (const name of names) {
    const match = journalName.exec(name);
    if (match === null || processAlive(Number(match[1] ?? match[3]))) continue;
    const file = join(folderOf(database), `settling-${process.pid}-${match[2]}`);
    try {
      renameSync(join(folderOf(database), name), file);
    } catch (error) {
      // Another process claimed it first.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    claimed.push({
      journal: parseJournal(file),
      release() {
        rmSync(file, { force: true });
        removeFolderIfEmpty(database);
      },
    });
  }
  return claimed;
}
