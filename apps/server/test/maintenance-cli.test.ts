import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { openStore } from '../src/store/open-store.js';
import { runCli } from './__fixtures__/cli-process.js';
import { rowSet } from './__fixtures__/row-set.js';

/**
 * The maintenance commands, as real processes, one after the other on one encrypted store
 * (nothing serves it: restore and rekey need it so, the others do not mind either way).
 */
const root = mkdtempSync(join(tmpdir(), 'episodic-maintenance-'));
const dataDir = join(root, 'data');
const dbPath = join(dataDir, 'memory.db');
const firstKey = 'first-key-Zq81vB';
const secondKey = 'second-key-Yt42mC';
let key = firstKey;
const ids: Record<string, string> = {};

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli([...args, '--data-dir', dataDir], { EPISODIC_ENCRYPTION_KEY: key, ...env });

async function sql(statement: string, args: string[] = []) {
  const raw = createClient({ url: `file:${dbPath}`, encryptionKey: key });
  try {
    return await raw.execute({ sql: statement, args });
  } finally {
    raw.close();
  }
}

beforeAll(async () => {
  const memory = await openStore(
    await loadConfig({ flags: { 'data-dir': dataDir }, env: { EPISODIC_ENCRYPTION_KEY: key } }),
  );
  const start = async (name: string, domain: string, metadata?: Record<string, string>) => {
    const episode = await memory.episodes.start({
      taskType: 'debugging',
      domain,
      context: `${name} context`,
      metadata,
    });
    await memory.episodes.logSteps(episode.id, [
      { action: `${name} step one` },
      { action: `${name} step two`, success: true },
    ]);
    await memory.episodes.complete(episode.id, { status: 'completed', successRate: 1 });
    await memory.learning.flush();
    ids[name] = episode.id;
  };
  await start('lost', 'web');
  await start('customer', 'web', { customer: 'c-99' });
  await start('byId', 'web');
  await start('kept', 'web');
  await start('oldScratch', 'scratch');
  await start('newScratch', 'scratch');
  await memory.learning.flush();
  await memory.close();
  await sql('UPDATE episodes SET created_at = ? WHERE id = ?', [
    new Date(Date.now() - 40 * 86_400_000).toISOString(),
    ids.oldScratch as string,
  ]);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

// Up to seven CLI processes per test, five of them one after another: at load ~40 (two suites on
// 2 cores) one start took up to 20 s, and two tests passed 60 s.
describe('maintenance commands', { timeout: 300_000 }, () => {
  it('repair reports orphans on a dry run, then mends them and says what it changed', async () => {
    const raw = createClient({ url: `file:${dbPath}`, encryptionKey: key });
    await raw.execute('PRAGMA foreign_keys = OFF');
    await raw.execute({ sql: 'DELETE FROM episodes WHERE id = ?', args: [ids.lost as string] });
    raw.close();
    const before = await rowSet(dbPath, key);

    const dry = await cli(['repair', '--dry-run']);
    expect([dry.code, dry.stdout]).toEqual([
      0,
      expect.stringMatching(
        /^Found 2 orphan steps, 1 orphan embeddings \(1 lost episodes\)[\s\S]*Dry run: nothing was changed/,
      ),
    ]);
    expect(await rowSet(dbPath, key)).toEqual(before);

    const fixed = await cli(['repair']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(
      new RegExp(`- re-created episode ${ids.lost} \\(domain "recovered"\\) for 2 orphan steps`),
    );
    expect(fixed.stdout).toMatch(/- rebuilt episodes_fts[\s\S]*Partial data loss/);
    expect(
      (await sql('SELECT domain FROM episodes WHERE id = ?', [ids.lost as string])).rows[0]?.domain,
    ).toBe('recovered');
  });

  it('retention apply runs the config file policies once', async () => {
    const none = await cli(['retention', 'apply']);
    expect([none.code, none.stderr]).toEqual([
      0,
      expect.stringMatching(/^No retention policies for episodes.*\nPruned 0 audit entries past/),
    ]);
    const config = join(root, 'retention.json');
    writeFileSync(config, JSON.stringify({ retention: { scratch: { deleteAfterDays: 30 } } }));
    const applied = await cli(['retention', 'apply', '--config', config]);
    expect([applied.code, applied.stdout]).toEqual([
      0,
      expect.stringMatching(/^DOMAIN\s+ARCHIVED\s+DELETED\nscratch\s+-\s+1\n$/),
    ]);
    expect(
      (await sql('SELECT id FROM episodes WHERE domain = ?', ['scratch'])).rows.map((row) => row.id),
    ).toEqual([ids.newScratch]);
  });

  it('forget deletes by id or by metadata, and refuses an ambiguous selection', async () => {
    const [byMetadata, ambiguous] = await Promise.all([
      cli(['forget', '--metadata', 'customer=c-99', '--json']),
      cli(['forget', '--domain', 'web', '--episode', ids.kept as string]),
    ]);
    expect(byMetadata.code).toBe(0);
    expect(JSON.parse(byMetadata.stdout)).toMatchObject({
      episodeIds: [ids.customer],
      domains: ['web'],
      purge: 'done',
    });
    expect([ambiguous.code, ambiguous.stderr]).toEqual([
      1,
      expect.stringMatching(/forget needs exactly one of/),
    ]);
    const byId = await cli(['forget', '--episode', ids.byId as string]);
    expect([byId.code, byId.stdout]).toEqual([0, expect.stringMatching(/^Forgot 1 episodes in web;/)]);
    expect(byId.stdout).toMatch(/Purged: none of their text is left in the database file or its WAL\./);
    expect(byId.stderr).toBe('');
    // Sent again, with an id this store never held: each is named, as not here.
    const stranger = '01a246ac-3086-7000-8a12-26f71ce9fdc5';
    const again = await cli(['forget', '--episode', ids.byId as string, '--episode', stranger]);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/^Forgot 0 episodes;/)]);
    expect(again.stderr).toBe(
      `Not in this store (already forgotten, mistyped, or in another store): ${ids.byId}, ${stranger}\n`,
    );
    const json = await cli(['forget', '--episode', stranger, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ episodeIds: [], notFound: [stranger] });
    const left = (await sql("SELECT id FROM episodes WHERE domain = 'web'")).rows.map((row) => row.id);
    expect(left).toEqual([ids.kept]);
  });

  it('audit shows who did what, filtered, without content', async () => {
    const [deletes, recent, bad] = await Promise.all([
      cli(['audit', '--actor', 'local', '--operation', 'delete', '--json']),
      cli(['audit', '--since', '1h', '--operation', 'admin']),
      cli(['audit', '--operation', 'steal']),
    ]);
    expect(deletes.code).toBe(0);
    const entries = JSON.parse(deletes.stdout) as { entityId: string; domain: string; outcome: string }[];
    expect(entries.map((entry) => entry.entityId).sort()).toEqual(
      [ids.oldScratch, ids.customer, ids.byId].sort(),
    );
    expect(deletes.stdout).not.toMatch(/context|step one/);
    expect(recent.stdout).toMatch(
      /^SEQ\s+AT\s+ACTOR\s+OPERATION\s+ENTITY\s+ID\s+DOMAIN\s+OUTCOME\n.*local\s+admin\s+database/,
    );
    expect([bad.code, bad.stderr]).toEqual([
      1,
      expect.stringMatching(/--operation steal: use create, update, delete/),
    ]);
  });

  it('audit pages through the log: --after the last entry shown gives the next ones', async () => {
    const all = JSON.parse((await cli(['audit', '--limit', '1000', '--json'])).stdout) as { seq: number }[];
    expect(all.length).toBeGreaterThan(4);
    const first = await cli(['audit', '--limit', '2']);
    const lastShown = all[1]?.seq;
    expect(first.stdout).toMatch(new RegExp(`^SEQ\\s+AT\\s+ACTOR.*\\n${all[0]?.seq}\\s.*\\n${lastShown}\\s`));
    expect(first.stdout).toContain(`(2 shown; the next ones: the same command with --after ${lastShown})`);
    const next = JSON.parse(
      (await cli(['audit', '--limit', '2', '--after', String(lastShown), '--json'])).stdout,
    );
    expect(next).toEqual(all.slice(2, 4));
    const bad = await cli(['audit', '--after', 'last']);
    expect([bad.code, bad.stderr]).toEqual([
      1,
      expect.stringMatching(/--after last: expected an entry's number/),
    ]);
  });

  it('rekey moves the store to a new key from the environment, printing neither key', async () => {
    const missing = await cli(['rekey']);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      expect.stringMatching(/reads the new key from EPISODIC_NEW_ENCRYPTION_KEY, which is not set/),
    ]);
    const before = await rowSet(dbPath, key);
    const rekeyed = await cli(['rekey', '--new-key-env', 'NEXT_KEY', '--keep-old'], { NEXT_KEY: secondKey });
    const kept = /^The file under the old key is kept at (\S+) \(--keep-old\)/.exec(rekeyed.stderr)?.[1];
    expect([rekeyed.code, existsSync(kept ?? '')]).toEqual([0, true]);
    expect(rekeyed.stdout).toMatch(/^Re-encrypted .*memory\.db: \d+ rows copied and counted\./);
    expect(rekeyed.stdout + rekeyed.stderr).not.toMatch(new RegExp(`${firstKey}|${secondKey}`));
    expect(readdirSync(dataDir).filter((name) => name.includes('rekeying'))).toEqual([]);

    const withOldKey = await cli(['verify']);
    expect(withOldKey.code).toBe(1);
    key = secondKey;
    expect(await rowSet(dbPath, key)).toEqual(before);
    const [verified, audited] = await Promise.all([
      cli(['verify']),
      cli(['audit', '--operation', 'admin', '--json']),
    ]);
    expect(verified.code).toBe(0);
    expect((JSON.parse(audited.stdout) as { entityId: string }[]).map((entry) => entry.entityId)).toContain(
      'rekey',
    );
  });

  it('rekey --decrypt without a key says the store is not encrypted', async () => {
    const plain = await runCli(['rekey', '--decrypt', '--data-dir', join(root, 'plain')], {
      EPISODIC_ENCRYPTION_KEY: '',
    });
    expect([plain.code, plain.stderr]).toEqual([
      1,
      expect.stringMatching(
        /^episodic: rekey --decrypt: no encryption key is set .*the store is not encrypted/,
      ),
    ]);
  });

  it('reindex switches the embedding provider that a store refuses to open with otherwise', async () => {
    // Commands that write no vectors do not need the server's embedding settings.
    for (const command of [['tokens', 'list'], ['audit'], ['repair', '--dry-run']])
      expect((await cli([...command, '--embeddings-dimensions', '64'])).code, command.join(' ')).toBe(0);
    const refused = await cli(['learning', 'status', '--embeddings-dimensions', '64']);
    expect([refused.code, refused.stderr]).toEqual([
      1,
      expect.stringMatching(
        /local\/hashed-ngrams-v1\/384[\s\S]*every other command must be given the embedding settings the store was made with \(`--embeddings`[\s\S]*stop every server and worker of it and run `episodic reindex`/,
      ),
    ]);
    const reindexed = await cli(['reindex', '--embeddings-dimensions', '64']);
    expect([reindexed.code, reindexed.stdout]).toEqual([
      0,
      expect.stringMatching(/^Re-embedded 3 episodes with local\/hashed-ngrams-v1\/64/),
    ]);
    expect((await cli(['tokens', 'list', '--embeddings-dimensions', '64'])).code).toBe(0);
    const models = await sql('SELECT DISTINCT model_name FROM embeddings');
    expect(models.rows.map((row) => row.model_name)).toEqual(['local/hashed-ngrams-v1/64']);
  });
});
