import type { Database } from '../db/database.js';
import { Mutex } from '../db/mutex.js';
import { decodeVectorInto } from './vector-codec.js';
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

/**
 * Every vector of one stamp, held in memory for exact-quality top-k search, and kept in step
 * with the `embeddings` table: rows are appended as their rowids grow (inserts by this or any
 * other process), and any deletion (counted by a trigger) makes the next search reload all.
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
  #lastRowid = -1;
  #deletions = -1;

  constructor(db: Database, stamp: string, dimensions: number) {
    this.#db = db;
    this.stamp = stamp;
    this.#dimensions = dimensions;
    this.#matrix = new VectorMatrix(dimensions);
  }

  /** Vectors currently held. */
  get size(): number {
    return this.#matrix.size;
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
        'SELECT (SELECT deletions FROM embedding_changes WHERE id = 1) AS deletions, (SELECT MAX(rowid) FROM embeddings) AS last',
      )
    ).rows[0];
    const deletions = Number(state?.deletions ?? 0);
    const last = state?.last === null || state?.last === undefined ? 0 : Number(state.last);
    if (deletions !== this.#deletions) this.#reset(deletions);
    if (last > this.#lastRowid) await this.#loadAfter(this.#lastRowid);
    this.#lastRowid = Math.max(this.#lastRowid, last);
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
    return row === undefined ? null : this.#matrix.vector(row);
  }

  /** Row numbers to scan, or null for all of them (no filter: no list to build). */
  #candidateRows(filter: VectorFilter): Int32Array | null {
    const restrictsEpisodes =
      filter.taskType !== undefined || filter.sinceMs !== undefined || filter.untilMs !== undefined;
    if (filter.domains === undefined && !restrictsEpisodes) return null;
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

  #matches(episode: EpisodeEntry, filter: VectorFilter): boolean {
    if (filter.taskType !== undefined && episode.taskType !== filter.taskType) return false;
    if (filter.sinceMs !== undefined && episode.createdMs < filter.sinceMs) return false;
    if (filter.untilMs !== undefined && episode.createdMs >= filter.untilMs) return false;
    return true;
  }

  #reset(deletions: number): void {
    this.#matrix = new VectorMatrix(this.#dimensions);
    this.#rowEpisode = [];
    this.#rowKind = [];
    this.#rowStep = [];
    this.#episodes = [];
    this.#episodeSlot = new Map();
    this.#episodeRow = [];
    this.#domainRows = new Map();
    this.#lastRowid = -1;
    this.#deletions = deletions;
  }

  async #loadAfter(rowid: number): Promise<void> {
    let after = rowid;
    for (;;) {
      const page = await this.#db.read({
        sql: `SELECT em.rowid AS rid, em.episode_id, em.kind, em.embedding, e.domain, e.task_type, e.created_at,
                s.step_number
              FROM embeddings em JOIN episodes e ON e.id = em.episode_id
              LEFT JOIN steps s ON s.id = em.step_id
              WHERE em.rowid > ? AND em.model_name = ?
              ORDER BY em.rowid LIMIT ?`,
        args: [after, this.stamp, loadPage],
      });
      for (const row of page.rows) {
        after = Number(row.rid);
        const blob = row.embedding as ArrayBuffer;
        if (blob.byteLength !== this.#dimensions * 4) continue; // cannot happen under one stamp; never worth a crash
        const vector = new Float32Array(this.#dimensions);
        decodeVectorInto(blob, vector);
        const slot = this.#slotOf(row);
        const index = this.#matrix.append(vector);
        this.#rowEpisode[index] = slot;
        this.#rowKind[index] = String(row.kind) as EmbeddingKind;
        this.#rowStep[index] = row.step_number === null ? null : Number(row.step_number);
        if (this.#rowKind[index] === 'episode') this.#episodeRow[slot] = index;
        const domain = (this.#episodes[slot] as EpisodeEntry).domain;
        const list = this.#domainRows.get(domain);
        if (list === undefined) this.#domainRows.set(domain, [index]);
        else list.push(index);
      }
      if (page.rows.length < loadPage) return;
    }
  }

  #slotOf(row: Record<string, unknown>): number {
    const id = String(row.episode_id);
    let slot = this.#episodeSlot.get(id);
    if (slot === undefined) {
      slot = this.#episodes.length;
      this.#episodes.push({
        id,
        domain: String(row.domain),
        taskType: String(row.task_type),
        createdMs: Date.parse(String(row.created_at)),
      });
      this.#episodeSlot.set(id, slot);
    }
    return slot;
  }
}
