import type { Benchmark } from './benchmark.js';
import { ingest } from './benchmarks/ingest.js';

/** Every benchmark `pnpm bench` knows, in the order `pnpm bench` (no name) runs them. */
export const benchmarks: readonly Benchmark[] = [ingest];
