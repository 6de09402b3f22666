import { describe, expect, it } from 'vitest';
import { ExactRows } from './exact-rows.js';

const dimensions = 8;
/** Row `n`'s vector: every component names the row, so a row read from the wrong place shows. */
const rowVector = (n: number) => Float32Array.from({ length: dimensions }, (_, d) => n + d / 10);

function filled(count: number): ExactRows {
  const rows = new ExactRows(dimensions);
  for (let n = 0; n < count; n += 1) expect(rows.append(rowVector(n))).toBe(n);
  return rows;
}

describe('ExactRows', () => {
  it('reads back every row as appended, on both sides of a block boundary', () => {
    const rows = filled(2_500);
    expect(rows.size).toBe(2_500);
    for (const n of [0, 1_023, 1_024, 2_047, 2_048, 2_499]) expect(rows.vector(n)).toEqual(rowVector(n));
    const query = Float32Array.from({ length: dimensions }, (_, d) => d);
    const expected = rowVector(1_024).reduce((sum, value, d) => sum + value * d, 0);
    expect(rows.dot(query, 1_024)).toBeCloseTo(expected, 3);
  });

  it('returns a copy, not a view of what it holds', () => {
    const rows = filled(3);
    rows.vector(1).fill(0);
    expect(rows.vector(1)).toEqual(rowVector(1));
  });

  it('moves rows down across blocks, and gives back the blocks past what it keeps', () => {
    const rows = filled(3_000);
    const bytes = rows.bytes;
    const kept = [5, 1_500, 2_999];
    kept.forEach((from, to) => rows.move(from, to));
    rows.truncate(kept.length);
    expect(rows.size).toBe(3);
    expect(rows.bytes).toBe(bytes / 3);
    kept.forEach((from, to) => expect(rows.vector(to)).toEqual(rowVector(from)));
    // The next row goes after what was kept, also once a block fills again.
    expect(rows.append(rowVector(7))).toBe(3);
    expect(rows.vector(3)).toEqual(rowVector(7));
    rows.truncate(0);
    expect(rows.bytes).toBe(0);
    expect(filled(1_024).bytes).toBe(bytes / 3);
  });
});
