import { ExactRows } from './exact-rows.js';
import { instantiateSimilarityKernel, type SimilarityKernel } from './similarity-kernel.js';
import { topK } from './top-k.js';

/** Rows re-scored exactly per result asked for: int8 order is near-exact, so a few spares suffice. */
const rescoreFactor = 4;
const minimumRescored = 64;

export interface MatrixHit {
  row: number;
  /** Exact cosine similarity with the query. */
  similarity: number;
}

const pageBytes = 65_536;
const firstCapacity = 1_024;
const growthFactor = 1.5;

/**
 * Unit vectors kept twice: as exact float32 (`ExactRows`, for the final scores) and quantised to
 * int8 inside the WebAssembly kernel's memory (for the scan). Scanning int8 reads a quarter of the bytes and
 * takes 8 lanes per SIMD multiply-add (`scoreI8`), which is what brings a scan of 100,000 x 384
 * well under the 20 ms budget on two cores; re-scoring the best few hundred rows exactly then
 * gives the same top results as an exact float scan (the bench measures the recall).
 *
 * Layout of the kernel memory: the quantised query at 0 (widened to i16: `scoreI8`), the quantised
 * rows from `matrixAt`, then per row of capacity: the identity row list (0, 1, 2…), the rows'
 * scales, and scratch space for one scan (row numbers, then their scores); these four move
 * whenever the matrix grows.
 */
export class VectorMatrix {
  readonly dimensions: number;
  /** Bytes per quantised row: the dimensions rounded up to the kernel's 32-byte step. */
  readonly stride: number;
  #kernel: SimilarityKernel;
  readonly #matrixAt: number;
  #capacity = 0;
  #size = 0;
  readonly #exact: ExactRows;
  /** Per row: the float value of one int8 step (max |component| / 127), in the kernel's memory. */
  #scales = new Float32Array(0);

  constructor(dimensions: number) {
    this.dimensions = dimensions;
    this.stride = Math.ceil(dimensions / 32) * 32;
    this.#kernel = instantiateSimilarityKernel();
    this.#exact = new ExactRows(dimensions);
    this.#matrixAt = Math.ceil((2 * this.stride) / 64) * 64;
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes held: the kernel's memory (int8 rows, scales, scan space) and the float32 copies, spare capacity included. */
  get bytes(): number {
    return this.#kernel.memory.buffer.byteLength + this.#exact.bytes;
  }

  /** Adds a unit vector; returns its row number. */
  append(vector: Float32Array): number {
    // Growing by half, not double, bounds the spare capacity to a third of what is held.
    if (this.#size === this.#capacity)
      this.#grow(Math.max(firstCapacity, Math.ceil(this.#capacity * growthFactor)));
    const row = this.#size;
    this.#exact.append(vector);
    this.#scales[row] = quantize(
      vector,
      new Int8Array(this.#kernel.memory.buffer, this.#matrixAt + row * this.stride, this.stride),
    );
    this.#size += 1;
    return row;
  }

  /** Where the per-row regions after the matrix start, for a capacity. */
  #layout(capacity: number) {
    const identityAt = this.#matrixAt + capacity * this.stride;
    const scalesAt = identityAt + capacity * 4;
    const rowsAt = scalesAt + capacity * 4;
    return { identityAt, scalesAt, rowsAt, outAt: rowsAt + capacity * 4 };
  }

  /**
   * Approximate cosine similarity of `query` (a unit vector) with each listed row, or with every
   * row when `rows` is null: one score per listed row, in list order, left in the kernel's memory
   * (so valid until the next scan: `search` reads it at once).
   */
  #approximateScores(query: Float32Array, rows: Int32Array | null, count: number): Float32Array {
    const buffer = this.#kernel.memory.buffer;
    const queryScale = quantize(query, new Int16Array(buffer, 0, this.stride));
    const { identityAt, scalesAt, rowsAt, outAt } = this.#layout(this.#capacity);
    const list = new Int32Array(buffer, rows === null ? identityAt : rowsAt, count);
    if (rows !== null) list.set(rows);
    this.#kernel.scoreI8(this.#matrixAt, 0, list.byteOffset, count, this.stride, scalesAt, queryScale, outAt);
    return new Float32Array(buffer, outAt, count);
  }

