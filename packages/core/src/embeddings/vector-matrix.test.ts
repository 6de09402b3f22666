import { describe, expect, it } from 'vitest';
import { normalize } from './vector-codec.js';
import { VectorMatrix } from './vector-matrix.js';

const dimensions = 64;

let seed = 7;
function randomVector(): Float32Array {
  return normalize(
    Float32Array.from({ length: dimensions }, () => {
      seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
      return seed / 4_294_967_296 - 0.5;
    }),
  );
}

function filled(rows: number): { matrix: VectorMatrix; vectors: Float32Array[] } {
  const matrix = new VectorMatrix(dimensions);
  const vectors = Array.from({ length: rows }, randomVector);
  for (const vector of vectors) matrix.append(vector);
  return { matrix, vectors };
}

/** Rows of `vectors` by exact similarity to `query`, best first. */
function exactOrder(vectors: Float32Array[], query: Float32Array, k: number): number[] {
  return vectors
    .map((vector, row) => ({ row, score: vector.reduce((sum, v, i) => sum + v * (query[i] as number), 0) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((hit) => hit.row);
}

describe('VectorMatrix.retain', () => {
  it('keeps the listed rows, renumbered in order, in the memory it holds', () => {
    const { matrix, vectors } = filled(3_000);
    const bytes = matrix.bytes;
    const rows = vectors.map((_, row) => row).filter((row) => row % 4 !== 1);
    matrix.retain(rows);
    expect(matrix.size).toBe(rows.length);
    expect(matrix.bytes).toBe(bytes);
    const kept = rows.map((row) => vectors[row] as Float32Array);
    kept.forEach((vector, at) => expect(matrix.vector(at)).toEqual(vector));
    const query = randomVector();
    expect(matrix.search(query, null, 10).map((hit) => hit.row)).toEqual(exactOrder(kept, query, 10));
    // Appending after a compaction fills the next row.
    const added = randomVector();
    expect(matrix.append(added)).toBe(rows.length);
    expect(matrix.search(added, null, 1)[0]?.row).toBe(rows.length);
  });

  it('gives its memory back when what is kept fills a small part of it (a store that shrank for good)', () => {
    const { matrix, vectors } = filled(10_000);
    const bytes = matrix.bytes;
    const rows = vectors.map((_, row) => row).filter((row) => row % 10 === 3);
    matrix.retain(rows);
    expect(matrix.size).toBe(1_000);
    expect(matrix.bytes).toBeLessThan(bytes / 4);
    const kept = rows.map((row) => vectors[row] as Float32Array);
    kept.forEach((vector, at) => expect(matrix.vector(at)).toEqual(vector));
    const query = randomVector();
    expect(matrix.search(query, null, 10).map((hit) => hit.row)).toEqual(exactOrder(kept, query, 10));
    const filter = Int32Array.from([0, 5, 999]);
    expect(
      matrix
        .search(query, filter, 3)
        .map((hit) => hit.row)
        .sort((a, b) => a - b),
    ).toEqual([0, 5, 999]);
  });
});
