import type { InStatement, Transaction } from '@libsql/client';
import type { Database } from '../db/database.js';
import { blobText } from '../db/rows.js';
import { SqlFilter } from '../db/sql-filter.js';
import { EpisodicError } from '../errors.js';
import type { Logger } from '../logger.js';
import { wellFormed } from '../schemas/stored-text.js';
import type { AccessScope } from '../types.js';
import { parseInput } from '../validate.js';
import { type AuditEntry, type AuditEvent, type AuditQuery, auditQuerySchema } from './audit-event.js';
import type { ResolvedAuditOptions } from './audit-options.js';
import { createReadAggregate } from './read-aggregate.js';

/** Reads are written in batches: at most this long after they happen… */
const flushAfterMs = 500;
/** …or as soon as this many are waiting. */
const flushAtEntries = 1000;

type AuditRow = [string, string, string, string, string | null, string | null, string, number];

/** Ids and names as given: a lone surrogate in one (a lookup of a malformed id) is replaced (`wellFormed`). */
function row(event: AuditEvent, at: string): AuditRow {
  return [
    at,
    wellFormed(event.actor),
    event.operation,
    wellFormed(event.entityType),
    event.entityId == null ? null : wellFormed(event.entityId),
    event.domain == null ? null : wellFormed(event.domain),
    event.outcome,
    1,
  ];
}

