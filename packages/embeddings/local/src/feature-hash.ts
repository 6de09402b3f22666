/**
 * FNV-1a over UTF-16 code units, 32 bits: tiny, fast, and the same on every platform and Node
 * version, which is what makes the vectors reproducible bit for bit.
 */
export const fnvOffset = 0x811c9dc5;

/** Continues an FNV-1a hash `state` over `text[start..end)`. */
export function fnvUpdate(state: number, text: string, start = 0, end = text.length): number {
  let hash = state;
  for (let i = start; i < end; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Continues an FNV-1a hash over one code unit. */
export function fnvUpdateCode(state: number, code: number): number {
  return Math.imul(state ^ code, 0x01000193) >>> 0;
}

/**
 * Murmur3's finaliser: FNV's low bits are weak, and the bucket comes from the low bits while
 * the sign comes from the top one, so both must depend on every input bit.
 */
export function mix(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
