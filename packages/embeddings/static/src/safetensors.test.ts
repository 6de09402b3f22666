import { describe, expect, it } from 'vitest';
import { parseSafetensors, tensorFloats, tensorIntegers } from './safetensors.js';
import { safetensorsBytes } from './testing/write-static-model.js';

const file = safetensorsBytes({
  embeddings: { dtype: 'F32', shape: [2, 3], values: [1, -2, 0.5, 0, 3.25, -0.125] },
  half: { dtype: 'F16', shape: [4], values: [1, -2, 0.5, 65504] },
  mapping: { dtype: 'I32', shape: [3], values: [1, 0, 1] },
});

describe('safetensors', () => {
  it('reads the header and little-endian F32, F16 and I32 tensors', () => {
    const tensors = parseSafetensors('m.safetensors', file);
    expect([...tensors.keys()]).toEqual(['embeddings', 'half', 'mapping']);
    const embeddings = tensors.get('embeddings');
    expect(embeddings?.shape).toEqual([2, 3]);
    expect(Array.from(tensorFloats('m', 'embeddings', embeddings as never))).toEqual([
      1, -2, 0.5, 0, 3.25, -0.125,
    ]);
    expect(Array.from(tensorFloats('m', 'half', tensors.get('half') as never))).toEqual([1, -2, 0.5, 65504]);
    expect(Array.from(tensorIntegers('m', 'mapping', tensors.get('mapping') as never))).toEqual([1, 0, 1]);
  });

  it('reads float32 data that does not start on a 4-byte boundary (a header not padded to 8 bytes)', () => {
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const tensors = parseSafetensors('m', shifted.subarray(1));
    expect(Array.from(tensorFloats('m', 'embeddings', tensors.get('embeddings') as never))).toEqual([
      1, -2, 0.5, 0, 3.25, -0.125,
    ]);
  });

  it('refuses a truncated file, a header past the end and a header that is not JSON', () => {
    const invalid = expect.objectContaining({ code: 'MODEL_INVALID' });
    expect(() => parseSafetensors('m', file.subarray(0, file.length - 4))).toThrow(invalid);
    expect(() => parseSafetensors('m', file.subarray(0, 6))).toThrow(invalid);
    const lying = Buffer.from(file);
    lying.writeBigUInt64LE(BigInt(file.length));
    expect(() => parseSafetensors('m', lying)).toThrow(invalid);
    const garbled = Buffer.from(file);
    garbled[8] = 0x7b + 1;
    expect(() => parseSafetensors('m', garbled)).toThrow(invalid);
  });

  it('refuses a tensor whose byte range does not fit its shape', () => {
    const header = JSON.stringify({ embeddings: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } });
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const bytes = Buffer.concat([length, Buffer.from(header), Buffer.alloc(16)]);
    expect(() => parseSafetensors('m', bytes)).toThrow(
      expect.objectContaining({ code: 'MODEL_INVALID', message: expect.stringContaining('"embeddings"') }),
    );
  });

  it('refuses an I64 token mapping past the 32-bit range instead of wrapping it onto another row', () => {
    const header = JSON.stringify({ mapping: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } });
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const data = Buffer.alloc(16);
    data.writeBigInt64LE(1n);
    // 2^32 + 1 wrapped to row 1 in an Int32Array: a corrupt mapping read as a plausible one.
    data.writeBigInt64LE(2n ** 32n + 1n, 8);
    const tensors = parseSafetensors('m', Buffer.concat([length, Buffer.from(header), data]));
    expect(() => tensorIntegers('m', 'mapping', tensors.get('mapping') as never)).toThrow(
      expect.objectContaining({ code: 'MODEL_INVALID', message: expect.stringContaining('4294967297') }),
    );
  });

  it('names an unsupported dtype', () => {
    const header = JSON.stringify({ embeddings: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } });
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const tensors = parseSafetensors('m', Buffer.concat([length, Buffer.from(header), Buffer.alloc(2)]));
    expect(() => tensorFloats('m', 'embeddings', tensors.get('embeddings') as never)).toThrow(
      expect.objectContaining({ code: 'MODEL_UNSUPPORTED', message: expect.stringContaining('F8_E4M3') }),
    );
  });
});
