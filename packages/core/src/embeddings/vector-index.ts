import type { Database } from '../db/database.js';
import { Mutex } from '../db/mutex.js';
import { viewVector } from './vector-codec.js';
import { VectorMatrix } from './vector-matrix.js';

/** What a stored vector stands for. */
export type EmbeddingKind = 'episode' | 'step_error';

/** Restrictions applied inside the scan: only rows of matching episodes are scored at all. */
export interface VectorFilter {
  /** Only these domains (the intersection of a domain filter and the caller's scope); absent: all. */
  domains?: readonly string[] | undefined;
  taskType?: string | undefined;
  /** Episodes created at or after / before these times (ms since the epoch). */
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
}

export interface VectorHit {
  episodeId: string;
  /** Cosine similarity of the episode's best-matching vector with the query, in [-1, 1]. */
  similarity: number;
  /** Which of the episode's vectors matched best. */
  kind: EmbeddingKind;
  stepNumber: number | null;
}

const loadPage = 2_000;
/** Rows asked of the matrix per episode wanted. */
const rowsPerEpisode = 2;

interface EpisodeEntry {
  id: string;
  domain: string;
  taskType: string;
  createdMs: number;
}

/** What the index holds, for `cacheStats()` and `/metrics`. */
export interface VectorIndexStats {
  /** Vectors held (deleted ones excluded). */
  vectors: number;
  /** Bytes held for them: both copies of the matrix with their spare capacity, and the row tables. */
  bytes: number;
}

/** Compact once this share of the held rows are deleted ones. */
const compactShare = 0.2;

/**
 * Every vector of one stamp, held in memory for exact-quality top-k search, and kept in step
 * with the `embeddings` table: rows are appended as their rowids grow (inserts by this or any
 * other process), and rows deleted (logged by a trigger in `embedding_deletions`) are dropped
 * one by one; only an index further behind than the bounded log reaches reloads everything.
 * The scan is pre-filtered by domain through per-domain row lists, so a scoped caller's search
 * never scores another domain's vectors.
 */
export class VectorIndex {
  readonly stamp: string;
  readonly #db: Database;
  readonly #dimensions: number;
  readonly #syncs = new Mutex();
  #matrix: VectorMatrix;
  #rowEpisode: number[] = [];
  #rowKind: EmbeddingKind[] = [];
  #rowStep: (number | null)[] = [];
  #episodes: EpisodeEntry[] = [];
  #episodeSlot = new Map<string, number>();
  /** Per episode slot: the row of its whole-episode vector (failed steps have rows of their own). */
  #episodeRow: number[] = [];
  #domainRows = new Map<string, number[]>();
  /** Per row: its `embeddings` rowid (ascending, as rows are loaded in rowid order). */
  #rowRowid: number[] = [];
  #deleted = new Set<number>();
  /** The live rows, for an unfiltered scan while some rows are deleted; rebuilt on demand. */
  #liveRows: Int32Array | null = null;
  #lastRowid = -1;
  #lastDeletion = -1;
  #reloads = 0;

  constructor(db: Database, stamp: string, dimensions: number) {
    this.#db = db;
    this.stamp = stamp;
    this.#dimensions = dimensions;
    this.#matrix = new VectorMatrix(dimensions);
  }

  /** Vectors currently held. */
  get size(): number {
    return this.#matrix.size - this.#deleted.size;
  }

  /** Full loads from the table so far (the first one included). */
  get reloads(): number {
    return this.#reloads;
  }

