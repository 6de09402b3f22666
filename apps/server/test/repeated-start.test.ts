import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedId } from '../src/otlp/derived-id.js';
import { recordEvents } from './__fixtures__/event-recorder.js';
import {
  rejection,
  startTestServer,
  type TestClient,
  type ClientTestServer as TestServer,
} from './__fixtures__/test-server.js';

let t: TestServer;
let agent: TestClient;

beforeAll(async () => {
  t = await startTestServer();
  agent = t.client(await t.token({ name: 'agent', scopes: ['read', 'write'], domains: ['web'] }));
});
afterAll(async () => {
  await t.close();
});

const id = (n: number) => `0190bbbb-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe('episodes.start with a client-chosen id', () => {
  it('answers a start sent again with the same episode, and announces it again only while active', async () => {
    const recorder = recordEvents(agent);
    await recorder.started;
    const input = { id: id(1), taskType: 'debugging', domain: 'web', context: 'checkout fails' };
    const first = await agent.episodes.start.mutate(input);
    expect(await agent.episodes.start.mutate(input)).toEqual(first);
    await agent.episodes.complete.mutate({ episodeId: id(1), status: 'completed' });
    const finished = await agent.episodes.start.mutate(input);
    expect([finished.id, finished.status]).toEqual([id(1), 'completed']);
    // A marker after the last start: every event of the starts before it has arrived by then.
    const marker = await agent.episodes.start.mutate({ taskType: 'testing', domain: 'web' });
    await recorder.until((event) => event.type === 'started' && event.episode.id === marker.id);
    recorder.stop();
    expect(
      recorder.events
        .filter((event) => event.type !== 'steps' && event.episode.id === id(1))
        .map((e) => e.type),
    ).toEqual(['started', 'started', 'completed']);
    expect((await agent.episodes.list.query({ domain: 'web' })).items.map((episode) => episode.id)).toEqual([
      marker.id,
      id(1),
    ]);
  });

  it('refuses the id with other input as 409 CONFLICT with the field paths', async () => {
    await agent.episodes.start.mutate({ id: id(2), taskType: 'debugging', domain: 'web' });
    const error = await rejection(
      agent.episodes.start.mutate({ id: id(2), taskType: 'testing', domain: 'web' }),
    );
    expect(error.data).toMatchObject({
      code: 'CONFLICT',
      httpStatus: 409,
      issues: [{ path: 'taskType', message: expect.stringMatching(/^differs from the episode/u) }],
    });
  });

  it('refuses a version-8 id, which the OTLP receiver derives from traces, with its field path', async () => {
    const error = await rejection(
      agent.episodes.start.mutate({
        id: derivedId('web', 'a'.repeat(32)),
        taskType: 'debugging',
        domain: 'web',
      }),
    );
    expect(error.data).toMatchObject({ code: 'BAD_REQUEST', issues: [{ path: 'id' }] });
  });
});
