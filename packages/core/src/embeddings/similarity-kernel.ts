import { similarityKernelBase64 } from './similarity-kernel-bytes.js';

// Node has had WebAssembly (with SIMD) since v16, but TypeScript declares it only in lib.dom;
// these are the parts used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
};

/** A WebAssembly memory: growing it detaches `buffer`, so views must be taken afresh after. */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The exports of similarity-kernel.wat. */
export interface SimilarityKernel {
  readonly memory: KernelMemory;
  /**
   * For `count` row numbers (i32) at byte offset `rows`, writes the approximate similarity of
   * the int8 row `matrix + row * stride` with the query at `query` (its int8 values widened to
   * i16, so `2 * stride` bytes) as an f32 at `out`: their dot product times the row's scale (f32
   * at `scales + row * 4`) times `queryScale`. `stride` is a multiple of 32; every offset is into
   * `memory`.
   */
  scoreI8(
    matrix: number,
    query: number,
    rows: number,
    count: number,
    stride: number,
    scales: number,
    queryScale: number,
    out: number,
  ): void;
}

let compiled: object | undefined;

/** A fresh instance (with its own memory) of the vector-search kernel; compiled once per process. */
export function instantiateSimilarityKernel(): SimilarityKernel {
  compiled ??= new WebAssembly.Module(Buffer.from(similarityKernelBase64, 'base64'));
  return new WebAssembly.Instance(compiled).exports as SimilarityKernel;
}
