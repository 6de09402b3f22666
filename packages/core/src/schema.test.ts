import { type Client, createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempMemory } from './__fixtures__/temp-store.js';

let store: Awaited<ReturnType<typeof openTempMemory>>;
let raw: Client;

beforeEach(async () => {
  store = await openTempMemory();
  raw = createClient({ url: store.url });
});
afterEach(async () => {
  raw.close();
  await store.close();
});

async function columns(table: string) {
  const rows = (await raw.execute(`PRAGMA table_info(${table})`)).rows;
  return Object.fromEntries(
    rows.map((row) => [
      row.name,
      { type: row.type, notNull: row.notnull === 1, default: row.dflt_value, pk: row.pk },
    ]),
  );
}

async function indexedColumns(table: string): Promise<string[]> {
  const indexes = (await raw.execute(`PRAGMA index_list(${table})`)).rows;
  const result: string[] = [];
  for (const index of indexes) {
    const cols = (await raw.execute(`PRAGMA index_info(${String(index.name)})`)).rows.map((row) => row.name);
    result.push(`${String(index.name)}(${cols.join(',')})`);
  }
  return result;
}

// The seed's `DEFAULT CURRENT_TIMESTAMP` writes `2026-01-02 03:04:05`, which sorts before the ISO
// `2026-01-02T…Z` the engine writes; migration 1.10.0 gives those columns an ISO default instead.
const isoDefault = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

