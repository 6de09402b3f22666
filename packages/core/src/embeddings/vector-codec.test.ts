import { describe, expect, it } from 'vitest';
import { decodeVector, encodeVector, normalize, viewVector } from './vector-codec.js';

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

  it('reads a stored vector in place when its bytes are aligned, and copies it when they are not', () => {
    const vector = Float32Array.from([1, -0.5, 3.25]);
    const stored = encodeVector(vector).buffer as ArrayBuffer;
    const inPlace = viewVector(stored);
    expect(Array.from(inPlace)).toEqual(Array.from(vector));
    expect(inPlace.buffer).toBe(stored);
    // The same bytes one byte into a buffer (as a driver's pooled Buffer may hold them).
    const shifted = new Uint8Array(stored.byteLength + 1);
    shifted.set(new Uint8Array(stored), 1);
    const copied = viewVector(shifted.subarray(1));
    expect(Array.from(copied)).toEqual(Array.from(vector));
    expect(copied.buffer).not.toBe(shifted.buffer);
  });

  it('scales to unit length and leaves a zero vector alone', () => {
    expect(Array.from(normalize(Float32Array.from([3, 4])))).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(Array.from(normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});
