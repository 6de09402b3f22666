// One client of the fair-share bench, in its own process so that its work never shares an event
// loop with the server's or another client's. Prints one JSON line.
import { request } from 'node:http';
import { createRemoteMemory } from '@episodic/sdk';

export type FairShareClientPlan =
  /** Every call at once through one SDK client: the burst. */
  | { mode: 'burst'; origin: string; token: string; calls: number }
  /** One retrieve every `pauseMs` through one SDK client (its connection kept alive), until stdin ends. */
  | { mode: 'steady'; origin: string; token: string; pauseMs: number }
  /** `GET /healthz` on a new connection every `pauseMs`, as an orchestrator's probe asks, until stdin ends. */
  | { mode: 'probe'; origin: string; pauseMs: number };

/** Each timed call: when it started (epoch ms) and how long it took. */
export interface FairShareTimings {
  startedAt: number;
  endedAt: number;
  calls: Array<[startedAt: number, ms: number]>;
  errors: number;
  firstError: string | null;
}

const words =
  'checkout payment cart order invoice shipping refund login token session cache database query index timeout retry error build deploy test lint'.split(
    ' ',
  );
const task = (n: number) => `${words[n % 20]} ${words[(n * 7) % 20]} ${words[(n * 13) % 20]} run ${n}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Steady clients and probes run until the bench closes their stdin. */
let stopped = false;
process.stdin.on('end', () => {
  stopped = true;
});
process.stdin.resume();

function healthOnNewConnection(origin: string): Promise<number> {
  const url = new URL('/healthz', origin);
  return new Promise((resolve, reject) => {
    // `agent: false`: a connection of its own, closed after the answer.
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function run(plan: FairShareClientPlan): Promise<FairShareTimings> {
  const timings: FairShareTimings = {
    startedAt: Date.now(),
    endedAt: 0,
    calls: [],
    errors: 0,
    firstError: null,
  };
  const timed = async (call: () => Promise<unknown>) => {
    const startedAt = Date.now();
    const started = performance.now();
    try {
      await call();
      timings.calls.push([startedAt, performance.now() - started]);
    } catch (error) {
      timings.errors += 1;
      timings.firstError ??= (error as Error).message;
    }
  };
  if (plan.mode === 'probe') {
    while (!stopped) {
      await timed(async () => {
        const status = await healthOnNewConnection(plan.origin);
        if (status !== 200) throw new Error(`/healthz answered ${status}`);
      });
      await pause(plan.pauseMs);
    }
  } else {
    const memory = createRemoteMemory({ url: plan.origin, token: plan.token });
    // The first call opens the connection and loads the server's lazily built state.
    await memory.search.retrieve({ text: 'warm up', limit: 5 });
    timings.startedAt = Date.now();
    if (plan.mode === 'burst') {
      await Promise.all(
        Array.from({ length: plan.calls }, (_, n) =>
          timed(() => memory.search.retrieve({ text: task(n), limit: 5 })),
        ),
      );
    } else {
      for (let n = 0; !stopped; n += 1) {
        await timed(() => memory.search.retrieve({ text: task(n + 1000), limit: 5 }));
        await pause(plan.pauseMs);
      }
    }
  }
  timings.endedAt = Date.now();
  return timings;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as FairShareClientPlan;
process.stdout.write(`${JSON.stringify(await run(plan))}\n`);
process.stdin.pause();
