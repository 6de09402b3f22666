import type { InStatement, ResultSet, Transaction } from '@libsql/client';
import type { NativeConnection } from './native-connection.js';

/**
 * A write transaction on the native connection, with `@libsql/client`'s `Transaction` surface so
 * that every write section runs unchanged on either driver. The statements run synchronously;
 * the promises only keep the contract.
 */
export class NativeTransaction implements Transaction {
  readonly #connection: NativeConnection;
  #settled = false;

  constructor(connection: NativeConnection) {
    this.#connection = connection;
  }

  get closed(): boolean {
    return this.#settled || !this.#connection.inTransaction;
  }

  async execute(statement: InStatement): Promise<ResultSet> {
    return this.#open().execute(statement);
  }

  async batch(statements: InStatement[]): Promise<ResultSet[]> {
    const connection = this.#open();
    return statements.map((statement) => connection.execute(statement));
  }

  async executeMultiple(sql: string): Promise<void> {
    this.#open().executeMultiple(sql);
  }

  async commit(): Promise<void> {
    this.#open().execute('COMMIT');
    // Only now: a COMMIT that failed (busy, a deferred foreign key) leaves the transaction to roll back.
    this.#settled = true;
  }

  async rollback(): Promise<void> {
    this.close();
  }

  close(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#connection.rollbackIfOpen();
  }

  #open(): NativeConnection {
    if (this.closed) throw new Error('The transaction is closed');
    return this.#connection;
  }
}
