import type { InArgs, InStatement, InValue, ResultSet, Value } from '@libsql/client';
import Libsql from 'libsql';
import { createResultSet, createRowShape, type RowShape } from './native-result-set.js';

/** Distinct statements kept prepared per connection; lists of `?` of varying length make many. */
const cachedStatements = 256;
/**
 * And at most this much SQL text, the longest statement kept being an eighth of it. A prepared
 * statement's native memory grows with its text (~30–70 bytes per character: one INSERT of 50
 * rows of 15 values holds ~170 KB), and long `IN (?, …)` and `VALUES` lists come in a new length
 * now and then: counted alone, the cache grew a serving process by ~45 MB per connection over
 * hours. Long statements rarely recur with the same length, so they are prepared per call.
 */
const cachedSqlChars = 64 * 1024;
const longestCachedSql = cachedSqlChars / 8;

interface Prepared {
  statement: Libsql.Statement;
  /** Set for statements that return rows (SELECT, PRAGMA, RETURNING). */
  shape: RowShape | null;
}

export interface NativeConnectionOptions {
  busyTimeoutMs: number;
  encryptionKey?: string | undefined;
  /** Most memory the connection keeps database pages in, in MiB; SQLite's own default (2 MiB) when absent. */
  pageCacheMiB?: number | undefined;
}

/**
 * One connection of the synchronous `libsql` driver, with its statements prepared once and kept:
 * parsing and planning a statement costs several times more than running it, and
 * `@libsql/client` does both on every call.
 */
export class NativeConnection {
  readonly #db: Libsql.Database;
  readonly #statements = new Map<string, Prepared>();
  #cachedChars = 0;

  constructor(path: string, options: NativeConnectionOptions) {
    this.#db = new Libsql(path, {
      timeout: options.busyTimeoutMs,
      ...(options.encryptionKey === undefined ? {} : { encryptionKey: options.encryptionKey }),
    } as Libsql.Options);
    // A negative cache_size is KiB, not pages: the bound holds whatever the page size.
    if (options.pageCacheMiB !== undefined)
      this.#db.exec(`PRAGMA cache_size = -${options.pageCacheMiB * 1024}`);
  }

  get inTransaction(): boolean {
    return this.#db.open && this.#db.inTransaction;
  }

  execute(statement: InStatement): ResultSet {
    const sql = typeof statement === 'string' ? statement : statement.sql;
    const args = typeof statement === 'string' ? [] : toSqlArgs(statement.args);
    const prepared = this.#prepare(sql);
    if (prepared.shape !== null) {
      const rows = prepared.statement.all(args) as Value[][];
      // SQLite re-prepares a kept statement after a schema change; `SELECT *` may then have other columns.
      if (rows[0] !== undefined && rows[0].length !== prepared.shape.columns.length)
        prepared.shape = createRowShape(prepared.statement.columns());
      return createResultSet(prepared.shape, rows, 0, undefined);
    }
    const info = prepared.statement.run(args);
    return createResultSet(null, [], info.changes, BigInt(info.lastInsertRowid));
  }

  /** Runs statements that may not be prepared one by one (several statements, no arguments). */
  executeMultiple(sql: string): void {
    this.#db.exec(sql);
  }

  /** Rolls back whatever transaction is open; a connection is never reused mid-transaction. */
  rollbackIfOpen(): void {
    if (this.inTransaction) this.#db.exec('ROLLBACK');
  }

  close(): void {
    this.#statements.clear();
    this.#cachedChars = 0;
    if (this.#db.open) this.#db.close();
  }

  #prepare(sql: string): Prepared {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) {
      // Least recently used goes first: a hot statement must outlive the churn of long lists.
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const statement = this.#db.prepare(sql);
    let shape: RowShape | null = null;
    if (statement.reader) {
      statement.raw(true);
      shape = createRowShape(statement.columns());
    }
    const prepared = { statement, shape };
    if (sql.length > longestCachedSql) return prepared;
    this.#statements.set(sql, prepared);
    this.#cachedChars += sql.length;
    // A dropped statement's native memory is freed when its wrapper is collected.
    for (const oldest of this.#statements.keys()) {
      if (this.#statements.size <= cachedStatements && this.#cachedChars <= cachedSqlChars) break;
      this.#statements.delete(oldest);
      this.#cachedChars -= oldest.length;
    }
    return prepared;
  }
}

/**
 * The values `@libsql/client` accepts, in the form the native driver binds. The driver aborts
 * the process on a boolean and binds `undefined` as NULL, so both are settled here.
 */
function toSqlValue(value: InValue): unknown {
  switch (typeof value) {
    case 'string':
    case 'bigint':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError('Only finite numbers can be passed as arguments');
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'undefined':
      throw new TypeError('undefined cannot be passed as argument to the database');
    default:
      if (value === null) return null;
      if (value instanceof ArrayBuffer) return Buffer.from(value);
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (value instanceof Date) return value.valueOf();
      throw new TypeError(`Unsupported argument type: ${Object.prototype.toString.call(value)}`);
  }
}

export function toSqlArgs(args: InArgs | undefined): unknown[] | Record<string, unknown> {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args.map(toSqlValue);
  const named: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    // The client accepts `:name`, `@name` and `$name`; the driver wants the bare name.
    named[/^[:@$]/.test(name) ? name.slice(1) : name] = toSqlValue(value);
  }
  return named;
}
