import type { Transaction } from '@libsql/client';
import { EpisodicError } from '../errors.js';
import type { AccessScope } from '../types.js';

/**
 * A refused write, with how the audit log should classify it. Only `error` reaches the caller:
 * `domain` may name a domain the caller must not learn about.
 */
export class Refusal extends EpisodicError {
  constructor(
    readonly error: EpisodicError,
    readonly denied: boolean,
    readonly domain: string | null,
  ) {
    super(error.code, error.message);
  }
}

/**
 * Explains why a write found no row it may change: the episode is missing, or lies outside the
 * caller's scope (both answered NOT_FOUND, so a scoped caller learns nothing, but audited as a
 * denial), it is in a state that forbids the change (CONFLICT), or the change would end it
 * before it began (`completedAt`, VALIDATION).
 */
export async function refusal(
  tx: Transaction,
  id: string,
  scope: AccessScope | undefined,
  change: string,
  completedAt?: string,
): Promise<Refusal> {
  const row = (
    await tx.execute({ sql: 'SELECT status, domain, created_at FROM episodes WHERE id = ?', args: [id] })
  ).rows[0];
  const domain = row === undefined ? null : String(row.domain);
  if (row === undefined || (scope !== undefined && !scope.domains.includes(String(row.domain)))) {
    return new Refusal(
      new EpisodicError('NOT_FOUND', `Episode ${id} does not exist.`),
      row !== undefined,
      domain,
    );
  }
  if (row.status === 'active' && completedAt !== undefined && completedAt < String(row.created_at)) {
    const message = `is before the episode began (${String(row.created_at)})`;
    const error = new EpisodicError(
      'VALIDATION',
      `Invalid completion of episode ${id}: completedAt: ${message}, got ${completedAt}`,
      { issues: [{ path: 'completedAt', message }] },
    );
    return new Refusal(error, false, domain);
  }
  return new Refusal(
    new EpisodicError('CONFLICT', `Episode ${id} is ${String(row.status)}; it cannot be ${change}.`),
    false,
    domain,
  );
}
