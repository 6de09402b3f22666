import type { Database } from '../db/database.js';
import { Mutex } from '../db/mutex.js';
import { viewVector } from './vector-codec.js';
import type { VectorFilter } from './vector-filter.js';
import { type EmbeddingKind, type VectorHit, VectorRows } from './vector-rows.js';

const loadPage = 2_000;

/** What the index holds, for `cacheStats()` and `/metrics`. */
export interface VectorIndexStats {
  /** Vectors held (deleted ones excluded). */
  vectors: number;
  /** Bytes held for them: both copies of the matrix with their spare capacity, and the row tables. */
  bytes: number;
}

/**
 * Every vector of one stamp, held in memory for exact-quality top-k search, and kept in step
 * with the `embeddings` table: rows are appended as their rowids grow (inserts by this or any
 * other process), and rows deleted (logged by a trigger in `embedding_deletions`) are dropped
 * one by one; only an index further behind than the bounded log reaches reloads everything.
 */
export class VectorIndex {
  readonly stamp: string;
  readonly #db: Database;
  readonly #dimensions: number;
  readonly #syncs = new Mutex();
  #rows: VectorRows;
  #lastRowid = -1;
  #lastDeletion = -1;
  #reloads = 0;

  constructor(db: Database, stamp: string, dimensions: number) {
    this.#db = db;
    this.stamp = stamp;
    this.#dimensions = dimensions;
    this.#rows = new VectorRows(dimensions);
  }

  /** Vectors currently held. */
  get size(): number {
    return this.#rows.size;
  }

  /** Full loads from the table so far (the first one included). */
  get reloads(): number {
    return this.#reloads;
  }

  stats(): VectorIndexStats {
    return { vectors: this.size, bytes: this.#rows.bytes };
  }

  /**
   * Brings the index up to date with the table: one cheap read when nothing changed. Calls run
   * one after another, so a search that starts after a write has returned always sees it.
   */
  sync(): Promise<void> {
    return this.#syncs.run(() => this.#syncNow());
  }

  /**
   * Syncs, then runs `body` before any other sync can start. A search must run this way: between
   * a plain `sync()` and a search, a concurrent caller's sync may reset the index after a
   * deletion and still be reloading it, and the search would see it half empty.
   */
  whenSynced<T>(body: () => T): Promise<T> {
    return this.#syncs.run(async () => {
      await this.#syncNow();
      return body();
    });
  }

  async #syncNow(): Promise<void> {
    const state = (
      await this.#db.read(
        `SELECT (SELECT MAX(seq) FROM embedding_deletions) AS deletion,
           (SELECT MIN(seq) FROM embedding_deletions) AS oldest, (SELECT MAX(rowid) FROM embeddings) AS last`,
      )
    ).rows[0];
    const deletion = Number(state?.deletion ?? 0);
    const oldest = Number(state?.oldest ?? 0);
    const last = state?.last === null || state?.last === undefined ? 0 : Number(state.last);
    if (this.#lastDeletion < 0 || oldest > this.#lastDeletion + 1) {
      this.#reset(deletion);
      this.#reloads += 1;
    } else if (deletion > this.#lastDeletion) await this.#dropDeleted(deletion);
    if (last > this.#lastRowid) await this.#load(this.#lastRowid, last);
    this.#lastRowid = Math.max(this.#lastRowid, last);
  }

  /** Drops the rows deleted since the last sync, compacting when enough of the matrix is dead. */
  async #dropDeleted(upTo: number): Promise<void> {
    const rows = await this.#db.read({
      sql: 'SELECT embedding_rowid FROM embedding_deletions WHERE seq > ? AND seq <= ? ORDER BY seq',
      args: [this.#lastDeletion, upTo],
    });
    this.#lastDeletion = upTo;
    if (!this.#rows.drop(rows.rows.map((row) => Number(row.embedding_rowid)))) return;
    const liveTop = this.#rows.liveTop;
    if (liveTop < this.#lastRowid) {
      // The newest rows went: SQLite hands their rowids out again, so reload from the live top.
      this.#rows.compact();
      this.#lastRowid = liveTop;
    } else if (this.#rows.sparse) this.#rows.compact();
  }

  /** The `limit` episodes whose best vector is most similar to `query` (a unit vector), best first. */
  search(query: Float32Array, filter: VectorFilter, limit: number): VectorHit[] {
    return this.#rows.search(query, filter, limit);
  }

  /** The unit vector standing for a whole episode, or null when the episode has none under this stamp. */
  episodeVector(episodeId: string): Float32Array | null {
    return this.#rows.episodeVector(episodeId);
  }

  #reset(lastDeletion: number): void {
    this.#rows = new VectorRows(this.#dimensions);
    this.#lastRowid = -1;
    this.#lastDeletion = lastDeletion;
  }

  /**
   * Loads the rows after `rowid` up to `last`, the newest the sync saw: a row written while the
   * pages are read is left to the next sync, which loads everything after `last` (read here too,
   * it would be loaded twice). Other work runs between two pages: loading a large store takes
   * seconds (100,000 episodes: ~4 s), which the first retrieve after opening it used to hold the
   * thread for, every other request waiting.
   */
  async #load(rowid: number, last: number): Promise<void> {
    let after = rowid;
    for (let first = true; ; first = false) {
      if (!first) await new Promise((resolve) => setImmediate(resolve));
      const page = await this.#db.read({
        sql: `SELECT em.rowid AS rid, em.episode_id, em.kind, em.embedding, e.domain, e.task_type, e.created_at,
                s.step_number
              FROM embeddings em JOIN episodes e ON e.id = em.episode_id
              LEFT JOIN steps s ON s.id = em.step_id
              WHERE em.rowid > ? AND em.rowid <= ? AND em.model_name = ?
              ORDER BY em.rowid LIMIT ?`,
        args: [after, last, this.stamp, loadPage],
      });
      for (const row of page.rows) {
        after = Number(row.rid);
        const blob = row.embedding as ArrayBuffer;
        if (blob.byteLength !== this.#dimensions * 4) continue; // cannot happen under one stamp; never worth a crash
        // A view of the row's own bytes: the matrix copies it.
        const vector = viewVector(blob);
        const episode = {
          id: String(row.episode_id),
          domain: String(row.domain),
          taskType: String(row.task_type),
          createdMs: Date.parse(String(row.created_at)),
        };
        const step = row.step_number === null ? null : Number(row.step_number);
        this.#rows.add(vector, episode, String(row.kind) as EmbeddingKind, step, after);
      }
      if (page.rows.length < loadPage) return;
    }
  }
}
