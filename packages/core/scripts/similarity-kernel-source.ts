import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

export const kernelSourcePath = fileURLToPath(
  new URL('../src/embeddings/similarity-kernel.wat', import.meta.url),
);
export const kernelBytesPath = fileURLToPath(
  new URL('../src/embeddings/similarity-kernel-bytes.ts', import.meta.url),
);

/** Assembles similarity-kernel.wat into the WebAssembly binary the engine embeds. */
export async function assembleSimilarityKernel(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat(kernelSourcePath, readFileSync(kernelSourcePath, 'utf8'), { simd: true });
  try {
    module.validate();
    return Uint8Array.from(module.toBinary({ canonicalize_lebs: true }).buffer);
  } finally {
    module.destroy();
  }
}

/** The generated TypeScript module that carries the binary as base64. */
export function kernelBytesModule(bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString('base64');
  return [
    '// Generated from similarity-kernel.wat by scripts/build-similarity-kernel.ts; do not edit.',
    '// `pnpm --filter @episodic/core build:kernel` regenerates it, and a test checks it is current.',
    `export const similarityKernelBase64 =\n  '${base64}';`,
    '',
  ].join('\n');
}
