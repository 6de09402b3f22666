import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../__fixtures__/temp-store.js';
import { EpisodicError } from '../errors.js';
import { openMemory } from '../open-memory.js';
import { latestSchemaVersion } from './migrate.js';

const fixture = fileURLToPath(new URL('./__fixtures__/memory-1.0.0.db', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function copyOfFixture(): string {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const path = join(dir.path, 'memory.db');
  copyFileSync(fixture, path);
  return path;
}

describe('migrations', () => {
  it('records every version on a new database', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const memory = await openMemory({ url: `file:${join(dir.path, 'memory.db')}` });
    expect(memory.migration).toMatchObject({ from: null, to: latestSchemaVersion });
    expect(memory.migration.applied).toEqual([
      '1.0.0',
      '1.1.0',
      '1.2.0',
      '1.3.0',
      '1.4.0',
      '1.5.0',
      '1.6.0',
      '1.7.0',
      '1.8.0',
      '1.9.0',
      '1.10.0',
      '1.11.0',
      '1.12.0',
      '1.14.0',
      '1.15.0',
      '1.16.0',
      '1.17.0',
      '1.18.0',
      '1.19.0',
      '1.20.0',
      '1.21.0',
      '1.22.0',
      '1.23.0',
      '1.24.0',
      '1.25.0',
      '1.26.0',
    ]);
    expect(await memory.admin.schemaVersion()).toBe(latestSchemaVersion);
    await memory.close();
  });

  it('upgrades a database made by the 1.0.0 migration in place, keeping every row', async () => {
    const path = copyOfFixture();
    const memory = await openMemory({ url: `file:${path}` });
    expect(memory.migration.from).toBe('1.0.0');
    expect(memory.migration.applied).toEqual([
      '1.1.0',
      '1.2.0',
      '1.3.0',
      '1.4.0',
      '1.5.0',
      '1.6.0',
      '1.7.0',
      '1.8.0',
      '1.9.0',
      '1.10.0',
      '1.11.0',
      '1.12.0',
      '1.14.0',
      '1.15.0',
      '1.16.0',
      '1.17.0',
      '1.18.0',
      '1.19.0',
      '1.20.0',
      '1.21.0',
      '1.22.0',
      '1.23.0',
      '1.24.0',
      '1.25.0',
      '1.26.0',
    ]);
    expect(await memory.admin.schemaVersion()).toBe(latestSchemaVersion);

    const page = await memory.episodes.list({ domain: 'legacy' });
    expect(page.items).toHaveLength(3);
    const episode = await memory.episodes.get('00000000-0000-4000-8000-000000000002');
    expect(episode).toMatchObject({
      context: 'legacy episode 2: flaky checkout test',
      status: 'completed',
      metadata: { era: '1.0.0' },
      // the seed's CURRENT_TIMESTAMP text, rewritten as ISO-8601 so it sorts with new rows
      completedAt: '2025-01-02T10:00:00.000Z',
      embeddingVersion: null,
    });
    expect(episode?.steps.map((step) => [step.stepNumber, step.success])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(episode?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // steps written before full-text search over steps existed are searchable after the upgrade
    const hits = await memory.search.text({ text: 'TimeoutError' });
    expect(hits.map((hit) => hit.episode.id).sort()).toHaveLength(3);
    // and whole episodes (context and steps) were indexed for retrieve by the 1.8.0 backfill
    const raw = createClient({ url: `file:${path}` });
    const docs = await raw.execute(
      "SELECT count(*) AS n FROM episode_docs_fts WHERE episode_docs_fts MATCH 'TimeoutError AND legacy'",
    );
    raw.close();
    expect(Number(docs.rows[0]?.n)).toBe(3);
    expect((await memory.patterns.list({ type: 'tool_sequence' })).items).toMatchObject([
      { id: 'legacy-pattern', successRate: 0.75, usageCount: 2 },
    ]);
    // and the upgraded file takes new writes
    const fresh = await memory.episodes.start({ taskType: 'testing', domain: 'legacy' });
    expect((await memory.episodes.list({ domain: 'legacy' })).items[0]?.id).toBe(fresh.id);
    await memory.close();
  });

  it('gives every timestamp column an ISO-8601 default, so a row written without one sorts right', async () => {
    const path = copyOfFixture();
    const memory = await openMemory({ url: `file:${path}` });
    const before = new Date(Date.now() - 1000).toISOString();
    const raw = createClient({ url: `file:${path}` });
    const oldDefaults = await raw.execute(
      "SELECT name FROM sqlite_schema WHERE sql LIKE '%CURRENT_TIMESTAMP%' ORDER BY name",
    );
    expect(oldDefaults.rows.map((row) => row.name)).toEqual([]);
    // What another tool writes when it leaves the timestamps to the schema.
    await raw.execute(
      "INSERT INTO episodes (id, task_type, domain, context) VALUES ('00000000-0000-4000-8000-0000000000aa', 'testing', 'legacy', 'x')",
    );
    await raw.execute(
      "INSERT INTO steps (id, episode_id, step_number, action) VALUES ('s1', '00000000-0000-4000-8000-0000000000aa', 1, 'run')",
    );
    const integrity = await raw.execute('PRAGMA integrity_check');
    raw.close();
    expect(integrity.rows[0]?.[0]).toBe('ok');

    const episode = await memory.episodes.get('00000000-0000-4000-8000-0000000000aa');
    expect(episode?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(episode?.steps[0]?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // With the old default ('2026-… 01:02:03' < '2026-…T…') the row fell outside a `since` filter.
    const recent = await memory.episodes.list({ domain: 'legacy', since: before });
    expect(recent.items.map((item) => item.id)).toEqual(['00000000-0000-4000-8000-0000000000aa']);
    await memory.close();
  });

  it('refuses a database from a newer version, names that version, and leaves it untouched', async () => {
    const path = copyOfFixture();
    const raw = createClient({ url: `file:${path}` });
    await raw.execute(
      "INSERT INTO schema_migrations (version, description, applied_at) VALUES ('9.4.0', 'from the future', 'x')",
    );
    raw.close();

    const error = await openMemory({ url: `file:${path}` }).catch((caught: unknown) => caught);
    expect(EpisodicError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'SCHEMA_VERSION' });
    expect((error as Error).message).toContain('9.4.0');

    const check = createClient({ url: `file:${path}` });
    const tables = await check.execute("SELECT name FROM sqlite_master WHERE name = 'embeddings'");
    expect(tables.rows).toHaveLength(0); // 1.1.0 was not applied
    check.close();
  });

  it('rolls back every pending migration when one fails', async () => {
    const path = copyOfFixture();
    const raw = createClient({ url: `file:${path}` });
    // A table 1.1.0 wants to create already exists, so 1.1.0 fails half-way.
    await raw.execute('CREATE TABLE embeddings (x)');
    raw.close();

    const error = await openMemory({ url: `file:${path}` }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'STORAGE' });

    const check = createClient({ url: `file:${path}` });
    const columns = await check.execute('PRAGMA table_info(episodes)');
    expect(columns.rows.map((row) => row.name)).not.toContain('embedding_version');
    const versions = await check.execute('SELECT version FROM schema_migrations');
    expect(versions.rows.map((row) => row.version)).toEqual(['1.0.0']);
    check.close();
  });
});
