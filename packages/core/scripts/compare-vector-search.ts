/**
 * Measures what the core README's "Vector search" section reports: the exact in-memory scan
 * (VectorMatrix: int8 SIMD scan + float32 re-score) against libSQL's native vector index
 * (F32_BLOB + libsql_vector_idx + vector_top_k) with some of its settings, on the same
 * clustered unit vectors: build time, file size, top-10 latency p50/p95, recall@10 against an
 * exact float64 scan.
 *
 *   pnpm --filter @episodic/core exec tsx scripts/compare-vector-search.ts [rows] [setting...]
 *
 * A setting is `exact` or a comma-separated list of libsql_vector_idx options (`default` for none),
 * e.g. `compress_neighbors=float1bit,max_neighbors=32`. It writes files under the OS temp dir.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { VectorMatrix } from '../src/embeddings/vector-matrix.js';

const rows = Number(process.argv[2] ?? 100_000);
const settings =
  process.argv.slice(3).length > 0
    ? process.argv.slice(3)
    : ['exact', 'compress_neighbors=float1bit,max_neighbors=32'];
const dimensions = 384;
const queries = 200;
const k = 10;

let seed = 42;
const random = () => (seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0) / 4_294_967_296;
const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
// Clustered like real embeddings (topics), not uniform noise, which no index handles well.
const centres = Array.from({ length: 200 }, () => Float32Array.from({ length: dimensions }, gaussian));
function vector(): Float32Array {
  const centre = centres[Math.floor(random() * centres.length)] as Float32Array;
  const v = Float32Array.from(centre, (value) => value + 1.2 * gaussian());
  const norm = Math.sqrt(v.reduce((sum, value) => sum + value * value, 0));
  return v.map((value) => value / norm);
}

const data = Array.from({ length: rows }, vector);
const probes = Array.from({ length: queries }, vector);
const truth = probes.map((query) => {
  const scored = data.map((v, i) => {
    let sum = 0;
    for (let d = 0; d < dimensions; d += 1) sum += (v[d] as number) * (query[d] as number);
    return [sum, i] as const;
  });
  return new Set(
    scored
      .sort((a, b) => b[0] - a[0])
      .slice(0, k)
      .map(([, i]) => i),
  );
});

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

async function measure(setting: string) {
  if (setting === 'exact') {
    const started = performance.now();
    const matrix = new VectorMatrix(dimensions);
    for (const v of data) matrix.append(v);
    const buildS = (performance.now() - started) / 1000;
    const latencies: number[] = [];
    let recall = 0;
    for (const [q, query] of probes.entries()) {
      const t = performance.now();
      const hits = matrix.search(query, null, k);
      latencies.push(performance.now() - t);
      recall += hits.filter((hit) => truth[q]?.has(hit.row)).length / k;
    }
    const memoryMb = (rows * dimensions * 5) / 1e6;
    return {
      setting,
      buildS,
      sizeMb: memoryMb,
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      recall: recall / queries,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'episodic-vector-'));
  const path = join(dir, 'vectors.db');
  const client = createClient({ url: `file:${path}` });
  try {
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute(`CREATE TABLE v (id INTEGER PRIMARY KEY, embedding F32_BLOB(${dimensions}))`);
    const options =
      setting === 'default'
        ? ''
        : setting
            .split(',')
            .map((option) => `, '${option}'`)
            .join('');
    await client.execute(`CREATE INDEX v_index ON v (libsql_vector_idx(embedding${options}))`);
    const started = performance.now();
    for (let start = 0; start < rows; start += 1000) {
      await client.batch(
        data.slice(start, start + 1000).map((v, i) => ({
          sql: 'INSERT INTO v (id, embedding) VALUES (?, ?)',
          args: [start + i, Buffer.from(v.buffer)],
        })),
        'write',
      );
      if (start % 10_000 === 0)
        process.stderr.write(
          `${setting}: ${start} rows, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
        );
    }
    const buildS = (performance.now() - started) / 1000;
    await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    const sizeMb = statSync(path).size / 1e6;
    const latencies: number[] = [];
    let recall = 0;
    for (const [q, query] of probes.entries()) {
      const t = performance.now();
      const result = await client.execute({
        sql: `SELECT id FROM vector_top_k('v_index', ?, ${k})`,
        args: [Buffer.from(query.buffer)],
      });
      latencies.push(performance.now() - t);
      recall += result.rows.filter((row) => truth[q]?.has(Number(row.id))).length / k;
    }
    return {
      setting,
      buildS,
      sizeMb,
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      recall: recall / queries,
    };
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `| ${rows.toLocaleString('en-US')} x ${dimensions} | build | size | top-${k} p50 | p95 | recall@${k} |`,
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const setting of settings) {
  const r = await measure(setting);
  console.log(
    `| ${r.setting} | ${r.buildS.toFixed(1)} s | ${r.sizeMb.toFixed(0)} MB | ${r.p50.toFixed(2)} ms | ${r.p95.toFixed(2)} ms | ${r.recall.toFixed(3)} |`,
  );
}
