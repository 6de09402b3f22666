import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { type Memory, openMemory } from '../open-memory.js';
import type { RetrievalConfig } from './retrieval-config.js';

const folder = tempStoreFolder();
const ids: Record<string, string> = {};
const opened: Memory[] = [];

/** A store over the test file, cache off (dates are moved behind the engine's back), text only. */
async function open(retrieval: RetrievalConfig = {}): Promise<Memory> {
  const memory = await openMemory({ url: folder.url, cache: false, retrieval });
  opened.push(memory);
  return memory;
}

/** Query expansion at the weight it had as a default until session 26. */
const expansionOn: RetrievalConfig = { weights: { expansion: 0.2 } };

const episodesOf = (result: Awaited<ReturnType<Memory['search']['retrieve']>>) =>
  result.episodes.map((entry) => entry.episode.id);

beforeAll(async () => {
  const memory = await open();
  const record = async (name: string, context: string, results: string[]) => {
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'shop', context });
    await memory.episodes.logSteps(
      episode.id,
      results.map((result) => ({ action: 'note', result, success: true })),
    );
    await memory.episodes.complete(episode.id, { status: 'completed' });
    ids[name] = episode.id;
  };
  await record('crash', 'The checkout page crashes for the customers', [
    'the stripe webhook signature did not match, so we rotated the signing secret in the vault',
  ]);
  // Shares no word with "checkout page crashes", but most of the crash's own distinctive words.
  await record('webhook', 'Payment confirmations are missing for the orders', [
    'the stripe webhook signature was rejected until the signing secret in the vault was rotated',
  ]);
  await record('fonts', 'The invoice fonts look wrong for the customers', ['the pdf renderer lacked a font']);
  // A close whole-episode match whose steps do not match, and a weak one whose step does.
  await record('mooring', 'Zeppelin mooring mast: the zeppelin mooring failed', ['all checks green']);
  await record('review', 'Weekly hangar review', [
    `the review went through the hangar roof, the heating, the doors, the lighting, the paint, the
    schedule and the budget; one zeppelin came back early and the crew moved the mooring ropes`,
  ]);
  await record('search', 'The product search is slow for the customers', [
    'an index was missing on the table',
  ]);
  await record('near', 'Nightly backup', ['the disk is full again, we pruned old snapshots']);
  await record('far', 'Nightly backup', ['the disk was checked and the report was sent; the queue is full']);
  await record('dentist-old', 'Booked a dentist appointment for a dentist check', [
    'dentist appointment booked',
  ]);
  await record('dentist-recent', 'Booked a dentist appointment', ['appointment confirmed']);
  const raw = createClient({ url: folder.url });
  try {
    const dated = { 'dentist-old': '2023-01-10T10:00:00.000Z', 'dentist-recent': '2023-03-18T10:00:00.000Z' };
    for (const [name, date] of Object.entries(dated))
      await raw.execute({
        sql: 'UPDATE episodes SET created_at = ? WHERE id = ?',
        args: [date, ids[name] as string],
      });
  } finally {
    raw.close();
  }
});

afterAll(async () => {
  for (const memory of opened) await memory.close();
  folder.cleanup();
});

describe('retrieve: the text score, query expansion, named dates, proximity', () => {
  it('finds an episode that shares no query word but its best match’s words when expansion is on (RM3; off by default)', async () => {
    const memory = await open(expansionOn);
    const result = await memory.search.retrieve({ text: 'checkout page crashes', patterns: 0 });
    expect(episodesOf(result).slice(0, 2)).toEqual([ids.crash, ids.webhook]);
    const webhook = result.episodes[1];
    expect(webhook?.why.text).toBeNull();
    expect(webhook?.why.expansion).toMatchObject({ rank: 2 });
    expect(result.episodes[0]?.why.expansion).toMatchObject({ rank: 1, contribution: 0.2 });

    const off = await open();
    const plain = await off.search.retrieve({ text: 'checkout page crashes', patterns: 0 });
    expect(episodesOf(plain)).not.toContain(ids.webhook);
    expect(plain.episodes.every((entry) => entry.why.expansion === null)).toBe(true);
  });

  it('leaves out excluded episodes, and learns no expansion or feedback from them', async () => {
    const memory = await open(expansionOn);
    const text = 'checkout page crashes';
    expect(episodesOf(await memory.search.retrieve({ text, patterns: 0 })).slice(0, 2)).toEqual([
      ids.crash,
      ids.webhook,
    ]);
    // The webhook episode shares no query word: only the crash's words, by expansion, found it.
    const result = await memory.search.retrieve({ text, exclude: [ids.crash as string], patterns: 0 });
    expect(episodesOf(result)).not.toContain(ids.crash);
    expect(episodesOf(result)).not.toContain(ids.webhook);
    expect(result.episodes.every((entry) => entry.why.expansion === null)).toBe(true);
  });

  it('favours episodes within a date the query names, read from its `at`, and measures age from `at`', async () => {
    const memory = await open();
    const text = 'my dentist appointment two weeks ago';
    const at = '2023-04-01T12:00:00.000Z';
    const dated = await memory.search.retrieve({ text, at, patterns: 0 });
    expect(episodesOf(dated)[0]).toBe(ids['dentist-recent']);
    expect(dated.episodes[0]?.why.time).toEqual({ contribution: 0.5 });
    expect(dated.episodes[0]?.why.recency.ageDays).toBeCloseTo(14.083, 2);
    expect(dated.episodes[1]?.why.time).toBeNull();

    // The same question without its date, or with the time weight off: the better text match leads.
    const undated = await memory.search.retrieve({ text, patterns: 0 });
    expect(episodesOf(undated)[0]).toBe(ids['dentist-old']);
    expect(undated.episodes.every((entry) => entry.why.time === null)).toBe(true);
    const off = await open({ weights: { time: 0 } });
    expect(episodesOf(await off.search.retrieve({ text, at, patterns: 0 }))[0]).toBe(ids['dentist-old']);
  });

  it('keeps a far better whole-episode match ahead of a weak one whose step matches (text by score)', async () => {
    const text = 'zeppelin mooring';
    const byScore = await (await open()).search.retrieve({ text, patterns: 0 });
    expect(episodesOf(byScore).slice(0, 2)).toEqual([ids.mooring, ids.review]);
    const [first, second] = byScore.episodes;
    expect(first?.why.text).toMatchObject({ rank: 1, matchedIn: 'episode', contribution: 1 });
    expect(second?.why.text).toMatchObject({ rank: 2, matchedIn: 'step' });
    // By rank, the two text matches are 1/61 of the weight apart and the step match decides.
    const byRank = await (await open({ textFusion: 'rank' })).search.retrieve({ text, patterns: 0 });
    expect(episodesOf(byRank).slice(0, 2)).toEqual([ids.review, ids.mooring]);
  });

  it('ranks query words found close together when proximity is on (off by default)', async () => {
    const text = 'disk full';
    const byDefault = await (await open()).search.retrieve({ text, patterns: 0 });
    expect(byDefault.episodes.every((entry) => entry.why.proximity === null)).toBe(true);
    const memory = await open({ weights: { proximity: 1 }, proximity: { distance: 3 } });
    const result = await memory.search.retrieve({ text, patterns: 0 });
    const near = result.episodes.find((entry) => entry.episode.id === ids.near);
    const far = result.episodes.find((entry) => entry.episode.id === ids.far);
    expect(near?.why.proximity).toMatchObject({ rank: 1, contribution: 1 });
    expect(far?.why.text).not.toBeNull();
    expect(far?.why.proximity).toBeNull();
  });
});
