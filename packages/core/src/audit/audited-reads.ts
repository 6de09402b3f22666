import type { CallOptions } from '../types.js';
import { type AuditEvent, type AuditOperation, type AuditOutcome, localActor } from './audit-event.js';
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
  // Runs on every read, cache hits included: the event is built field by field, without the
  // rest and spread copies that would show up in a busy server's profile.
  const entry = (event: What & { found?: boolean }, actor: string, outcome: AuditOutcome): AuditEvent => ({
    actor,
    operation: event.operation,
    entityType: event.entityType,
    entityId: event.entityId,
    domain: event.domain,
    outcome,
  });
  const audited = async (...args: unknown[]) => {
    const actor = (args[arity] as CallOptions | undefined)?.actor ?? localActor;
    try {
      const result = await read(...args);
      const event = what(args, result as Awaited<ReturnType<F>>);
      audit.record(entry(event, actor, event.found === false ? 'error' : 'ok'));
      const backlog = audit.backlog();
      if (backlog !== undefined) await backlog;
      return result;
    } catch (error) {
      const denied = (error as { code?: string }).code === 'FORBIDDEN';
      audit.record(entry(what(args, undefined), actor, denied ? 'denied' : 'error'));
      throw error;
    }
  };
  const wrapped = (...args: unknown[]) => audit.track(audited(...args));
  return wrapped as F;
}

interface Reads {
  getEpisode: (id: string, options?: CallOptions) => Promise<{ domain: string } | null>;
  getEpisodeJson: (id: string, options?: CallOptions) => Promise<{ domain: string } | null>;
  getPattern: (id: string, options?: CallOptions) => Promise<{ domain: string | null } | null>;
  listSteps: (id: string, input?: never, options?: CallOptions) => Promise<{ domain: string } | null>;
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

/**
 * One episode read, by id, as an object or as its JSON text. Episode ids are UUIDs, read in
 * either case and stored in lower case: the entry names the episode as stored, or a search of the
 * log for an episode's id misses the reads that spelled it in upper case.
 */
const episodeRead = (args: unknown[], episode: { domain: string } | null | undefined) => ({
  operation: 'read' as const,
  entityType: 'episode',
  entityId: String(args[0]).toLowerCase(),
  domain: episode?.domain ?? null,
  found: episode !== null,
});

/** The store's reads, each audited: what was read or searched, by whom, never what was found. */
export function auditReads<R extends Reads>(audit: AuditLog, reads: R): Pick<R, keyof Reads> {
  return {
    getEpisode: auditedRead(audit, 1, reads.getEpisode, episodeRead),
    getEpisodeJson: auditedRead(audit, 1, reads.getEpisodeJson, episodeRead),
    getPattern: auditedRead(audit, 1, reads.getPattern, (args, pattern) => ({
      operation: 'read',
      entityType: 'pattern',
      entityId: String(args[0]),
      domain: pattern?.domain ?? null,
      found: pattern !== null,
    })),
    // A page of an episode's steps is a read of that episode.
    listSteps: auditedRead(audit, 2, reads.listSteps, episodeRead),
    listEpisodes: auditedRead(audit, 1, reads.listEpisodes, many('read', 'episodes')),
    listPatterns: auditedRead(audit, 1, reads.listPatterns, many('read', 'patterns')),
    relevantPatterns: auditedRead(audit, 1, reads.relevantPatterns, many('read', 'patterns')),
    searchText: auditedRead(audit, 1, reads.searchText, many('search', 'episodes')),
    retrieve: auditedRead(audit, 1, reads.retrieve, many('search', 'episodes')),
  };
}
