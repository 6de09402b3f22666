import { timingSafeEqual } from 'node:crypto';
import type { Row, Transaction } from '@libsql/client';
import { z } from 'zod';
import { localActor } from '../audit/audit-event.js';
import type { EngineContext } from '../engine-context.js';
import { EpisodicError } from '../errors.js';
import { newId } from '../ids.js';
import { maxScopeDomains } from '../schemas/call-options.js';
import { shownNameMessage, shownNamePattern } from '../schemas/shown-name.js';
import { nowIso } from '../schemas/timestamp.js';
import type { CallOptions } from '../types.js';
import { parseInput } from '../validate.js';
import { formatToken, hashSecret, newSecret, parseToken, secretMatches } from './token-secret.js';

/** What a token may do: `read` episodes, patterns and searches; `write` episodes; `admin` the server. */
export const tokenScopes = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof tokenScopes)[number];

/** A token as stored: never its secret. */
export interface ApiToken {
  id: string;
  name: string;
  scopes: TokenScope[];
  /** The domains the token may touch; `null` means every domain. */
  domains: string[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiToken {
  token: ApiToken;
  /** The bearer text, `ep_<id>_<secret>`. It is not stored anywhere: show it once. */
  bearer: string;
}

export interface CreateTokenInput {
  name: string;
  /** Defaults to `['read', 'write']`. */
  scopes?: TokenScope[];
  /** Omit (or `null`) for every domain. */
  domains?: string[] | null;
}

/**
 * How long a verified token is trusted without reading its row again. Revocation through this
 * store applies at once; revocation by another process (the CLI beside a running server) within
 * this delay. It is what keeps token checks off the database on the request hot path.
 */
export const tokenRecheckMs = 1000;
/** `last_used_at` is a hint for operators, so it is written at most this often per token. */
const lastUsedResolutionMs = 60_000;

const columns = 'id, name, secret_hash, scopes, domains, created_at, last_used_at, revoked_at';

function toApiToken(row: Row): ApiToken {
  return {
    id: String(row.id),
    name: String(row.name),
    scopes: JSON.parse(String(row.scopes)) as TokenScope[],
    domains: row.domains === null ? null : (JSON.parse(String(row.domains)) as string[]),
    createdAt: String(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : String(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : String(row.revoked_at),
  };
}

interface CachedToken {
  token: ApiToken;
  hash: Buffer;
  /**
   * The secret that last matched `hash`: the next request with the same bearer is compared with
   * it in constant time instead of being hashed again, which a busy server would pay per call.
   * A fresh read of the row (every `tokenRecheckMs` while in use) starts without it.
   */
  proven?: Buffer;
  readAt: number;
  touchedAt: number;
}

function createTokenSchema(domain: z.ZodType<string>) {
  return z
    .strictObject({
      name: z.string().min(1).max(128).regex(shownNamePattern, shownNameMessage),
      scopes: z
        .array(z.enum(tokenScopes))
        .min(1)
        .refine((scopes) => new Set(scopes).size === scopes.length, 'must not repeat a scope')
        .default(['read', 'write']),
      domains: z.array(domain).min(1).max(maxScopeDomains).nullable().default(null),
    })
    .superRefine((input, ctx) => {
      // Admin procedures report on the whole store (cache, database size), so an admin token
      // limited to some domains would be a promise the server cannot keep.
      if (input.scopes.includes('admin') && input.domains !== null) {
        ctx.addIssue({
          code: 'custom',
          path: ['domains'],
          message: 'an admin token must cover every domain',
        });
      }
    });
}

/** Bearer tokens for the server: created once and shown once, stored as hashes, revocable. */
export function createTokenStore(context: EngineContext) {
  const { db } = context;
  const schema = createTokenSchema(context.schemas.domain);
  const cache = new Map<string, CachedToken>();
  // Bumped by every revocation, so a read that raced with one is not cached as still valid.
  let revocations = 0;

  /** A token's creation or revocation, in its own transaction; tokens belong to no domain. */
  const audited = (
    tx: Transaction,
    operation: 'create' | 'update',
    entityId: string,
    options: Pick<CallOptions, 'actor'>,
  ) =>
    context.audit.inTransaction(tx, {
      actor: options.actor ?? localActor,
      operation,
      entityType: 'token',
      entityId,
      outcome: 'ok',
    });

  async function readToken(id: string, now: number): Promise<CachedToken | null> {
    const row = (await db.read({ sql: `SELECT ${columns} FROM api_tokens WHERE id = ?`, args: [id] }))
      .rows[0];
    if (row === undefined) return null;
    const token = toApiToken(row);
    const touchedAt = token.lastUsedAt === null ? 0 : Date.parse(token.lastUsedAt);
    return { token, hash: Buffer.from(String(row.secret_hash), 'hex'), readAt: now, touchedAt };
  }

  // Set while last-use writes fail, so a lasting failure is reported once, not on every request.
  let touchFailing = false;

  function touch(entry: CachedToken, now: number): void {
    entry.touchedAt = now;
    const at = new Date(now).toISOString();
    entry.token = { ...entry.token, lastUsedAt: at };
    // Bookkeeping only: a failure here (read-only replica, full disk) must not fail the request,
    // but an operator relying on `lastUsedAt` to find unused tokens must learn that it is stale.
    db.write((tx) =>
      tx.execute({ sql: 'UPDATE api_tokens SET last_used_at = ? WHERE id = ?', args: [at, entry.token.id] }),
    ).then(
      () => {
        touchFailing = false;
      },
      (error: unknown) => {
        if (touchFailing) return;
        touchFailing = true;
        context.config.logger.warn(
          `Episodic could not record when token ${entry.token.id} was last used, so lastUsedAt may be stale: ${(error as Error).message}`,
        );
      },
    );
  }

  /** The token's row, from the cache while it is fresh, or `null` when unknown or revoked. */
  async function current(id: string, now: number): Promise<CachedToken | null> {
    const cached = cache.get(id);
    // A negative age is a wall clock stepped back (NTP): read the row again rather than trust the
    // cached one for the length of the step (a revoked token went on working that long).
    const age = cached === undefined ? -1 : now - cached.readAt;
    if (cached !== undefined && age >= 0 && age <= tokenRecheckMs) return cached;
    const before = revocations;
    const fresh = await readToken(id, now);
    if (fresh === null || fresh.token.revokedAt !== null) {
      cache.delete(id);
      return null;
    }
    if (before === revocations) cache.set(id, fresh);
    return fresh;
  }

  return {
    /** `options.actor` (default `local`) is who the audit log says created it. */
    async create(
      input: CreateTokenInput,
      options: Pick<CallOptions, 'actor'> = {},
    ): Promise<CreatedApiToken> {
      const data = parseInput(schema, input, 'token');
      const secret = newSecret();
      const token: ApiToken = {
        id: newId(),
        name: data.name,
        scopes: data.scopes,
        domains: data.domains,
        createdAt: nowIso(),
        lastUsedAt: null,
        revokedAt: null,
      };
      // Audited in the same transaction: who can reach the server is what an audit is read for.
      await db.write(async (tx) => {
        await tx.execute({
          sql: `INSERT INTO api_tokens (id, name, secret_hash, scopes, domains, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
          args: [
            token.id,
            token.name,
            hashSecret(secret).toString('hex'),
            JSON.stringify(token.scopes),
            token.domains === null ? null : JSON.stringify(token.domains),
            token.createdAt,
          ],
        });
        await audited(tx, 'create', token.id, options);
      });
      return { token, bearer: formatToken(token.id, secret) };
    },

    /** Every token ever created, revoked ones included, oldest first. */
    async list(): Promise<ApiToken[]> {
      const rows = await db.read(`SELECT ${columns} FROM api_tokens ORDER BY created_at, id`);
      return rows.rows.map(toApiToken);
    },

    /** How many tokens were ever created; revoked ones count, so revoking all never mints a new one. */
    async count(): Promise<number> {
      const rows = await db.read('SELECT COUNT(*) AS n FROM api_tokens');
      return Number(rows.rows[0]?.n ?? 0);
    },

    /** Revokes a token for good. Revoking it again keeps the first revocation time. */
    async revoke(tokenId: string, options: Pick<CallOptions, 'actor'> = {}): Promise<ApiToken> {
      const id = parseInput(context.schemas.id, tokenId, 'token id');
      const row = await db.write(async (tx) => {
        const result = await tx.execute({
          sql: `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING ${columns}`,
          args: [nowIso(), id],
        });
        if (result.rows[0] !== undefined) await audited(tx, 'update', id, options);
        return result.rows[0];
      });
      // After the commit: a read that began before it must not be cached as still valid.
      revocations += 1;
      cache.delete(id);
      if (row === undefined) throw new EpisodicError('NOT_FOUND', `Token ${id} does not exist.`);
      return toApiToken(row);
    },

    /**
     * The token a bearer text proves, or `null` when it is malformed, unknown, wrong or revoked
     * (one answer for all four, so a caller learns nothing about which).
     */
    async verify(bearer: string): Promise<ApiToken | null> {
      const parsed = parseToken(bearer);
      if (parsed === null) return null;
      const now = Date.now();
      const entry = await current(parsed.id, now);
      if (entry === null) return null;
      const secret = Buffer.from(parsed.secret, 'utf8');
      const known =
        entry.proven !== undefined &&
        entry.proven.length === secret.length &&
        timingSafeEqual(entry.proven, secret);
      if (!known) {
        if (!secretMatches(parsed.secret, entry.hash)) return null;
        entry.proven = secret;
      }
      if (now - entry.touchedAt > lastUsedResolutionMs) touch(entry, now);
      return entry.token;
    },

    /**
     * Whether a token verified earlier is still valid, with the same recheck delay as `verify`:
     * what a long-lived connection (a subscription) asks before it delivers more data.
     */
    async isActive(tokenId: string): Promise<boolean> {
      return (await current(tokenId, Date.now())) !== null;
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
