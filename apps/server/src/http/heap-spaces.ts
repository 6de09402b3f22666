import { getHeapSpaceStatistics } from 'node:v8';

/**
 * V8's spaces, grouped by what makes each grow: `new` (the young generation: grows with the
 * allocation rate, given back when it falls), `old` (what survives: grows with live data and
 * with how far V8 lets garbage pile up before a full collection), `code` (compiled functions),
 * `large` (single objects over ~128 KB: long strings, big arrays), `other` (read-only, maps, shared).
 */
export type HeapSpaceGroup = 'new' | 'old' | 'code' | 'large' | 'other';

/** Per group, in bytes: what objects use, and what V8 holds for them (`heapTotal` summed). */
export type HeapSpaces = Record<HeapSpaceGroup, { used: number; committed: number }>;

export const heapSpaceGroups: readonly HeapSpaceGroup[] = ['new', 'old', 'code', 'large', 'other'];

function groupOf(space: string): HeapSpaceGroup {
  switch (space) {
    case 'new_space':
    case 'new_large_object_space':
      return 'new';
    case 'old_space':
      return 'old';
    case 'code_space':
    case 'code_large_object_space':
      return 'code';
    case 'large_object_space':
      return 'large';
    default:
      return 'other';
  }
}

/** The calling thread's V8 heap by space group. */
export function heapSpaces(): HeapSpaces {
  const spaces = Object.fromEntries(
    heapSpaceGroups.map((group) => [group, { used: 0, committed: 0 }]),
  ) as HeapSpaces;
  for (const space of getHeapSpaceStatistics()) {
    const group = spaces[groupOf(space.space_name)];
    group.used += space.space_used_size;
    group.committed += space.space_size;
  }
  return spaces;
}
