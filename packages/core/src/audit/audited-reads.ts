import type { CallOptions } from '../types.js';
import { localActor, type AuditEvent, type AuditOperation } from './audit-event.js';
import type { AuditLog } from './audit-log.js';

type What = Omit<AuditEvent, 'actor' | 'outcome'>;
// biome-ignore lint: any is what lets one wrapper keep each read's exact signature
type AnyRead = (...args: any[]) => Promise<any>;

/**
 * Wraps one read so that every call is audited (buffered, see `AuditLog.record`), cache hit or
 * not: `what` says what was read from the arguments and the answer (`undefined` when it failed).
 */
function auditedRead<F extends AnyRead>(
  audit: AuditLog,
  arity: number,
  read: F,
  what: (args: unknown[], result: Awaited<ReturnType<F>> | undefined) => What & { found?: boolean },
): F {
  const wrapped = async (...args: unknown[]) => {
    const options = (args[arity] as CallOptions | undefined) ?? {};
    const actor = options.actor ?? localActor;
    try {
      const result = await read(...args);
      const { found = true, ...event } = what(args, result as Awaited<ReturnType<F>>);
      audit.record({ ...event, actor, outcome: found ? 'ok' : 'error' });
      return result;
    } catch (error) {
      const denied = (error as { code?: string }).code === 'FORBIDDEN';
      audit.record({ ...what(args, undefined), actor, outcome: denied ? 'denied' : 'error' });
      throw error;
    }
  };
  return wrapped as F;
}

interface Reads {
  getEpisode: (id: string, options?: CallOptions) => Promise<{ domain: string } | null>;
  getPattern: (id: string, options?: CallOptions) => Promise<{ domain: string | null } | null>;
  listEpisodes: AnyRead;
  searchText: AnyRead;
  retrieve: AnyRead;
  listPatterns: AnyRead;
  relevantPatterns: AnyRead;
}

/** The domain a list or search asked for, if it named one. */
const askedDomain = (args: unknown[]) => (args[0] as { domain?: string } | undefined)?.domain ?? null;
const many = (operation: AuditOperation, entityType: string) => (args: unknown[]) => ({
  operation,
  entityType,
  domain: askedDomain(args),
});

/** The store's reads, each audited: what was read or searched, by whom, never what was found. */
export function auditReads<R extends Reads>(audit: AuditLog, reads: R): R {
  return {
    ...reads,
    getEpisode: auditedRead(audit, 1, reads.getEpisode, (args, episode) => ({
      operation: 'read',
      entityType: 'episode',
      entityId: String(args[0]),
      domain: episode?.domain ?? null,
      found: episode !== null,
    })),
    getPattern: auditedRead(audit, 1, reads.getPattern, (args, pattern) => ({
      operation: 'read',
      entityType: 'pattern',
      entityId: String(args[0]),
      domain: pattern?.domain ?? null,
      found: pattern !== null,
    })),
    listEpisodes: auditedRead(audit, 1, reads.listEpisodes, many('read', 'episodes')),
    listPatterns: auditedRead(audit, 1, reads.listPatterns, many('read', 'patterns')),
    relevantPatterns: auditedRead(audit, 1, reads.relevantPatterns, many('read', 'patterns')),
    searchText: auditedRead(audit, 1, reads.searchText, many('search', 'episodes')),
    retrieve: auditedRead(audit, 1, reads.retrieve, many('search', 'episodes')),
  };
}
