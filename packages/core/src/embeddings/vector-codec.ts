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

/** The stored bytes as float32 in place, when they can be read so (little-endian, 4-byte aligned). */
function inPlace(bytes: Uint8Array): Float32Array | null {
  return littleEndian && bytes.byteOffset % 4 === 0
    ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2)
    : null;
}

/** A stored vector as a float32 array of its own. */
export function decodeVector(blob: ArrayBuffer | Uint8Array): Float32Array {
  const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(blob);
  const view = inPlace(bytes);
  if (view !== null) return view.slice();
  const vector = new Float32Array(bytes.byteLength >>> 2);
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < vector.length; i += 1) vector[i] = data.getFloat32(i * 4, true);
  return vector;
}

/**
 * A stored vector as float32 without copying it when its bytes can be read in place: a view of
 * `blob`, else a decoded copy. For a reader that copies it at once.
 */
export function viewVector(blob: ArrayBuffer | Uint8Array): Float32Array {
  const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(blob);
  return inPlace(bytes) ?? decodeVector(bytes);
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
