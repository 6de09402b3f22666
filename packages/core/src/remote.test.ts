import { describe, expect, it } from 'vitest';
import { tempDir } from './__fixtures__/temp-store.js';
import { openMemory } from './open-memory.js';

const url = process.env.EPISODIC_TEST_LIBSQL_URL;
const authToken = process.env.EPISODIC_TEST_LIBSQL_AUTH_TOKEN;
const reason = 'set EPISODIC_TEST_LIBSQL_URL (and EPISODIC_TEST_LIBSQL_AUTH_TOKEN) to a libSQL server to run';

if (url === undefined) console.info(`remote libSQL tests skipped: ${reason}`);

async function roundTrip(memory: Awaited<ReturnType<typeof openMemory>>) {
  const domain = `remote-test-${Date.now()}`;
  const episode = await memory.episodes.start({ taskType: 'testing', domain, context: 'remote round trip' });
  await memory.episodes.logSteps(episode.id, [{ action: 'one' }, { action: 'two' }]);
  await memory.episodes.complete(episode.id, { status: 'completed' });
  const stored = await memory.episodes.get(episode.id);
  expect(stored?.steps.map((step) => step.stepNumber)).toEqual([1, 2]);
  expect(
    (await memory.search.text({ text: 'remote round trip', domain })).map((hit) => hit.episode.id),
  ).toEqual([episode.id]);
}

describe.skipIf(url === undefined)(`remote libSQL (${reason})`, () => {
  it('works against a libSQL server', async () => {
    const memory = await openMemory({ url: url!, authToken });
    try {
      await roundTrip(memory);
    } finally {
      await memory.close();
    }
  });

  it('works as an embedded replica of that server', async () => {
    const dir = tempDir();
    const memory = await openMemory({ url: `file:${dir.path}/replica.db`, syncUrl: url!, authToken });
    try {
      await roundTrip(memory);
    } finally {
      await memory.close();
      dir.cleanup();
    }
  });
});
