import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newId } from '@episodic/core';
import { openStore, parseServerConfig, startServer } from '@episodic/server';
import type { Benchmark, BenchmarkContext } from '../benchmark.js';
import { formatNumber } from '../format-table.js';
import { median, percentile } from '../measure.js';
import { freshDataDir } from '../temp-dir.js';
import { generateAgentTasks } from '../workloads/agent-tasks.js';
import type { FairShareClientPlan, FairShareTimings } from '../workloads/fair-share-client.js';

const clientScript = fileURLToPath(new URL('../workloads/fair-share-client.ts', import.meta.url));
/** A store where one retrieve costs the server ~10–20 ms of its thread. */
const seedEpisodes = 6_000;
const burstCalls = 500;
const steadyPauseMs = 100;
const probePauseMs = 250;
const idleMs = 3_000;
const rounds = 3;

type Setting = 'default' | 'unbounded';

interface Round {
  idleMs: number[];
  otherMs: number[];
  probeMs: number[];
  burstSeconds: number;
}

/** A client process; `stop()` closes its stdin (steady clients and probes end then) and gives its timings. */
function client(plan: FairShareClientPlan) {
  const child = spawn(process.execPath, ['--import', 'tsx', clientScript, JSON.stringify(plan)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const done = new Promise<FairShareTimings>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${plan.mode} client exited with ${code}`));
      const timings = JSON.parse(out.trim().split('\n').at(-1) ?? '') as FairShareTimings;
      if (timings.errors > 0)
        return reject(
          new Error(`${plan.mode} client saw ${timings.errors} errors; first: ${timings.firstError}`),
        );
      resolve(timings);
    });
  });
  return {
    done,
    stop() {
      child.stdin.end();
      return done;
    },
  };
}

/** A store as `episodic serve` opens it, with vectors for every episode; returns its database file. */
async function seedStore(context: BenchmarkContext): Promise<string> {
  const dataDir = join(context.tempDir, 'seed');
  // Only the embedder learns here: the server's miners then queue nothing for these episodes,
  // so no learning competes with the calls measured.
  const memory = await openStore(parseServerConfig({ dataDir, miners: [] }));
  try {
    const episodes = generateAgentTasks(seedEpisodes, 8, 11);
    for (let start = 0; start < episodes.length; start += 100) {
      await memory.episodes.record(
        episodes.slice(start, start + 100).map((episode) => ({
          ...episode.start,
          id: newId(),
          steps: episode.steps,
          outcome: episode.outcome,
        })),
      );
    }
    await memory.learning.flush({ timeoutMs: 600_000 });
  } finally {
    await memory.close();
  }
  return join(dataDir, 'memory.db');
}

const within = (timings: FairShareTimings, from: number, to: number) =>
  timings.calls.filter(([at]) => at >= from && at < to).map(([, ms]) => ms);

async function measure(context: BenchmarkContext, seedFile: string, setting: Setting): Promise<Round> {
  const server = await startServer({
    port: 0,
    dataDir: freshDataDir(context, seedFile),
    log: () => undefined,
    ...(setting === 'unbounded' ? { maxCallsPerToken: Number.MAX_SAFE_INTEGER } : {}),
  });
  try {
    const token = async (name: string) =>
      (await server.memory.tokens.create({ name, scopes: ['read'] })).bearer;
    const origin = server.url;
    const steadyPlan = {
      mode: 'steady',
      origin,
      token: await token('steady'),
      pauseMs: steadyPauseMs,
    } as const;
    const idle = client(steadyPlan);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const idleTimings = await idle.stop();

    const steady = client(steadyPlan);
    const probe = client({ mode: 'probe', origin, pauseMs: probePauseMs });
    const burst = await client({ mode: 'burst', origin, token: await token('burst'), calls: burstCalls })
      .done;
    const [steadyTimings, probeTimings] = await Promise.all([steady.stop(), probe.stop()]);
    return {
      idleMs: idleTimings.calls.map(([, ms]) => ms),
      otherMs: within(steadyTimings, burst.startedAt, burst.endedAt),
      probeMs: within(probeTimings, burst.startedAt, burst.endedAt),
      burstSeconds: (burst.endedAt - burst.startedAt) / 1000,
    };
  } finally {
    await server.close();
  }
}

const round2 = (value: number) => Number(value.toFixed(2));

function summary(measured: Round[]) {
  // Each figure is the median over rounds of that round's figure.
  const over = (figure: (round: Round) => number) => round2(median(measured.map(figure)));
  return {
    idle_p50_ms: over((round) => median(round.idleMs)),
    other_p50_ms: over((round) => median(round.otherMs)),
    other_p90_ms: over((round) => percentile(round.otherMs, 0.9)),
    probe_p50_ms: over((round) => median(round.probeMs)),
    probe_max_ms: over((round) => Math.max(...round.probeMs)),
    burst_s: over((round) => round.burstSeconds),
  };
}

export const fairShare: Benchmark = {
  name: 'fair-share',
  description: `one token's ${burstCalls} retrieves at once vs another token's retrieves and a health probe, default vs unbounded calls per token`,

  async run(context) {
    context.progress(`fair-share: seeding a store with ${formatNumber(seedEpisodes)} episodes`);
    const seedFile = await seedStore(context);
    const measured: Record<Setting, Round[]> = { default: [], unbounded: [] };
    for (let round = 1; round <= rounds; round += 1) {
      const order: Setting[] = round % 2 === 1 ? ['default', 'unbounded'] : ['unbounded', 'default'];
      for (const setting of order) {
        context.progress(`fair-share: round ${round}/${rounds}, ${setting}`);
        measured[setting].push(await measure(context, seedFile, setting));
      }
    }
    const ours = summary(measured.default);
    const unbounded = summary(measured.unbounded);
    const row = (label: string, figures: ReturnType<typeof summary>) => [
      label,
      figures.idle_p50_ms.toFixed(1),
      figures.other_p50_ms.toFixed(1),
      figures.other_p90_ms.toFixed(1),
      figures.probe_p50_ms.toFixed(1),
      figures.probe_max_ms.toFixed(1),
      figures.burst_s.toFixed(2),
    ];
    return {
      table: {
        title: `fair-share: one token sends ${burstCalls} search.retrieve calls at once through the SDK, on a store of ${formatNumber(seedEpisodes)} episodes`,
        columns: [
          'server',
          'other token idle p50 ms',
          'during burst p50 ms',
          'p90 ms',
          'new-connection /healthz p50 ms',
          'max ms',
          'burst s',
        ],
        rows: [row('default settings', ours), row('maxCallsPerToken unbounded', unbounded)],
        notes: [
          `median over ${rounds} rounds per setting, alternating which goes first; each round on a fresh copy of the seeded store, served by startServer in this process with the default settings (local embeddings, the four miners)`,
          `other token: its own process and SDK client (connection kept alive), one retrieve every ${steadyPauseMs} ms; idle: alone for ${idleMs} ms before the burst; during: the calls it started while the burst ran`,
          `new-connection /healthz: its own process, one GET every ${probePauseMs} ms on a connection of its own, as an orchestrator's probe; Node accepts one new connection per event-loop turn`,
          'burst: its own process and SDK client (at most 4 requests of at most 10 calls in flight); burst s is from its first call to its last answer',
        ],
      },
      figures: {
        ...ours,
        ...Object.fromEntries(Object.entries(unbounded).map(([key, value]) => [`unbounded_${key}`, value])),
      },
    };
  },
};
