// Generates load against one server from its own process, so that the client's work does not
// compete with the server's event loop. Run by benchmarks/server.ts; prints one JSON line.
import { Agent, request } from 'node:http';
import { createEpisodicClient } from '@episodic/sdk';

export interface LoadPlan {
  /**
   * `raw`: one GET per call exactly as tRPC's `httpLink` sends it, from a bare `node:http` client
   * (the cheapest client there is, so the client does not set the pace); `sdk`: the SDK's batched
   * client.
   */
  mode: 'raw' | 'sdk';
  /** Server origin, e.g. `http://127.0.0.1:1234`. */
  origin: string;
  /** For `http`: the path and query of every request. */
  path: string;
  token: string;
  episodeId: string;
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

function sdkCaller(plan: LoadPlan): () => Promise<boolean> {
  const client = createEpisodicClient({ url: plan.origin, token: plan.token });
  return async () => (await client.episodes.get.query({ episodeId: plan.episodeId })).id === plan.episodeId;
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
  const callers = { raw: rawCaller, sdk: sdkCaller };
  const call = callers[plan.mode](plan);
  await drive(call, plan, plan.warmupMs, false);
  const { latencies, errors, seconds } = await drive(call, plan, plan.durationMs, true);
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * quantile))] ?? 0;
  const result: LoadResult = {
    calls: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

await main();
