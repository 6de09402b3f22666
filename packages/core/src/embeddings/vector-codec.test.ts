import { describe, expect, it } from 'vitest';
import { decodeVector, encodeVector, normalize } from './vector-codec.js';

describe('vector codec', () => {
  it('stores float32 little-endian, 4 bytes per dimension, and reads it back exactly', () => {
    const vector = Float32Array.from([1, -0.5, 3.25, 1e-20]);
    const bytes = encodeVector(vector);
    expect(bytes.byteLength).toBe(16);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getFloat32(4, true)).toBe(-0.5);
    expect(Array.from(decodeVector(bytes))).toEqual(Array.from(vector));
    // a view into a larger buffer encodes only its own elements
    expect(Array.from(decodeVector(encodeVector(vector.subarray(1, 3))))).toEqual([-0.5, 3.25]);
  });

  it('scales to unit length and leaves a zero vector alone', () => {
    expect(Array.from(normalize(Float32Array.from([3, 4])))).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(Array.from(normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});
