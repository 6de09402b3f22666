import { endianness } from 'node:os';

const littleEndian = endianness() === 'LE';

/**
 * A vector as the `embedding` BLOB stores it: float32, little-endian, `dimensions * 4` bytes,
 * the layout libSQL's `F32_BLOB` uses too, so the column stays readable by its vector functions.
 */
export function encodeVector(vector: Float32Array): Uint8Array {
  if (littleEndian)
    return new Uint8Array(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength));
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return bytes;
}

/** Reads a stored vector into `target` (which must have room for it); returns its length. */
export function decodeVectorInto(blob: ArrayBuffer | Uint8Array, target: Float32Array, offset = 0): number {
  const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(blob);
  const length = bytes.byteLength >>> 2;
  if (littleEndian && bytes.byteOffset % 4 === 0) {
    target.set(new Float32Array(bytes.buffer, bytes.byteOffset, length), offset);
    return length;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < length; i += 1) target[offset + i] = view.getFloat32(i * 4, true);
  return length;
}

/**
 * A stored vector as float32 without copying it when its bytes can be read in place (little-endian
 * and 4-byte aligned): a view of `blob`, else a decoded copy. For a reader that copies it at once.
 */
export function readVector(blob: ArrayBuffer | Uint8Array): Float32Array {
  const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(blob);
  if (littleEndian && bytes.byteOffset % 4 === 0)
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  return decodeVector(bytes);
}

export function decodeVector(blob: ArrayBuffer | Uint8Array): Float32Array {
  const vector = new Float32Array(blob.byteLength >>> 2);
  decodeVectorInto(blob, vector);
  return vector;
}

/** Scales `vector` to unit length in place; a zero vector stays zero (it matches nothing). */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i += 1) sum += (vector[i] as number) * (vector[i] as number);
  if (sum === 0) return vector;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i += 1) vector[i] = (vector[i] as number) * scale;
  return vector;
}
