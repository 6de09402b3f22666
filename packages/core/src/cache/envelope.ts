import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * How a cached value is stored: one byte of flags, the expiry (ms since the epoch, float64 LE),
 * then the JSON text of the value, deflated when that pays.
 *
 * We compress here rather than with lmdb-js's `compression` option: with that option on, a
 * multi-process probe lost an acknowledged write, and our own envelope keeps the stored bytes
 * plain, so the expiry can be read without decoding the value.
 */
const formatV1 = 0x10;
const deflated = 0x01;
const headerBytes = 9;
/** A deflated value must save at least this share of its bytes, or it is stored plain. */
const minimumSaving = 1 / 8;

export interface EnvelopeOptions {
  /** JSON texts of at least this many bytes are deflated. */
  compressionThreshold: number;
}

export function encodeEnvelope(json: string, expiresAt: number, options: EnvelopeOptions): Buffer {
  const plain = Buffer.from(json, 'utf8');
  let payload = plain;
  let flags = formatV1;
  if (plain.length >= options.compressionThreshold) {
    // Level 1: a cache fill sits on a reader's miss path, so speed beats the last few percent.
    const packed = deflateRawSync(plain, { level: 1 });
    if (packed.length <= plain.length * (1 - minimumSaving)) {
      payload = packed;
      flags |= deflated;
    }
  }
  const envelope = Buffer.allocUnsafe(headerBytes + payload.length);
  envelope[0] = flags;
  envelope.writeDoubleLE(expiresAt, 1);
  payload.copy(envelope, headerBytes);
  return envelope;
}

/** The expiry of a stored value, or `null` when the bytes are not an envelope of ours. */
export function envelopeExpiry(envelope: Buffer): number | null {
  if (envelope.length < headerBytes || ((envelope[0] ?? 0) & 0xf0) !== formatV1) return null;
  return envelope.readDoubleLE(1);
}

export function isDeflated(envelope: Buffer): boolean {
  return ((envelope[0] ?? 0) & deflated) !== 0;
}

/**
 * The JSON text inside an envelope. `envelope` may be lmdb-js's reusable read buffer, so the
 * text is copied out before anything else reads from LMDB.
 */
export function envelopeJson(envelope: Buffer): string {
  // An explicit end: the reusable buffer's `length` is the value's, its backing store is larger.
  if (isDeflated(envelope)) return inflateRawSync(envelope.subarray(headerBytes, envelope.length)).toString('utf8');
  return envelope.toString('utf8', headerBytes, envelope.length);
}
