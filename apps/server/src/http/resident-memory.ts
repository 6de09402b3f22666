import { readFileSync } from 'node:fs';

/** Resident memory by what backs it, in bytes. */
export interface ResidentMemory {
  /** Heaps and native allocations: what a leak grows. */
  anon: number;
  /** Mapped files: the LMDB cache and SQLite pages that were touched, code. Bounded by those files. */
  file: number;
  shmem: number;
}

/** This process's split from `/proc/self/status`, or `null` where there is none (not Linux). */
export function residentMemory(): ResidentMemory | null {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return null;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  const split = { anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
  if (Object.values(split).some(Number.isNaN)) return null;
  return { anon: split.anon * 1024, file: split.file * 1024, shmem: split.shmem * 1024 };
}
