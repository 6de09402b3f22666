import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assembleSimilarityKernel,
  kernelBytesModule,
  kernelBytesPath,
} from '../../scripts/similarity-kernel-source.js';
import { instantiateSimilarityKernel } from './similarity-kernel.js';

describe('similarity kernel', () => {
  it('is the assembly of similarity-kernel.wat (regenerate with `pnpm --filter @episodic/core build:kernel`)', async () => {
    const bytes = await assembleSimilarityKernel();
    expect(readFileSync(kernelBytesPath, 'utf8')).toBe(kernelBytesModule(bytes));
  });

  it('computes int8 dot products of listed rows exactly, at the extremes of the int8 range too', () => {
    const kernel = instantiateSimilarityKernel();
    const stride = 64;
    const rows = 5;
    const memory = new Int8Array(kernel.memory.buffer);
    const query = memory.subarray(0, stride);
    const matrixAt = 128;
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 255) - 127;
    for (let i = 0; i < stride; i += 1) query[i] = i % 2 === 0 ? 127 : -127;
    for (let i = 0; i < rows * stride; i += 1)
      memory[matrixAt + i] = i < stride ? (i % 2 === 0 ? 127 : -127) : next();
    const listAt = matrixAt + rows * stride;
    const outAt = listAt + 64;
    const list = new Int32Array(kernel.memory.buffer, listAt, 3);
    list.set([4, 0, 2]);
    kernel.dotI8(matrixAt, 0, listAt, 3, stride, outAt);
    const expected = [...list].map((row) => {
      let sum = 0;
      for (let i = 0; i < stride; i += 1)
        sum += (memory[matrixAt + row * stride + i] as number) * (query[i] as number);
      return sum;
    });
    expect(Array.from(new Int32Array(kernel.memory.buffer, outAt, 3))).toEqual(expected);
    expect(expected[1]).toBe(127 * 127 * stride);
  });
});
