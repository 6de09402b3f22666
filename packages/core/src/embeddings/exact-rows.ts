/** Rows per block: 1,024 rows of 384 floats are 1.5 MiB. */
const blockRows = 1_024;

/**
 * Float32 rows of one width, kept in blocks of `blockRows` rows. Appending never copies what is
 * held: one array regrown by half copied every row again at each growth and touched about three
 * times the memory it kept (a CPU profile of a load of 160,240 rows of 384 floats charged it 1.75 s
 * of 6.6). A store that shrinks gives back whole blocks.
 */
export class ExactRows {
  readonly dimensions: number;
  readonly #blocks: Float32Array[] = [];
  #size = 0;

  constructor(dimensions: number) {
    this.dimensions = dimensions;
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes held, the spare rows of the last block included. */
  get bytes(): number {
    return this.#blocks.length * blockRows * this.dimensions * 4;
  }

  /** Adds a row; returns its number. */
  append(vector: Float32Array): number {
    const row = this.#size;
    if (row === this.#blocks.length * blockRows)
      this.#blocks.push(new Float32Array(blockRows * this.dimensions));
    this.#blockOf(row).set(vector, this.#offsetOf(row));
    this.#size += 1;
    return row;
  }

  /** A copy of one row. */
  vector(row: number): Float32Array {
    const at = this.#offsetOf(row);
    return this.#blockOf(row).slice(at, at + this.dimensions);
  }

  /** The dot product of `query` with one row. */
  dot(query: Float32Array, row: number): number {
    const block = this.#blockOf(row);
    let sum = 0;
    for (let d = 0, at = this.#offsetOf(row); d < this.dimensions; d += 1, at += 1)
      sum += (block[at] as number) * (query[d] as number);
    return sum;
  }

  /** Writes row `from` over row `to`. */
  move(from: number, to: number): void {
    const at = this.#offsetOf(from);
    this.#blockOf(to).set(this.#blockOf(from).subarray(at, at + this.dimensions), this.#offsetOf(to));
  }

  /** Keeps the first `size` rows, and the blocks that hold them. */
  truncate(size: number): void {
    this.#size = Math.min(size, this.#size);
    this.#blocks.length = Math.ceil(this.#size / blockRows);
  }

  #blockOf(row: number): Float32Array {
    return this.#blocks[Math.floor(row / blockRows)] as Float32Array;
  }

  #offsetOf(row: number): number {
    return (row % blockRows) * this.dimensions;
  }
}
