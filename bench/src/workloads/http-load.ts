// One GET per call against one server from its own process, so that the client's work does not
// compete with the server's event loop. Run by benchmarks/server.ts for its context rows; prints
// one JSON line.
import { Agent, request } from 'node:http';
import { percentile } from '../measure.js';

/** Requests come from a bare `node:http` client: the cheapest there is, so the client does not set the pace. */
export interface LoadPlan {
  /** Server origin, e.g. `http://127.0.0.1:1234`. */
  origin: string;
  /** The path and query of every request. */
  path: string;
  token: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  calls: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

function rawCaller(plan: LoadPlan): () => Promise<boolean> {
  const url = new URL(plan.origin);
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const options = {
    host: url.hostname,
    port: url.port,
    path: plan.path,
    agent,
    headers: { authorization: `Bearer ${plan.token}`, 'content-type': 'application/json' },
  };
  return () =>
    new Promise((resolve, reject) => {
      const req = request(options, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('error', reject);
      req.end();
    });
}

async function drive(call: () => Promise<boolean>, plan: LoadPlan, ms: number, record: boolean) {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (performance.now() < end) {
        const before = performance.now();
        const ok = await call().catch(() => false);
        if (!ok) errors += 1;
        if (record) latencies.push(performance.now() - before);
      }
    }),
  );
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '') as LoadPlan;
  const call = rawCaller(plan);
  await drive(call, plan, plan.warmupMs, false);
  const { latencies, errors, seconds } = await drive(call, plan, plan.durationMs, true);
  const result: LoadResult = {
    calls: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

await main();