const insertOne = `INSERT INTO audit_log (at, actor, operation, entity_type, entity_id, domain, outcome)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;

/**
 * Rows as one INSERT of a JSON array: one short statement and one argument however many rows
 * there are. Binding seven arguments per row costs a busy server more than the rows themselves.
 */
function insert(rows: readonly AuditRow[]): InStatement {
  return {
    sql: `INSERT INTO audit_log (at, actor, operation, entity_type, entity_id, domain, outcome, count)
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
            value ->> 7
          FROM json_each(?) ORDER BY key`,
    args: [JSON.stringify(rows)],
  };
}

/**
 * ISO timestamps, formatted once per millisecond: a busy server records several reads in the
 * same millisecond, and formatting a date costs more than the rest of recording one.
 */
function isoClock() {
  let lastMs = Number.NaN;
  let lastIso = '';
  return {
    now(): string {
      const ms = Date.now();
      if (ms !== lastMs) {
        lastMs = ms;
        lastIso = new Date(ms).toISOString();
      }
      return lastIso;
    },
  };
}

/**
 * The append-only record of every data operation. A write is audited inside its own
 * transaction (`inTransaction`), so the two commit or roll back together. Reads are many and
 * must not cost a write each, so they are buffered and written in batches; a batch that fails to
 * write stays buffered for the next attempt, and `close` writes what is left: none is dropped.
 * The buffer is bounded (`maxPending`): past it, recording fails loudly instead. With
 * `reads: 'per-minute'`, reads and searches are counted per caller and minute instead.
 */
export function createAuditLog(
  db: Database,
  logger: Logger,
  options: Pick<ResolvedAuditOptions, 'reads' | 'maxPending'> = { reads: 'each', maxPending: 100_000 },
) {
  const clock = isoClock();
  const aggregate = options.reads === 'per-minute' ? createReadAggregate() : null;
  let pending: AuditRow[] = [];
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const reading = new Set<Promise<unknown>>();

  /** Writes what is buffered; the counts of the minute still running only when `all`. */
  async function writePending(all: boolean): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (aggregate !== null) {
      pending.push(...aggregate.take(clock.now(), all));
      if (aggregate.size > 0) schedule();
    }
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      await db.write((tx) => tx.execute(insert(batch)));
    } catch (error) {
      pending = [...batch, ...pending];
      logger.warn(
        `episodic: ${batch.length} audit entries not written yet, will retry: ${(error as Error).message}`,
      );
      schedule();
    }
  }

  function write(all: boolean): Promise<void> {
    flushing = flushing.then(() => writePending(all));
    return flushing;
  }

  /** Writes everything buffered, counts of the running minute included (at close, before a backup). */
  const flush = (): Promise<void> => write(true);

  function schedule(): void {
    if (timer === undefined) {
      timer = setTimeout(() => void write(false), flushAfterMs);
      timer.unref();
    }
  }

  return {
    /**
     * Records a write's audit row in the write's own transaction: one row, so plain arguments to
     * a statement the driver keeps prepared, cheaper than building and parsing a JSON array.
     */
    inTransaction(tx: Transaction, event: AuditEvent): Promise<unknown> {
      return tx.execute({ sql: insertOne, args: row(event, new Date().toISOString()) });
    },

    /** Records a read, a search, or a refusal whose transaction rolled back; written soon, in a batch. */
    record(event: AuditEvent): void {
      if (pending.length + (aggregate?.size ?? 0) >= options.maxPending) {
        throw new EpisodicError(
          'STORAGE',
          `The audit log could not be written and ${options.maxPending} entries are waiting; ` +
            'refusing to go on unaudited (see the warnings logged before this).',
        );
      }
      const at = clock.now();
      if (aggregate?.add(event, at) !== true) pending.push(row(event, at));
      if (pending.length >= flushAtEntries) void write(false);
      else schedule();
    },

    flush,

    /**
     * Holds a read in flight until it ends: its entry is recorded only then, so `close` waits for
     * `readsEnded()` before its last flush, or the entry of a read running at close is lost.
     */
    track<T>(read: Promise<T>): Promise<T> {
      reading.add(read);
      const forget = () => reading.delete(read);
      read.then(forget, forget);
      return read;
    },

    /** Settles once every read tracked so far has ended, however it ended. */
    async readsEnded(): Promise<void> {
      await Promise.allSettled([...reading]);
    },

    /**
     * The batch writes queued once a batch's worth of entries waits, for a reader to await: a
     * loop of cache hits records entries faster than the batch inserts write them, and without
     * the wait it was refused at about 61,000 reads with a bound of 1,100 (the cache bench at
     * 160,000 with the default), the log being healthy.
     */
    backlog(): Promise<void> | undefined {
      return pending.length >= flushAtEntries ? flushing : undefined;
    },

    /** Entries oldest first, filtered by time, actor, operation and outcome, limited to the scope's domains. */
    async query(input: AuditQuery = {}, scope?: AccessScope): Promise<AuditEntry[]> {
      const filters = parseInput(auditQuerySchema, input, 'audit query');
      const where = new SqlFilter()
        .when('at >= ?', filters.since)
        .when('at < ?', filters.until)
        .when('actor = ?', filters.actor)
        .when('operation = ?', filters.operation)
        .when('outcome = ?', filters.outcome)
        .when('seq > ?', filters.afterSeq)
        .scope('domain', scope);
      const rows = await db.read({
        // The callers' ids and names as blobs: a row an older process wrote after this store was
        // brought to 1.26.0 may hold bytes that are not UTF-8 (see v1-26-0.ts), and reading them
        // as text ends the process.
        sql: `SELECT seq, at, CAST(actor AS BLOB) AS actor, operation, CAST(entity_type AS BLOB) AS entity_type,
                CAST(entity_id AS BLOB) AS entity_id, CAST(domain AS BLOB) AS domain, outcome, count FROM audit_log
              WHERE ${where.sql} ORDER BY seq LIMIT ?`,
        args: [...where.args, filters.limit],
      });
      return rows.rows.map((row) => ({
        seq: Number(row.seq),
        at: String(row.at),
        actor: blobText(row.actor) ?? '',
        operation: String(row.operation) as AuditEntry['operation'],
        entityType: blobText(row.entity_type) ?? '',
        entityId: blobText(row.entity_id),
        domain: blobText(row.domain),
        outcome: String(row.outcome) as AuditEntry['outcome'],
        count: Number(row.count),
      }));
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
