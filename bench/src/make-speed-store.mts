import { createClient, type InStatement } from '@libsql/client';
import { newId, openMemory } from '@episodic/core';
import { createLocalEmbeddings } from '@episodic/embeddings-local';
import { VariedEpisodes } from './workloads/varied-episodes.js';
const [, , path, countText] = process.argv;
const url = `file:${path}`;
await (await openMemory({ url, cache: false })).close();
const workload = new VariedEpisodes();
const now = Date.now();
const client = createClient({ url, intMode: 'number' });
for (let done = 0; done < Number(countText); done += 500) {
  const statements: InStatement[] = [];
  for (let i = done; i < done + 500; i += 1) {
    const episode = workload.episode(5, now);
    const id = newId();
    const rate = episode.steps.filter((s) => s.success).length / 5;
    statements.push({ sql: 'INSERT INTO episodes (id, task_type, domain, context, status, success_rate, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', args: [id, episode.taskType, episode.domain, episode.context, rate >= 0.8 ? 'completed' : 'failed', rate, episode.createdAt, episode.createdAt] });
    episode.steps.forEach((s, n) => statements.push({ sql: 'INSERT INTO steps (id, episode_id, step_number, action, result, duration_ms, success, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', args: [newId(), id, n + 1, s.action, s.result, s.durationMs, s.success ? 1 : 0, episode.createdAt] }));
  }
  await client.batch(statements, 'write');
}
client.close();
const memory = await openMemory({ url, cache: false });
await memory.reindex(createLocalEmbeddings(), { batchSize: 256 });
await memory.close();
console.log('done', path);
