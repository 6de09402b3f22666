// Agents for the soak benchmark, in a process of their own: each records episodes through
// `@episodic/sdk` and asks `retrieve` before its next task, until the deadline; an admin loop
// forgets some of what they wrote. Prints one JSON line: latencies per minute, errors, and every
// acknowledged write, so the benchmark can check afterwards that each one is still readable.
import { createEpisodicClient } from '@episodic/sdk';
import { percentile } from '../measure.js';
import { generateAgentTasks } from './agent-tasks.js';
import { VariedEpisodes } from './varied-episodes.js';

export interface SoakAgentsPlan {
  origin: string;
  token: string;
  agents: number;
  stepsPerEpisode: number;
  durationMs: number;
  /** Every this many ms the admin forgets one acknowledged episode. */
  forgetEveryMs: number;
}

export interface SoakAgentsResult {
  /** p99 of every call (start, complete, retrieve), in ms, one entry per minute of the run. */
  p99MsPerMinute: number[];
  callsPerMinute: number[];
  errors: number;
  firstError: string | null;
  /**
   * Every acknowledged episode, not forgotten, with its step count and when it was acknowledged
   * (ms since the run began): retention may have deleted the old ones, never the recent ones.
   */
  kept: { id: string; steps: number; at: number }[];
  /** Episodes the admin loop forgot: they must be gone. */
  forgotten: string[];
  /** Milliseconds from the start to the moment the last agent stopped. */
  endedAt: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as SoakAgentsPlan;
const started = performance.now();
const minuteOf = () => Math.floor((performance.now() - started) / 60_000);
const latencies: number[][] = [];
let errors = 0;
let firstError: string | null = null;
const kept: { id: string; steps: number; at: number }[] = [];
const forgotten: string[] = [];

async function timed<T>(call: () => Promise<T>): Promise<T> {
  const before = performance.now();
  const value = await call();
  const minute = minuteOf();
  latencies[minute] ??= [];
  latencies[minute].push(performance.now() - before);
  return value;
}

/** The message with its causes (`fetch failed` says little without the socket error under it). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause === undefined ? error.message : `${error.message} <- ${describe(error.cause)}`;
}

function failed(error: unknown): void {
  errors += 1;
  firstError ??= describe(error);
}

const deadline = started + plan.durationMs;

async function agent(index: number): Promise<void> {
  const client = createEpisodicClient({ url: plan.origin, token: plan.token });
  // One vocabulary per agent: rebuilding it for every episode blocked this process's event loop,
  // which times every call, for about 160 ms some 340 times a minute.
  const words = new VariedEpisodes(index + 1);
  let round = 0;
  while (performance.now() < deadline) {
    const [episode] = generateAgentTasks(1, plan.stepsPerEpisode, index * 1_000_003 + round, words);
    if (episode === undefined) return;
    round += 1;
    const { domain } = episode.start;
    try {
      const handle = await timed(() => client.startEpisode(episode.start));
      for (const step of episode.steps) handle.step(step);
      await timed(() => handle.complete(episode.outcome));
      kept.push({ id: handle.id, steps: episode.steps.length, at: performance.now() - started });
      await timed(() => client.search.retrieve.query({ text: episode.start.context, domain, limit: 5 }));
    } catch (error) {
      failed(error);
    }
  }
}

async function forgetLoop(): Promise<void> {
  const admin = createEpisodicClient({ url: plan.origin, token: plan.token });
  while (performance.now() + plan.forgetEveryMs < deadline) {
    await new Promise((resolve) => setTimeout(resolve, plan.forgetEveryMs));
    const victim = kept.splice(Math.floor(kept.length / 2), 1)[0];
    if (victim === undefined) continue;
    try {
      await timed(() => admin.admin.forget.mutate({ episodeIds: [victim.id] }));
      forgotten.push(victim.id);
    } catch (error) {
      kept.push(victim);
      failed(error);
    }
  }
}

await Promise.all([...Array.from({ length: plan.agents }, (_, i) => agent(i)), forgetLoop()]);
const result: SoakAgentsResult = {
  p99MsPerMinute: latencies.map((minute) => percentile(minute ?? [], 0.99)),
  callsPerMinute: latencies.map((minute) => minute?.length ?? 0),
  errors,
  firstError,
  kept,
  forgotten,
  endedAt: performance.now() - started,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
