import { StaticEmbeddingsError } from './static-embeddings-error.js';

/** One tensor of a safetensors file: its bytes stay a view into the file's buffer. */
export interface Tensor {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

const elementBytes: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I8: 1,
  U8: 1,
};
/** A header past this is no embedding table's: refuse it rather than parse hundreds of MB of JSON. */
const maxHeaderBytes = 64 * 1024 * 1024;

function damaged(file: string, detail: string): StaticEmbeddingsError {
  return new StaticEmbeddingsError('MODEL_INVALID', `${file} is not a valid safetensors file: ${detail}.`);
}

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((size) => Number.isSafeInteger(size) && size >= 0);
}

/**
 * Reads a safetensors file (an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data), checking every range
 * against the file so that a truncated download is an error, not garbage vectors.
 */
export function parseSafetensors(file: string, buffer: Uint8Array): Map<string, Tensor> {
  if (buffer.byteLength < 8)
    throw damaged(file, `${buffer.byteLength} bytes is shorter than its header length`);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > Math.min(maxHeaderBytes, buffer.byteLength - 8))
    throw damaged(file, `its header claims ${headerLength} bytes, the file has ${buffer.byteLength}`);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(8, 8 + headerLength)),
    );
  } catch (error) {
    throw damaged(file, `its header is not JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw damaged(file, 'its header is not a JSON object');
  const data = buffer.subarray(8 + headerLength);
  const tensors = new Map<string, Tensor>();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (typeof dtype !== 'string' || !isShape(shape) || !isShape(offsets) || offsets.length !== 2)
      throw damaged(file, `tensor "${name}" lacks a dtype, shape or data_offsets`);
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > data.byteLength)
      throw damaged(file, `tensor "${name}" spans bytes ${begin}-${end} of ${data.byteLength} (truncated?)`);
    const size = elementBytes[dtype];
    const count = shape.reduce((product, dimension) => product * dimension, 1);
    if (size !== undefined && count * size !== end - begin)
      throw damaged(
        file,
        `tensor "${name}" has ${end - begin} bytes for shape [${shape.join(', ')}] of ${dtype}`,
      );
    tensors.set(name, { dtype, shape, bytes: data.subarray(begin, end) });
  }
  return tensors;
}

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

// BF16 is the top half of a float32: widen it through this scratch word.
const scratch = new DataView(new ArrayBuffer(4));

function float16(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The tensor's values as float32, whatever float or small-integer dtype it is stored in. */
export function tensorFloats(file: string, name: string, tensor: Tensor): Float32Array {
  if (tensor.dtype === 'F32' && littleEndian) {
    // The common case: a view of the file's bytes (writers pad the header to 8 bytes), else one aligned copy.
    const { buffer, byteOffset, byteLength } = tensor.bytes;
    return byteOffset % 4 === 0
      ? new Float32Array(buffer, byteOffset, byteLength / 4)
      : new Float32Array(new Uint8Array(tensor.bytes).buffer);
  }
  const view = new DataView(tensor.bytes.buffer, tensor.bytes.byteOffset, tensor.bytes.byteLength);
  const count = tensor.bytes.byteLength / (elementBytes[tensor.dtype] ?? 1);
  const out = new Float32Array(count);
  const read: ((i: number) => number) | undefined = {
    F64: (i: number) => view.getFloat64(i * 8, true),
    F32: (i: number) => view.getFloat32(i * 4, true),
    F16: (i: number) => float16(view.getUint16(i * 2, true)),
    BF16: (i: number) => {
      scratch.setUint32(0, view.getUint16(i * 2, true) << 16);
      return scratch.getFloat32(0);
    },
    I8: (i: number) => view.getInt8(i),
  }[tensor.dtype];
  if (read === undefined)
    throw new StaticEmbeddingsError(
      'MODEL_UNSUPPORTED',
      `${file}: tensor "${name}" is ${tensor.dtype}; supported are F64, F32, F16, BF16 and I8.`,
    );
  for (let i = 0; i < count; i += 1) out[i] = read(i);
  return out;
}

/** The tensor's values as integers (a token-to-row mapping), from I32 or I64. */
export function tensorIntegers(file: string, name: string, tensor: Tensor): Int32Array {
  const view = new DataView(tensor.bytes.buffer, tensor.bytes.byteOffset, tensor.bytes.byteLength);
  if (tensor.dtype === 'I32')
    return Int32Array.from({ length: view.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true));
  if (tensor.dtype === 'I64')
    return Int32Array.from({ length: view.byteLength / 8 }, (_, i) => {
      const value = view.getBigInt64(i * 8, true);
      // An Int32Array would wrap it silently onto some other row; no table has 2^31 rows.
      if (value < -(2n ** 31n) || value >= 2n ** 31n)
        throw new StaticEmbeddingsError('MODEL_INVALID', `${file}: tensor "${name}" holds ${value} at ${i}.`);
      return Number(value);
    });
  throw new StaticEmbeddingsError(
    'MODEL_UNSUPPORTED',
    `${file}: tensor "${name}" is ${tensor.dtype}; a token mapping must be I32 or I64.`,
  );
}
