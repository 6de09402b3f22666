import { type Client, createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStoreFolder } from '../__fixtures__/temp-store.js';
import { createTestEmbeddings } from '../__fixtures__/test-embeddings.js';
import { play, scripts } from '../mining/__fixtures__/mining-scripts.js';
import { createActionPairMiner } from '../mining/__fixtures__/test-miners.js';
import { openMemory } from '../open-memory.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

type Column = readonly [table: string, column: string];

/**
 * The key of `parent` and every column whose foreign key refers to it, read from the schema
 * itself: the test then covers a referring column the migration's own list might miss.
 */
async function keyColumns(raw: Client, parent: 'episodes' | 'steps'): Promise<Column[]> {
  const tables = await raw.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'",
  );
  const columns: Column[] = [[parent, 'id']];
  for (const { name } of tables.rows) {
    const keys = await raw.execute(`PRAGMA foreign_key_list(${String(name)})`);
    for (const key of keys.rows) if (key.table === parent) columns.push([String(name), String(key.from)]);
  }
  return columns;
}

/** Renames an id in every column holding it, as a 1.19.0 store given that spelling held it. */
function rename(columns: readonly Column[], from: string, to: string) {
  return columns.map(([table, column]) => ({
    sql: `UPDATE ${table} SET ${column} = ? WHERE ${column} = ?`,
    args: [to, from],
  }));
}

async function rowsPerEpisode(raw: Client, table: string): Promise<Record<string, number>> {
  const rows = await raw.execute(`SELECT episode_id, COUNT(*) AS n FROM ${table} GROUP BY episode_id`);
  return Object.fromEntries(rows.rows.map((row) => [String(row.episode_id), Number(row.n)]));
}

describe('1.20.0: ids in lower case', () => {
  it('lower-cases the ids a 1.19.0 store kept in capitals, in every column referring to them, and re-ids a clash', async () => {
    const folder = tempStoreFolder();
    cleanups.push(folder.cleanup);
    const config = {
      url: folder.url,
      cache: false as const,
      embeddings: createTestEmbeddings().provider,
      miners: [createActionPairMiner()],
    };
    let memory = await openMemory(config);
    const [first, second, third] = (await play(memory, scripts().slice(0, 3))) as [string, string, string];
    const stepOfFirst = (await memory.episodes.get(first))?.steps[0]?.id as string;
    const patternId = (await memory.patterns.list({ limit: 1 })).items[0]?.id as string;
    await memory.patterns.recordUsage(patternId, { episodeId: first, helped: true });
    await memory.close();

    const raw = createClient({ url: folder.url, intMode: 'number' });
    cleanups.push(() => raw.close());
    const stepsBefore = await rowsPerEpisode(raw, 'steps');
    const linksBefore = await rowsPerEpisode(raw, 'episode_patterns');
    const episodeColumns = await keyColumns(raw, 'episodes');
    const stepColumns = await keyColumns(raw, 'steps');
    expect(episodeColumns.length).toBeGreaterThan(5);
    // As 1.19.0 stored them when sent in capitals: the first episode and one of its steps; and the
    // third as the second's UUID in capitals (the same UUID sent in both cases made two episodes).
    const clash = second.toUpperCase();
    await raw.batch(
      [
        'PRAGMA defer_foreign_keys = ON',
        ...rename(episodeColumns, first, first.toUpperCase()),
        ...rename(stepColumns, stepOfFirst, stepOfFirst.toUpperCase()),
        ...rename(episodeColumns, third, clash),
        'DROP TABLE learner_processes',
        'DROP TABLE learners',
        'ALTER TABLE episodes DROP COLUMN outcome',
        "DELETE FROM schema_migrations WHERE version IN ('1.20.0', '1.21.0', '1.22.0', '1.23.0', '1.24.0', '1.25.0', '1.26.0')",
      ],
      'write',
    );
    const capitals = await raw.execute(
      `SELECT COUNT(*) AS n FROM steps WHERE episode_id <> lower(episode_id)`,
    );
    expect(Number(capitals.rows[0]?.n)).toBeGreaterThan(0);

    memory = await openMemory(config);
    cleanups.push(() => void memory.close());
    expect(memory.migration).toMatchObject({
      from: '1.19.0',
      applied: ['1.20.0', '1.21.0', '1.22.0', '1.23.0', '1.24.0', '1.25.0', '1.26.0'],
    });

    for (const [table, column] of [...episodeColumns, ...stepColumns]) {
      const left = await raw.execute(
        `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} <> lower(${column})`,
      );
      expect([table, column, Number(left.rows[0]?.n)]).toEqual([table, column, 0]);
    }
    expect((await raw.execute('PRAGMA foreign_key_check')).rows).toEqual([]);

    // The first episode is reached by either spelling, its step and pattern use included.
    const episode = await memory.episodes.get(first.toUpperCase());
    expect([episode?.id, episode?.steps[0]?.id]).toEqual([first, stepOfFirst]);
    expect(await memory.episodes.get(second)).toMatchObject({ id: second });
    // The clash kept its rows under a new id; nothing was lost or merged into the second.
    const ids = (await memory.episodes.list({ limit: 10 })).items.map((item) => item.id);
    const renamed = ids.find((id) => ![first, second].includes(id)) as string;
    expect(ids).toHaveLength(3);
    expect(renamed).toMatch(/^[0-9a-f-]{36}$/u);
    const stepsAfter = await rowsPerEpisode(raw, 'steps');
    const linksAfter = await rowsPerEpisode(raw, 'episode_patterns');
    expect([stepsAfter[first], stepsAfter[second], stepsAfter[renamed]]).toEqual([
      stepsBefore[first],
      stepsBefore[second],
      stepsBefore[third],
    ]);
    expect([linksAfter[first], linksAfter[second], linksAfter[renamed]]).toEqual([
      linksBefore[first],
      linksBefore[second],
      linksBefore[third],
    ]);
    const usage = await raw.execute('SELECT episode_id FROM pattern_usages');
    expect(usage.rows.map((row) => row.episode_id)).toEqual([first]);
  });
});