describe('schema (the seed, translated to SQLite)', () => {
  it('has every column of the seed with its type, constraint and default', async () => {
    expect(await columns('episodes')).toMatchObject({
      id: { type: 'TEXT', pk: 1 },
      task_type: { type: 'TEXT', notNull: true },
      domain: { type: 'TEXT', notNull: true },
      context: { type: 'TEXT', notNull: false },
      status: { type: 'TEXT', notNull: true, default: "'active'" },
      success_rate: { type: 'REAL' },
      created_at: { type: 'DATETIME', default: isoDefault },
      completed_at: { type: 'DATETIME' },
      metadata: { type: 'TEXT' },
      embedding_version: { type: 'TEXT' },
    });
    expect(await columns('steps')).toMatchObject({
      id: { type: 'TEXT', pk: 1 },
      episode_id: { type: 'TEXT', notNull: true },
      step_number: { type: 'INTEGER', notNull: true },
      action: { type: 'TEXT', notNull: true },
      result: { type: 'TEXT' },
      duration_ms: { type: 'INTEGER' },
      success: { type: 'BOOLEAN' },
      timestamp: { type: 'DATETIME', default: isoDefault },
    });
    expect(await columns('patterns')).toMatchObject({
      id: { type: 'TEXT', pk: 1 },
      pattern_type: { type: 'TEXT', notNull: true },
      pattern_data: { type: 'TEXT', notNull: true },
      success_rate: { type: 'REAL', notNull: true },
      usage_count: { type: 'INTEGER', default: '0' },
      last_used: { type: 'DATETIME' },
      created_at: { type: 'DATETIME', default: isoDefault },
      metadata: { type: 'TEXT' },
    });
    expect(await columns('embeddings')).toMatchObject({
      id: { type: 'TEXT', pk: 1 },
      episode_id: { type: 'TEXT', notNull: true },
      content: { type: 'TEXT', notNull: true },
      embedding: { type: 'BLOB', notNull: true },
      model_name: { type: 'TEXT', notNull: true },
      created_at: { type: 'DATETIME', default: isoDefault },
    });
    // Keyed by pattern (1.11.0): forget folds one pattern's links, read as one range.
    expect(await columns('episode_patterns')).toMatchObject({
      pattern_id: { notNull: true, pk: 1 },
      episode_id: { notNull: true, pk: 2 },
      success: { type: 'INTEGER' },
      measurements: { type: 'TEXT' },
    });
    expect(await indexedColumns('episode_patterns')).toEqual(
      expect.arrayContaining(['idx_episode_patterns_episode(episode_id)']),
    );
  });

  it('has the seed indexes', async () => {
    expect(await indexedColumns('episodes')).toEqual(
      expect.arrayContaining([
        'idx_episodes_domain(domain)',
        'idx_episodes_status(status)',
        'idx_episodes_created(created_at)',
      ]),
    );
    expect(await indexedColumns('steps')).toEqual(
      expect.arrayContaining(['idx_steps_episode(episode_id)', 'idx_steps_timestamp(timestamp)']),
    );
    expect(await indexedColumns('patterns')).toEqual(
      expect.arrayContaining([
        'idx_patterns_type(pattern_type)',
        'idx_patterns_success(success_rate)',
        'idx_patterns_usage(usage_count)',
      ]),
    );
    expect(await indexedColumns('embeddings')).toContain('idx_embeddings_episode(episode_id)');
  });

  it('cascades deletes from episodes to steps, embeddings and pattern links', async () => {
    const { memory } = store;
    const episode = await memory.episodes.start({ taskType: 'debugging', domain: 'web' });
    await memory.episodes.logSteps(episode.id, [{ action: 'a' }, { action: 'b' }]);
    await raw.execute({
      sql: "INSERT INTO embeddings (id, episode_id, content, embedding, model_name) VALUES ('e1', ?, 'c', x'00', 'm')",
      args: [episode.id],
    });
    await raw.execute(
      "INSERT INTO patterns (id, pattern_type, pattern_data, success_rate) VALUES ('p1', 'tool_sequence', '{}', 1)",
    );
    await raw.execute({
      sql: "INSERT INTO episode_patterns (episode_id, pattern_id) VALUES (?, 'p1')",
      args: [episode.id],
    });

    await raw.execute('PRAGMA foreign_keys = ON');
    await raw.execute({ sql: 'DELETE FROM episodes WHERE id = ?', args: [episode.id] });
    for (const table of ['steps', 'embeddings', 'episode_patterns']) {
      expect((await raw.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n).toBe(0);
    }
  });

  it('finds the rows a cascading delete reaches through an index, not a scan of the child table', async () => {
    // Each deleted parent row makes SQLite look up its children by the foreign key column: without
    // an index, one scan of the child table per deleted row (a forget of 20 episodes scanned every
    // embedding 400 times, once per step).
    const tables = (
      await raw.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'",
      )
    ).rows.map((row) => String(row.name));
    const plans: string[] = [];
    for (const table of tables) {
      for (const key of (await raw.execute(`PRAGMA foreign_key_list(${table})`)).rows) {
        const plan = await raw.execute(
          `EXPLAIN QUERY PLAN SELECT 1 FROM ${table} WHERE ${String(key.from)} = ?`,
        );
        plans.push(`${table}.${String(key.from)}: ${plan.rows.map((row) => String(row.detail)).join('; ')}`);
      }
    }
    expect(plans).toContain(
      'embeddings.step_id: SEARCH embeddings USING COVERING INDEX idx_embeddings_step (step_id=?)',
    );
    expect(plans.filter((plan) => / SCAN /.test(plan))).toEqual([]);
  });

  it('keeps episodes_fts and steps_fts in sync on insert, update and delete', async () => {
    const { memory } = store;
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain: 'web',
      context: 'zebra migration',
    });
    await memory.episodes.logSteps(episode.id, [{ action: 'run_linter', result: 'quokka warning' }]);
    const count = async (table: string, term: string) =>
      (await raw.execute({ sql: `SELECT count(*) AS n FROM ${table} WHERE ${table} MATCH ?`, args: [term] }))
        .rows[0]?.n;

    expect(await count('episodes_fts', 'zebra')).toBe(1);
    expect(await count('steps_fts', 'quokka')).toBe(1);

    await raw.execute({
      sql: "UPDATE episodes SET context = 'yak shaving' WHERE id = ?",
      args: [episode.id],
    });
    await raw.execute({
      sql: "UPDATE steps SET result = 'wombat error' WHERE episode_id = ?",
      args: [episode.id],
    });
    expect(await count('episodes_fts', 'zebra')).toBe(0);
    expect(await count('episodes_fts', 'yak')).toBe(1);
    expect(await count('steps_fts', 'quokka')).toBe(0);
    expect(await count('steps_fts', 'wombat')).toBe(1);

    await raw.execute({ sql: 'DELETE FROM episodes WHERE id = ?', args: [episode.id] });
    expect(await count('episodes_fts', 'yak')).toBe(0);
    expect(await count('steps_fts', 'wombat')).toBe(0);
    for (const table of ['episodes_fts', 'steps_fts']) {
      await raw.execute(`INSERT INTO ${table} (${table}) VALUES ('integrity-check')`);
    }
  });

  it('opens the file in WAL mode, so readers never wait for the writer', async () => {
    expect((await raw.execute('PRAGMA journal_mode')).rows[0]?.journal_mode).toBe('wal');
  });
});
