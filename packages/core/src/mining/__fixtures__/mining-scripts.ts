import type { Client } from '@libsql/client';
import type { Memory } from '../../open-memory.js';
import type { StepInput } from '../../schemas/input-schemas.js';

export interface Script {
  taskType: string;
  domain: string;
  steps: StepInput[];
  status: 'completed' | 'failed';
}

/** A fixed mix of episodes: several domains and task types, repeated and one-off patterns. */
export function scripts(): Script[] {
  const tools = ['read_file', 'edit_file', 'run_tests', 'search_code', 'run_command'];
  return Array.from({ length: 24 }, (_, i) => ({
    taskType: i % 3 === 0 ? 'testing' : 'debugging',
    domain: i % 4 === 0 ? 'cli' : 'web',
    status: i % 5 === 0 ? 'failed' : 'completed',
    steps: Array.from({ length: 2 + (i % 4) }, (_, j) => ({
      action: `${tools[(i * 7 + j * 3) % tools.length]} file${j}.ts`,
      success: (i + j) % 6 !== 0,
      durationMs: 50 * (1 + ((i + j) % 5)),
    })),
  }));
}

export async function play(memory: Memory, list: readonly Script[]): Promise<string[]> {
  const ids: string[] = [];
  for (const script of list) {
    const episode = await memory.episodes.start({ taskType: script.taskType, domain: script.domain });
    await memory.episodes.logSteps(episode.id, script.steps);
    await memory.episodes.complete(episode.id, { status: script.status });
    ids.push(episode.id);
  }
  await memory.learning.flush();
  return ids;
}

export async function patternsOf(raw: Client) {
  const rows =
    await raw.execute(`SELECT id, pattern_type, domain, task_type, pattern_data, summary, support, successes,
    success_rate, wilson_lower, score, measurements, order_free, usage_count, helped_count FROM patterns ORDER BY id`);
  return rows.rows.map((row) => ({ ...row }));
}

export async function everythingOf(raw: Client) {
  const [links, baselines, order] = await raw.batch(
    [
      'SELECT episode_id, pattern_id, success, measurements FROM episode_patterns ORDER BY episode_id, pattern_id',
      'SELECT domain, task_type, stats FROM pattern_baselines ORDER BY domain, task_type',
      'SELECT episode_id, succeeded, pending, domain, task_type, steps, duration_ms FROM mined_episodes ORDER BY seq',
    ],
    'read',
  );
  return {
    patterns: await patternsOf(raw),
    links: links?.rows.map((row) => ({ ...row })),
    baselines: baselines?.rows.map((row) => ({ ...row })),
    order: order?.rows.map((row) => ({ ...row })),
  };
}
