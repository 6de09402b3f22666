import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EpisodicError } from '../errors.js';
import { processAlive } from './process-alive.js';

/** A live process that announced itself in a presence folder. */
export interface PresentProcess {
  pid: number;
  /** The marker file it wrote (removed when it leaves). */
  marker: string;
}

const markerName = /^(\d+)-[0-9a-f-]+\.pid$/;
const maxCommandLength = 300;

/**
 * The live processes with a marker in `folder`, but for the marker `except`. Markers of dead
 * processes (killed, crashed: they never left) are removed. `named` tells a marker by its file
 * name, its first group the pid: `announcePresence`'s by default; another for the markers older
 * versions wrote.
 */
export function presentProcesses(
  folder: string,
  except?: string,
  named: RegExp = markerName,
): PresentProcess[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const present: PresentProcess[] = [];
  for (const name of names) {
    const marker = join(folder, name);
    const pid = Number(named.exec(name)?.[1]);
    if (marker === except || !Number.isInteger(pid) || pid === 0) continue;
    if (processAlive(pid)) present.push({ pid, marker });
    else rmSync(marker, { force: true });
  }
  return present;
}

/**
 * Writes a marker naming this process into `folder` until the returned `leave` is called. One
 * marker per call: a process may hold the same thing more than once, and each leaves on its own.
 * The marker holds the pid only: a command line may carry what a store's owner wants forgotten,
 * and a killed process's marker outlives it (until the next process announces itself here).
 */
export function announcePresence(folder: string): { marker: string; leave: () => void } {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  presentProcesses(folder);
  const marker = join(folder, `${process.pid}-${randomUUID()}.pid`);
  writeFileSync(marker, `${process.pid}\n`, { mode: 0o600 });
  return { marker, leave: () => rmSync(marker, { force: true }) };
}

/** Where the processes that have a database file open mark it: a folder beside the file. */
export function databasePresenceFolder(path: string): string {
  return `${path}.open`;
}

/** The command line of a live process, where the system shows it (Linux), so that an operator can tell which it is. */
function commandOf(pid: number): string | null {
  try {
    const [program = '', ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    const words = [basename(program), ...args].join(' ').trim();
    return words.length > maxCommandLength ? `${words.slice(0, maxCommandLength)}…` : words || null;
  } catch {
    return null;
  }
}

/** `pid N (its command line)` for each process, `; `-separated: how a refusal names the processes in its way. */
export function nameProcesses(pids: readonly number[]): string {
  return pids
    .map((pid) => {
      const command = pid === process.pid ? 'this process' : commandOf(pid);
      return command === null ? `pid ${pid}` : `pid ${pid} (${command})`;
    })
    .join('; ');
}

/**
 * Every process that opens a local database file through `openMemory` marks it (`announcePresence`
 * in `databasePresenceFolder`), whatever its data dir or role: server, worker, script.
 * Refuses (`CONFLICT`) while another process has the database file open: `operation` would
 * change the file under it, and it would go on writing to what it holds. `advice` says what to do.
 */
export function assertDatabaseUnused(path: string, operation: string, advice: string, except?: string): void {
  // A process may hold the file more than once (a server and its learning thread): named once.
  const pids = [...new Set(presentProcesses(databasePresenceFolder(path), except).map(({ pid }) => pid))];
  if (pids.length === 0) return;
  const named = nameProcesses(pids);
  throw new EpisodicError(
    'CONFLICT',
    `Refusing to ${operation}: ${path} is open in ${pids.length === 1 ? 'a running process' : `${pids.length} running processes`}: ` +
      `${named}. ${advice} Processes that are gone do not count; if a pid above is not an Episodic process, ` +
      `delete its marker in ${databasePresenceFolder(path)}.`,
  );
}
