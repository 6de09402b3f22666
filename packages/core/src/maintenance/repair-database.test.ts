import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { type Database, openDatabase } from '../db/database.js';
import { repairDatabase } from './repair-database.js';
import { verifyDatabase } from './verify-database.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let db: Database;
beforeEach(async () => {
  store = await openTempMemory();
  db = await openDatabase({ url: store.url, busyTimeoutMs: 1000, synchronous: 'normal' });
});
afterEach(async () => {
  await db.close();
  await store.close();
});

/** Partial data loss as a tool with foreign keys off would leave it. */
async function loseData() {
  const episode = await store.memory.episodes.start({
    taskType: 'debugging',
    domain: 'web',
    context: 'lost episode',
  });
  await store.memory.episodes.logSteps(episode.id, [
    { action: 'survivor one', result: 'GRIFFIN error' },
    { action: 'survivor two' },
  ]);
  const raw = createClient({ url: store.url });
  await raw.execute('PRAGMA foreign_keys = OFF');
  await raw.execute({ sql: 'DELETE FROM episodes WHERE id = ?', args: [episode.id] });
  await raw.execute(
    "INSERT INTO patterns (id, pattern_type, pattern_data, success_rate) VALUES ('p', 'tool_sequence', '{}', 1)",
  );
  const other = await store.memory.episodes.start({
    taskType: 'testing',
    domain: 'web',
    context: 'UNICORN context',
  });
  await raw.execute({
    sql: "INSERT INTO episode_patterns (episode_id, pattern_id) VALUES (?, 'gone')",
    args: [other.id],
  });
  // a full-text index that no longer matches its table
  await raw.execute({
    sql: "INSERT INTO episodes_fts (episodes_fts, rowid, task_type, domain, context) SELECT 'delete', rowid, task_type, domain, context FROM episodes WHERE id = ?",
    args: [other.id],
  });
  raw.close();
  return { lost: episode.id, other: other.id };
}

describe('repair', () => {
  it('reports without changing anything on a dry run', async () => {
    await loseData();
    const report = await repairDatabase(db, { dryRun: true });
    expect(report).toMatchObject({ orphanSteps: 2, brokenLinks: 1, changes: [] });
    expect((await verifyDatabase(store.url.slice('file:'.length))).ok).toBe(false);
  });

  it('re-creates lost episodes from their steps, removes broken links, rebuilds full-text and says so', async () => {
    const { lost, other } = await loseData();
    const report = await repairDatabase(db);
    expect(report.recoveredEpisodes).toEqual([lost]);
    expect(report.changes.join('\n')).toMatch(
      /re-created episode .* for 2 orphan steps[\s\S]*removed 1 links[\s\S]*rebuilt/,
    );
    expect(await store.memory.episodes.get(lost)).toMatchObject({
      domain: 'recovered',
      status: 'archived',
      steps: [{ action: 'survivor one' }, { action: 'survivor two' }],
    });
    expect((await store.memory.search.text({ text: 'UNICORN' })).map((hit) => hit.episode.id)).toEqual([
      other,
    ]);
    expect((await store.memory.search.text({ text: 'GRIFFIN' })).map((hit) => hit.episode.id)).toEqual([
      lost,
    ]);
    expect(await verifyDatabase(store.url.slice('file:'.length))).toMatchObject({ ok: true, problems: [] });
    expect((await repairDatabase(db)).recoveredEpisodes).toEqual([]);
  });

  it('removes every row that points at a missing row, so that verify passes after it', async () => {
    const episode = await store.memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    const raw = createClient({ url: store.url });
    await raw.execute(
      "INSERT INTO patterns (id, pattern_type, pattern_data, success_rate) VALUES ('p', 'tool_sequence', '{}', 1)",
    );
    await store.memory.patterns.recordUsage('p', { episodeId: episode.id, helped: true });
    // A pattern deleted in a tool with foreign keys off (the stock sqlite3 CLI's default).
    await raw.execute('PRAGMA foreign_keys = OFF');
    await raw.execute("DELETE FROM patterns WHERE id = 'p'");
    raw.close();
    const report = await repairDatabase(db);
    expect(report.brokenLinks).toBe(1);
    expect(await verifyDatabase(store.url.slice('file:'.length))).toMatchObject({ ok: true, problems: [] });
  });
});
