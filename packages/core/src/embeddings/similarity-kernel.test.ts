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

  it('scores listed rows by their exact int8 dot product times both scales, at the extremes of the int8 range too', () => {
    const kernel = instantiateSimilarityKernel();
    const stride = 64;
    const rows = 5;
    const memory = new Int8Array(kernel.memory.buffer);
    const query = new Int16Array(kernel.memory.buffer, 0, stride);
    const matrixAt = 2 * stride;
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 255) - 127;
    for (let i = 0; i < stride; i += 1) query[i] = i % 2 === 0 ? 127 : -127;
    for (let i = 0; i < rows * stride; i += 1)
      memory[matrixAt + i] = i < stride ? (i % 2 === 0 ? 127 : -127) : next();
    const scalesAt = matrixAt + rows * stride;
    // Powers of two: the products are exact in f32, so the expected scores are too.
    new Float32Array(kernel.memory.buffer, scalesAt, rows).set([1, 0.5, 0.25, 2, 4]);
    const listAt = scalesAt + rows * 4;
    const outAt = listAt + 64;
    const list = new Int32Array(kernel.memory.buffer, listAt, 3);
    list.set([4, 0, 2]);
    kernel.scoreI8(matrixAt, 0, listAt, 3, stride, scalesAt, 0.125, outAt);
    const dots = [...list].map((row) => {
      let sum = 0;
      for (let i = 0; i < stride; i += 1)
        sum += (memory[matrixAt + row * stride + i] as number) * (query[i] as number);
      return sum;
    });
    expect(dots[1]).toBe(127 * 127 * stride);
    expect(Array.from(new Float32Array(kernel.memory.buffer, outAt, 3))).toEqual([
      (dots[0] as number) * 4 * 0.125,
      (dots[1] as number) * 1 * 0.125,
      (dots[2] as number) * 0.25 * 0.125,
    ]);
  });
});
