import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * How a cached value is stored: one byte of flags, the expiry (ms since the epoch, float64 LE),
 * optionally the domain the value belongs to (uint16 LE byte length, then UTF-8), then the JSON
 * text of the value, deflated when that pays. The domain sits outside the JSON so that a value
 * can be checked against a caller's scope and handed on as text without being parsed.
 *
 * We compress here rather than with lmdb-js's `compression` option: with that option on, a
 * multi-process probe lost an acknowledged write, and our own envelope keeps the stored bytes
 * plain, so the expiry can be read without decoding the value.
 */
const formatV1 = 0x10;
const deflated = 0x01;
const withDomain = 0x02;
const retiredFlag = 0x04;
const headerBytes = 9;
/** A deflated value must save at least this share of its bytes, or it is stored plain. */
const minimumSaving = 1 / 8;
const maxDomainBytes = 0xffff;

export interface EnvelopeOptions {
  /** JSON texts of at least this many bytes are deflated. */
  compressionThreshold: number;
}

export function encodeEnvelope(
  json: string,
  expiresAt: number,
  options: EnvelopeOptions,
  domain?: string,
): Buffer {
  const plain = Buffer.from(json, 'utf8');
  const domainBytes = domain === undefined ? undefined : Buffer.from(domain, 'utf8');
  if (domainBytes !== undefined && domainBytes.length > maxDomainBytes)
    throw new RangeError('domain too long for a cache entry');
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
  const domainField = domainBytes === undefined ? 0 : 2 + domainBytes.length;
  if (domainBytes !== undefined) flags |= withDomain;
  const envelope = Buffer.allocUnsafe(headerBytes + domainField + payload.length);
  envelope[0] = flags;
  envelope.writeDoubleLE(expiresAt, 1);
  if (domainBytes !== undefined) {
    envelope.writeUInt16LE(domainBytes.length, headerBytes);
    domainBytes.copy(envelope, headerBytes + 2);
  }
  payload.copy(envelope, headerBytes + domainField);
  return envelope;
}

/**
 * What an entry removed from the cache is overwritten with: a header alone, expired since the
 * epoch, so every read misses it. Entries are never deleted (see `retire` in
 * cache-maintenance.ts): through LMDB's writable map a deletion could abort the process.
 */
export const retiredEnvelope: Buffer = (() => {
  const envelope = Buffer.alloc(headerBytes);
  envelope[0] = formatV1 | retiredFlag;
  return envelope;
})();

/** Whether a stored value is `retiredEnvelope`: an entry that was removed. */
export function isRetired(envelope: Buffer): boolean {
  return envelope.length === headerBytes && envelope[0] === (formatV1 | retiredFlag);
}

/** The expiry of a stored value, or `null` when the bytes are not an envelope of ours. */
export function envelopeExpiry(envelope: Buffer): number | null {
  if (envelope.length < headerBytes || ((envelope[0] ?? 0) & 0xf0) !== formatV1) return null;
  return envelope.readDoubleLE(1);
}

export function isDeflated(envelope: Buffer): boolean {
  return ((envelope[0] ?? 0) & deflated) !== 0;
}

/** Where the JSON payload starts: after the header and the domain, when there is one. */
function payloadStart(envelope: Buffer): number {
  return ((envelope[0] ?? 0) & withDomain) === 0
    ? headerBytes
    : headerBytes + 2 + envelope.readUInt16LE(headerBytes);
}

/** The domain the value was stored with, or `undefined` when it was stored without one. */
export function envelopeDomain(envelope: Buffer): string | undefined {
  if (((envelope[0] ?? 0) & withDomain) === 0) return undefined;
  return envelope.toString('utf8', headerBytes + 2, headerBytes + 2 + envelope.readUInt16LE(headerBytes));
}

/** The JSON's UTF-8 bytes: inflated into a new buffer, or a view into `envelope` when stored plain. */
function payload(envelope: Buffer): Buffer {
  // An explicit end: the reusable buffer's `length` is the value's, its backing store is larger.
  const body = envelope.subarray(payloadStart(envelope), envelope.length);
  return isDeflated(envelope) ? inflateRawSync(body) : body;
}

/**
 * The JSON inside an envelope as UTF-8 bytes, copied out of `envelope`, which may be lmdb-js's
 * reusable read buffer (overwritten by the next read).
 */
export function envelopeJsonBytes(envelope: Buffer): Buffer {
  const bytes = payload(envelope);
  return isDeflated(envelope) ? bytes : Buffer.from(bytes);
}

/** The JSON text inside an envelope (decoding copies it out of a reusable read buffer). */
export function envelopeJson(envelope: Buffer): string {
  return payload(envelope).toString('utf8');
}
