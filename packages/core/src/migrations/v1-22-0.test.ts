import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { type Memory, openMemory } from '../open-memory.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function finished(memory: Memory, context: string, status: 'completed' | 'failed') {
  const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web', context });
  await memory.episodes.logSteps(episode.id, [{ action: 'read_file' }, { action: 'edit_file' }]);
  await memory.episodes.complete(episode.id, { status });
  return episode.id;
}

describe('1.22.0: a finished episode keeps its outcome when archived', () => {
  it('fills the outcome of a 1.21.0 store from the status, or from what mining recorded of an archived episode', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    const config = { url: folder.url, cache: false as const, miners: [createActionPairMiner()] };
    let memory = await openMemory(config);
    const ids = {
      completed: await finished(memory, 'completed', 'completed'),
      failed: await finished(memory, 'failed', 'failed'),
      minedThenArchivedCompleted: await finished(memory, 'mined, archived', 'completed'),
      minedThenArchivedFailed: await finished(memory, 'mined failure, archived', 'failed'),
      active: (await memory.episodes.start({ taskType: 'debugging', domain: 'web' })).id,
    };
    await memory.learning.flush();
    await memory.episodes.archive(ids.minedThenArchivedCompleted);
    await memory.episodes.archive(ids.minedThenArchivedFailed);
    // Finished and archived by a process that mined nothing: its outcome was never recorded anywhere.
    await memory.close();
    const plain = await openMemory({ url: folder.url, cache: false });
    const neverMined = await finished(plain, 'never mined, archived', 'completed');
    await plain.episodes.archive(neverMined);
    await plain.close();

    // The store as 1.21.0 left it.
    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(() => raw.close());
    await raw.batch([
      'ALTER TABLE episodes DROP COLUMN outcome',
      'DROP TABLE learner_processes',
      'ALTER TABLE learners DROP COLUMN seen_at',
      'ALTER TABLE learners DROP COLUMN settings',
      "DELETE FROM schema_migrations WHERE version IN ('1.22.0', '1.23.0', '1.24.0', '1.25.0', '1.26.0')",
    ]);

    memory = await openMemory(config);
    cleanups.push(() => memory.close());
    expect(memory.migration).toMatchObject({
      from: '1.21.0',
      applied: ['1.22.0', '1.23.0', '1.24.0', '1.25.0', '1.26.0'],
    });
    const outcomes = await raw.execute('SELECT id, outcome FROM episodes');
    const outcomeOf = new Map(outcomes.rows.map((row) => [String(row.id), row.outcome]));
    expect(Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, outcomeOf.get(id)]))).toEqual({
      completed: 'completed',
      failed: 'failed',
      minedThenArchivedCompleted: 'completed',
      minedThenArchivedFailed: 'failed',
      active: null,
    });
    expect(outcomeOf.get(neverMined)).toBeNull();
  });
});
