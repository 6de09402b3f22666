import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const prefix = 'ep_';
const secretBytes = 32;
const tokenPattern =
  /^ep_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** A bearer token split into the row it names and the secret that proves it. */
export interface ParsedToken {
  id: string;
  secret: string;
}

/** 32 random bytes, base64url: 256 bits, beyond any guessing. */
export function newSecret(): string {
  return randomBytes(secretBytes).toString('base64url');
}

/** The text a client sends: `ep_<id>_<secret>`. The id lets the server find the row without scanning. */
export function formatToken(id: string, secret: string): string {
  return `${prefix}${id}_${secret}`;
}

export function parseToken(token: string): ParsedToken | null {
  const match = tokenPattern.exec(token);
  if (match === null) return null;
  return { id: match[1] as string, secret: match[2] as string };
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant-time: how much of a guess matched must not show in the response time. */
export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const hash = hashSecret(secret);
  return hash.length === storedHash.length && timingSafeEqual(hash, storedHash);
}