  stats(): VectorIndexStats {
    // Plain JS arrays of small integers cost 8 bytes per slot (4 per-row tables).
    return { vectors: this.size, bytes: this.#matrix.bytes + this.#matrix.size * 8 * 4 };
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
    const dropped = new Set<number>();
    for (const row of rows.rows) {
      const index = this.#rowOf(Number(row.embedding_rowid));
      if (index === -1 || this.#deleted.has(index)) continue;
      this.#deleted.add(index);
      dropped.add(index);
      const slot = this.#rowEpisode[index] as number;
      if (this.#episodeRow[slot] === index) this.#episodeRow[slot] = -1;
    }
    if (dropped.size === 0) return;
    this.#liveRows = null;
    for (const [domain, list] of this.#domainRows) {
      const kept = list.filter((index) => !dropped.has(index));
      if (kept.length !== list.length) this.#domainRows.set(domain, kept);
    }
    let top = this.#rowRowid.length - 1;
    while (top >= 0 && this.#deleted.has(top)) top -= 1;
    const liveTop = top < 0 ? -1 : (this.#rowRowid[top] as number);
    if (liveTop < this.#lastRowid) {
      // The newest rows went: SQLite hands their rowids out again, so reload from the live top.
      this.#compact();
      this.#lastRowid = liveTop;
    } else if (this.#deleted.size >= this.#matrix.size * compactShare) this.#compact();
  }

  /** The matrix row of an `embeddings` rowid, or -1 (binary search: rows are in rowid order). */
  #rowOf(rowid: number): number {
    let low = 0;
    let high = this.#rowRowid.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = this.#rowRowid[middle] as number;
      if (value === rowid) return middle;
      if (value < rowid) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /**
   * Drops the dead rows from the matrix (in place: no database read, no new matrix) and renumbers
   * the row tables; episodes left without a row are dropped too.
   */
  #compact(): void {
    const live: number[] = [];
    for (let row = 0; row < this.#matrix.size; row += 1) if (!this.#deleted.has(row)) live.push(row);
    this.#matrix.retain(live);
    const old = {
      rowEpisode: this.#rowEpisode,
      rowKind: this.#rowKind,
      rowStep: this.#rowStep,
      rowRowid: this.#rowRowid,
      episodes: this.#episodes,
    };
    this.#clearTables();
    live.forEach((row, index) => {
      this.#place(
        index,
        old.episodes[old.rowEpisode[row] as number] as EpisodeEntry,
        old.rowKind[row] as EmbeddingKind,
        old.rowStep[row] ?? null,
        old.rowRowid[row] as number,
      );
    });
  }

  /** The `limit` episodes whose best vector is most similar to `query` (a unit vector), best first. */
  search(query: Float32Array, filter: VectorFilter, limit: number): VectorHit[] {
    if (limit <= 0) return [];
    // Rows, not episodes: an episode may own several rows (its failed steps), so ask for spares,
    // and for more while some episodes' many rows crowd the others out.
    const candidates = this.#candidateRows(filter);
    let rows = limit * rowsPerEpisode;
    let best = new Map<number, { row: number; similarity: number }>();
    for (;;) {
      const hits = this.#matrix.search(query, candidates, rows);
      best = new Map();
      for (const hit of hits) {
        const slot = this.#rowEpisode[hit.row] as number;
        if (!best.has(slot)) best.set(slot, hit);
      }
      if (best.size >= limit || hits.length < rows) break;
      rows *= 2;
    }
    return [...best.entries()].slice(0, limit).map(([slot, { row, similarity }]) => ({
      episodeId: (this.#episodes[slot] as EpisodeEntry).id,
      similarity,
      kind: this.#rowKind[row] as EmbeddingKind,
      stepNumber: this.#rowStep[row] ?? null,
    }));
  }

  /** The unit vector standing for a whole episode, or null when the episode has none under this stamp. */
  episodeVector(episodeId: string): Float32Array | null {
    const slot = this.#episodeSlot.get(episodeId);
    const row = slot === undefined ? undefined : this.#episodeRow[slot];
    return row === undefined || row === -1 ? null : this.#matrix.vector(row);
  }

  /** Row numbers to scan, or null for all of them (no filter: no list to build). */
  #candidateRows(filter: VectorFilter): Int32Array | null {
    const restrictsEpisodes =
      filter.taskType !== undefined || filter.sinceMs !== undefined || filter.untilMs !== undefined;
    if (filter.domains === undefined && !restrictsEpisodes)
      return this.#deleted.size === 0 ? null : this.#live();
    const lists: number[][] =
      filter.domains === undefined
        ? [...this.#domainRows.values()]
        : [...new Set(filter.domains)].map((domain) => this.#domainRows.get(domain) ?? []);
    const rows: number[] = [];
    for (const list of lists) {
      for (const row of list) {
        if (
          restrictsEpisodes &&
          !this.#matches(this.#episodes[this.#rowEpisode[row] as number] as EpisodeEntry, filter)
        )
          continue;
        rows.push(row);
      }
    }
    return Int32Array.from(rows);
  }

  #live(): Int32Array {
    if (this.#liveRows === null) {
      const rows: number[] = [];
      for (let row = 0; row < this.#matrix.size; row += 1) if (!this.#deleted.has(row)) rows.push(row);
      this.#liveRows = Int32Array.from(rows);
    }
    return this.#liveRows;
  }

  #matches(episode: EpisodeEntry, filter: VectorFilter): boolean {
    if (filter.taskType !== undefined && episode.taskType !== filter.taskType) return false;
    if (filter.sinceMs !== undefined && episode.createdMs < filter.sinceMs) return false;
    if (filter.untilMs !== undefined && episode.createdMs >= filter.untilMs) return false;
    return true;
  }

  #reset(lastDeletion: number): void {
    this.#matrix = new VectorMatrix(this.#dimensions);
    this.#clearTables();
    this.#lastRowid = -1;
    this.#lastDeletion = lastDeletion;
  }

  /** Empties what the rows and episodes are looked up in (the matrix is the caller's). */
  #clearTables(): void {
    this.#rowEpisode = [];
    this.#rowKind = [];
    this.#rowStep = [];
    this.#rowRowid = [];
    this.#episodes = [];
    this.#episodeSlot = new Map();
    this.#episodeRow = [];
    this.#domainRows = new Map();
    this.#deleted = new Set();
    this.#liveRows = null;
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
        this.#add(vector, episode, String(row.kind) as EmbeddingKind, step, after);
      }
      if (page.rows.length < loadPage) return;
    }
  }

  #add(
    vector: Float32Array,
    episode: EpisodeEntry,
    kind: EmbeddingKind,
    step: number | null,
    rowid: number,
  ): void {
    this.#place(this.#matrix.append(vector), episode, kind, step, rowid);
    this.#liveRows = null;
  }

  /** Records what matrix row `index` stands for. */
  #place(
    index: number,
    episode: EpisodeEntry,
    kind: EmbeddingKind,
    step: number | null,
    rowid: number,
  ): void {
    let slot = this.#episodeSlot.get(episode.id);
    if (slot === undefined) {
      slot = this.#episodes.length;
      this.#episodeSlot.set(episode.id, slot);
    }
    // An id forgotten and then started or recorded again names another episode: the newest rows say which.
    this.#episodes[slot] = episode;
    this.#rowEpisode[index] = slot;
    this.#rowKind[index] = kind;
    this.#rowStep[index] = step;
    this.#rowRowid[index] = rowid;
    if (kind === 'episode') this.#episodeRow[slot] = index;
    const list = this.#domainRows.get(episode.domain);
    if (list === undefined) this.#domainRows.set(episode.domain, [index]);
    else list.push(index);
  }
}
