import { type EpisodeEntry, matchesFilter, type VectorFilter } from './vector-filter.js';
import { VectorMatrix } from './vector-matrix.js';

/** What a stored vector stands for. */
export type EmbeddingKind = 'episode' | 'step_error';

export interface VectorHit {
  episodeId: string;
  /** Cosine similarity of the episode's best-matching vector with the query, in [-1, 1]. */
  similarity: number;
  /** Which of the episode's vectors matched best. */
  kind: EmbeddingKind;
  stepNumber: number | null;
}

/** Rows asked of the matrix per episode wanted. */
const rowsPerEpisode = 2;

/** Compact once this share of the held rows are deleted ones. */
const compactShare = 0.2;

/**
 * The vectors a `VectorIndex` holds, one matrix row each, and what each row stands for: its
 * episode, kind, step and `embeddings` rowid. The scan is pre-filtered by domain through
 * per-domain row lists, so a scoped caller's search never scores another domain's vectors.
 */
export class VectorRows {
  readonly #matrix: VectorMatrix;
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

  constructor(dimensions: number) {
    this.#matrix = new VectorMatrix(dimensions);
  }

  /** Vectors currently held. */
  get size(): number {
    return this.#matrix.size - this.#deleted.size;
  }

  /** Bytes held: both copies of the matrix with their spare capacity, and the row tables. */
  get bytes(): number {
    // Plain JS arrays of small integers cost 8 bytes per slot (4 per-row tables).
    return this.#matrix.bytes + this.#matrix.size * 8 * 4;
  }

  /** Holds `vector` as the row of `embeddings` rowid `rowid`. */
  add(
    vector: Float32Array,
    episode: EpisodeEntry,
    kind: EmbeddingKind,
    step: number | null,
    rowid: number,
  ): void {
    this.#place(this.#matrix.append(vector), episode, kind, step, rowid);
    this.#liveRows = null;
  }

  /** Marks the rows of these `embeddings` rowids deleted; false when none of them was held. */
  drop(rowids: readonly number[]): boolean {
    const dropped = new Set<number>();
    for (const rowid of rowids) {
      const index = this.#rowOf(rowid);
      if (index === -1 || this.#deleted.has(index)) continue;
      this.#deleted.add(index);
      dropped.add(index);
      const slot = this.#rowEpisode[index] as number;
      if (this.#episodeRow[slot] === index) this.#episodeRow[slot] = -1;
    }
    if (dropped.size === 0) return false;
    this.#liveRows = null;
    for (const [domain, list] of this.#domainRows) {
      const kept = list.filter((index) => !dropped.has(index));
      if (kept.length !== list.length) this.#domainRows.set(domain, kept);
    }
    return true;
  }

  /** The `embeddings` rowid of the newest live row, -1 when none. */
  get liveTop(): number {
    let top = this.#rowRowid.length - 1;
    while (top >= 0 && this.#deleted.has(top)) top -= 1;
    return top < 0 ? -1 : (this.#rowRowid[top] as number);
  }

  /** Whether enough of the held rows are deleted ones to compact. */
  get sparse(): boolean {
    return this.#deleted.size >= this.#matrix.size * compactShare;
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
  compact(): void {
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

  /** The unit vector standing for a whole episode, or null when the episode has none held. */
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
          !matchesFilter(this.#episodes[this.#rowEpisode[row] as number] as EpisodeEntry, filter)
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