  /**
   * The `k` rows (of `rows`, or of all when null) most similar to `query` (a unit vector), best
   * first, with exact similarities: an int8 scan picks a shortlist, float32 re-scores it.
   */
  search(query: Float32Array, rows: Int32Array | null, k: number): MatrixHit[] {
    const count = rows === null ? this.#size : rows.length;
    if (count === 0 || k <= 0) return [];
    const approximate = this.#approximateScores(query, rows, count);
    return topK(approximate, count, Math.max(minimumRescored, k * rescoreFactor))
      .map((position) => {
        const row = rows === null ? position : (rows[position] as number);
        return { row, similarity: this.exactScore(query, row) };
      })
      .sort((a, b) => b.similarity - a.similarity || a.row - b.row)
      .slice(0, k);
  }

  /**
   * Keeps only `rows` (ascending row numbers), renumbered 0, 1, 2… in that order: the rows are
   * moved down inside the memory the matrix holds, so a store that deletes as fast as it adds
   * reuses it instead of building a new matrix each time (that was ~20 MB of arrays to collect
   * per compaction at a few thousand vectors). The float32 rows give back the blocks past what is
   * kept (`ExactRows`); the kernel's memory cannot shrink, so only when what is kept would fill a
   * small part of its capacity (a store that shrank for good) is it given back, by one exact-fit copy.
   */
  retain(rows: readonly number[]): void {
    const kept = rows.length;
    rows.forEach((row, at) => {
      if (row !== at) this.#exact.move(row, at);
    });
    this.#exact.truncate(kept);
    if (this.#capacity > firstCapacity && kept * growthFactor ** 2 < this.#capacity) {
      this.#reallocate(rows);
      return;
    }
    const bytes = new Uint8Array(this.#kernel.memory.buffer);
    rows.forEach((row, at) => {
      if (row === at) return;
      const from = this.#matrixAt + row * this.stride;
      bytes.copyWithin(this.#matrixAt + at * this.stride, from, from + this.stride);
      this.#scales[at] = this.#scales[row] as number;
    });
    this.#size = kept;
  }

  /** Copies the quantised `rows` into fresh kernel memory that fits them, with growth room, and drops the old. */
  #reallocate(rows: readonly number[]): void {
    const old = { kernel: this.#kernel, scales: this.#scales };
    this.#kernel = instantiateSimilarityKernel();
    this.#capacity = 0;
    this.#scales = new Float32Array(0);
    this.#grow(Math.max(firstCapacity, Math.ceil(rows.length * growthFactor)));
    const from = new Uint8Array(old.kernel.memory.buffer);
    const to = new Uint8Array(this.#kernel.memory.buffer);
    rows.forEach((row, at) => {
      const start = this.#matrixAt + row * this.stride;
      to.set(from.subarray(start, start + this.stride), this.#matrixAt + at * this.stride);
      this.#scales[at] = old.scales[row] as number;
    });
    this.#size = rows.length;
  }

  /** A copy of one row's exact vector. */
  vector(row: number): Float32Array {
    return this.#exact.vector(row);
  }

  /** Exact cosine similarity of `query` (a unit vector) with one row. */
  exactScore(query: Float32Array, row: number): number {
    return this.#exact.dot(query, row);
  }

  #grow(capacity: number): void {
    // Copied out first: the scales move, and growing the memory detaches the view of them.
    const scales = this.#scales.slice(0, this.#size);
    const { identityAt, scalesAt, outAt } = this.#layout(capacity);
    const needed = outAt + capacity * 4;
    const memory = this.#kernel.memory;
    if (needed > memory.buffer.byteLength)
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / pageBytes));
    // The list 0, 1, 2… that an unfiltered scan reads, written once per growth rather than per scan.
    const identity = new Int32Array(memory.buffer, identityAt, capacity);
    for (let i = 0; i < capacity; i += 1) identity[i] = i;
    this.#scales = new Float32Array(memory.buffer, scalesAt, capacity);
    this.#scales.set(scales);
    this.#capacity = capacity;
  }
}

/**
 * Writes `vector` as int8 values into `target` (zero-padded; a query's is i16, their range the
 * same) and returns the scale that maps an int8 step back to a float. The range is [-127, 127]:
 * the kernel relies on it not to overflow.
 */
function quantize(vector: Float32Array, target: Int8Array | Int16Array): number {
  let max = 0;
  for (let i = 0; i < vector.length; i += 1) max = Math.max(max, Math.abs(vector[i] as number));
  target.fill(0);
  if (max === 0) return 0;
  const factor = 127 / max;
  for (let i = 0; i < vector.length; i += 1) target[i] = Math.round((vector[i] as number) * factor);
  return max / 127;
}
