// Concurrent agents, each recording episodes then asking for relevant past ones, from a process of
// their own. Run by benchmarks/server.ts; prints one JSON line.
import { randomUUID } from 'node:crypto';
import { createEpisodicClient } from '@episodic/sdk';
import { percentile } from '../measure.js';
import type { ScriptedEpisode } from './agent-episodes.js';
import { generateAgentTasks } from './agent-tasks.js';

export interface AgentLoadPlan {
  /**
   * `sdk`: through `@episodic/sdk` to the server at `origin` (the SDK buffers the steps and sends
   * them on `complete()`); `in-process`: the same calls on a store this process opens from
   * `dataDir` as `episodic serve` would.
   */
  mode: 'sdk' | 'in-process';
  origin: string;
  token: string;
  dataDir: string;
  agents: number;
  stepsPerEpisode: number;
  warmupMs: number;
  durationMs: number;
}

export interface AgentLoadResult {
  episodes: number;
  /** Episodes recorded during the warm-up, before `episodes` were measured. */
  warmupEpisodes: number;
  errors: number;
  seconds: number;
  episodesPerSecond: number;
  retrieveP50Ms: number;
  retrieveP99Ms: number;
  /** CPU time of this process per measured episode, in µs (agents, plus the store when in-process). */
  cpuUsPerEpisode: number;
  firstError: string | null;
}

/** One agent's episode: start, its steps, the outcome, then what it would ask before its next task. */
type RunEpisode = (episode: ScriptedEpisode) => Promise<{ retrieveMs: number }>;

async function timed<T>(call: () => Promise<T>): Promise<number> {
  const before = performance.now();
  await call();
  return performance.now() - before;
}

function retrieveInput(episode: ScriptedEpisode) {
  return { text: episode.start.context, domain: episode.start.domain, limit: 5 };
}

function sdkAgent(plan: AgentLoadPlan): { run: RunEpisode; close: () => Promise<void> } {
  const client = createEpisodicClient({ url: plan.origin, token: plan.token });
  return {
    run: async (episode) => {
      const handle = await client.startEpisode(episode.start);
      for (const step of episode.steps) handle.step(step);
      await handle.complete(episode.outcome);
      return { retrieveMs: await timed(() => client.search.retrieve.query(retrieveInput(episode))) };
    },
    close: async () => undefined,
  };
}

async function inProcessAgent(plan: AgentLoadPlan): Promise<{ run: RunEpisode; close: () => Promise<void> }> {
  // Loaded only here: the SDK side's process holds the SDK and nothing of the server.
  const { openStore, parseServerConfig } = await import('@episodic/server');
  const memory = await openStore(parseServerConfig({ dataDir: plan.dataDir }));
  return {
    run: async (episode) => {
      const started = await memory.episodes.start(episode.start);
      // Ids chosen by the caller, as the SDK chooses them, so the store does the same retry check.
      await memory.episodes.logSteps(
        started.id,
        episode.steps.map((step) => ({ ...step, id: randomUUID() })),
      );
      await memory.episodes.complete(started.id, episode.outcome);
      return { retrieveMs: await timed(() => memory.search.retrieve(retrieveInput(episode))) };
    },
    close: () => memory.close(),
  };
}

async function drive(run: RunEpisode, plan: AgentLoadPlan, ms: number, script: ScriptedEpisode[]) {
  const retrieveMs: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let next = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: plan.agents }, async () => {
      while (performance.now() < end) {
        const episode = script[next++ % script.length] as ScriptedEpisode;
        try {
          retrieveMs.push((await run(episode)).retrieveMs);
        } catch (error) {
          errors += 1;
          firstError ??= String(error);
        }
      }
    }),
  );
  return { retrieveMs, errors, firstError, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '') as AgentLoadPlan;
  const script = generateAgentTasks(2_000, plan.stepsPerEpisode, 7);
  const agent = plan.mode === 'sdk' ? sdkAgent(plan) : await inProcessAgent(plan);
  const warmup = await drive(agent.run, plan, plan.warmupMs, script);
  const cpuBefore = process.cpuUsage();
  const measured = await drive(agent.run, plan, plan.durationMs, script);
  const cpu = process.cpuUsage(cpuBefore);
  await agent.close();
  const episodes = measured.retrieveMs.length;
  if (episodes === 0) throw new Error(`no episode recorded: ${measured.firstError ?? warmup.firstError}`);
  const result: AgentLoadResult = {
    episodes,
    warmupEpisodes: warmup.retrieveMs.length,
    errors: measured.errors + warmup.errors,
    seconds: measured.seconds,
    episodesPerSecond: episodes / measured.seconds,
    retrieveP50Ms: percentile(measured.retrieveMs, 0.5),
    retrieveP99Ms: percentile(measured.retrieveMs, 0.99),
    cpuUsPerEpisode: (cpu.user + cpu.system) / Math.max(1, episodes),
    firstError: measured.firstError ?? warmup.firstError,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

await main();
