import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let sequence = 0;
/** Random bytes drawn 4 KiB at a time: one `randomFillSync` per id cost more than the rest of it. */
const randomPool = Buffer.allocUnsafe(4096);
let poolOffset = randomPool.length;

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter that keeps ids made in
 * the same millisecond in creation order, then random bits. Sorting ids sorts by creation, which
 * keeps the primary-key B-tree append-mostly and makes ids usable as a pagination tie-break.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    sequence += 1;
    if (sequence > 0xfff) {
      // Counter exhausted within one millisecond: borrow the next millisecond rather than repeat.
      lastMs += 1;
      sequence = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    sequence = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  if (poolOffset + 8 > randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  randomPool.copy(bytes, 8, poolOffset, poolOffset + 8);
  poolOffset += 8;
  bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | (sequence >>> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Any RFC 9562 UUID in canonical lowercase or uppercase form. */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
