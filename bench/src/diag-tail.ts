import { statSync, mkdtempSync, existsSync, copyFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { openMemory, type PatternMinerV1 } from '@episodic/core';
import { createErrorResolutionMiner } from '@episodic/miner-error-resolution';
import { createOptimizationMiner } from '@episodic/miner-optimization';
import { createTestingStrategyMiner } from '@episodic/miner-testing-strategy';
import { createToolSequenceMiner } from '@episodic/miner-tool-sequence';
import { generateAgentEpisodes } from './workloads/agent-episodes.js';
const dir = mkdtempSync(join(tmpdir(), 'tail-'));
const file = join(dir, 'scale.db');
const url = `file:${file}`;
const all = generateAgentEpisodes({ episodes: 10300, stepsPerEpisode: 20, seed: 61 });
const miners = () => [createToolSequenceMiner(), createErrorResolutionMiner(), createOptimizationMiner(), createTestingStrategyMiner()] as PatternMinerV1[];
if (existsSync('/tmp/tail-base.db')) copyFileSync('/tmp/tail-base.db', file); else {
const m0 = await openMemory({ url, miners: miners() });
for (const [n, e] of all.slice(0, 10000).entries()) { const { id } = await m0.startEpisode(e.start); await m0.logSteps(id, e.steps); await m0.completeEpisode(id, e.outcome); if (n % 50 === 0) await yieldToEventLoop(); }
await m0.close(); copyFileSync(file, '/tmp/tail-base.db'); }
const session = new Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 100 });
const memory = await openMemory({ url, miners: miners() });
const samples: [number, number][] = [];
await session.post('Profiler.start');
for (const e of all.slice(10000)) {
  const { id } = await memory.startEpisode(e.start); await memory.logSteps(id, e.steps);
  const wal0 = statSync(file + '-wal').size;
  const t = performance.now(); await memory.completeEpisode(id, e.outcome); const ms = performance.now() - t;
  const wal1 = statSync(file + '-wal').size;
  samples.push([ms, e.steps.filter((x) => x.success === false).length]);
}
const { profile } = await session.post('Profiler.stop'); writeFileSync('/tmp/tail.cpuprofile', JSON.stringify(profile));
const sorted = [...samples].sort((a, b) => a[0] - b[0]);
console.log('p50', sorted[150]![0].toFixed(2), 'p95', sorted[284]![0].toFixed(2), 'max', sorted[299]![0].toFixed(2));
console.log('slowest 20 (ms, walReset):', sorted.slice(-20).map(([m, c]) => `${m.toFixed(1)}${c ? '*' : ''}`).join(' '));
const fast = samples.filter((x) => x[0] < 10), slow = samples.filter((x) => x[0] >= 10); const avg = (a: [number, number][]) => a.reduce((t, x) => t + x[1], 0) / a.length; console.log('fast', fast.length, 'avg failed steps', avg(fast).toFixed(2), 'slow', slow.length, avg(slow).toFixed(2));
await memory.close();
