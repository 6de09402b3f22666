import type { Benchmark } from './benchmark.js';
import { cache } from './benchmarks/cache.js';
import { fairShare } from './benchmarks/fair-share.js';
import { ingest } from './benchmarks/ingest.js';
import { learning } from './benchmarks/learning.js';
import { mining } from './benchmarks/mining.js';
import { readPath } from './benchmarks/read-path.js';
import { retrievalQuality } from './benchmarks/retrieval-quality.js';
import { retrievalSpeed } from './benchmarks/retrieval-speed.js';
import { server } from './benchmarks/server.js';
import { soak } from './benchmarks/soak.js';

/** Every benchmark `pnpm bench` knows, in the order `pnpm bench` (no name) runs them. */
export const benchmarks: readonly Benchmark[] = [
  ingest,
  cache,
  retrievalQuality,
  retrievalSpeed,
  readPath,
  mining,
  learning,
  server,
  fairShare,
  soak,
];
