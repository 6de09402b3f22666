import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './__fixtures__/cli-process.js';
import { rowSet } from './__fixtures__/row-set.js';

/** The key length the CLI enforces when a key is set: a new store's, and rekey's new one. */
const root = mkdtempSync(join(tmpdir(), 'episodic-key-length-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Fifteen characters: one short of the minimum. */
const shortKey = 'fifteen chars!!';
const longKey = 'a key of sixteen+ characters';
const advice =
  'is shorter than 16 characters: a new encryption key needs at least 16 (a random one, e.g. `openssl rand -base64 32`)';

// Real CLI processes on a loaded machine: room for their start.
describe('encryption keys set through the CLI', { timeout: 300_000 }, () => {
  it('a new store is not created under a key shorter than 16 characters; the refusal names the setting', async () => {
    const dataDir = join(root, 'fresh');
    for (const args of [
      ['tokens', 'list'],
      ['serve', '--port', '0'],
    ]) {
      const refused = await runCli([...args, '--data-dir', dataDir], { EPISODIC_ENCRYPTION_KEY: shortKey });
      expect([refused.code, refused.stderr], args[0]).toEqual([
        1,
        `episodic: The encryption key (EPISODIC_ENCRYPTION_KEY, the variable --encryption-key-env names, or encryptionKey in the config file) ${advice}, and ${join(dataDir, 'memory.db')} holds no store yet. A store that exists keeps opening with its own key, whatever its length.\n`,
      ]);
      expect(refused.stdout + refused.stderr).not.toContain(shortKey);
    }
    expect(readdirSync(dataDir)).toEqual([]);
    const created = await runCli(['tokens', 'list', '--data-dir', dataDir], {
      EPISODIC_ENCRYPTION_KEY: longKey,
    });
    expect(created.code, created.stderr).toBe(0);
  });

  it('rekey refuses a new key shorter than 16 characters before changing anything; a store under a short key keeps opening and moves to a long one', async () => {
    const dataDir = join(root, 'old');
    const database = join(dataDir, 'memory.db');
    // A store an earlier version let an operator encrypt under a short key.
    mkdirSync(dataDir, { recursive: true });
    const raw = createClient({ url: `file:${database}`, encryptionKey: 'short' });
    await raw.execute('CREATE TABLE made_by_hand (x)');
    await raw.execute('DROP TABLE made_by_hand');
    raw.close();
    const cli = (args: string[], env: Record<string, string> = {}) =>
      runCli([...args, '--data-dir', dataDir], { EPISODIC_ENCRYPTION_KEY: 'short', ...env });
    const opened = await cli(['tokens', 'create', '--name', 'agent']);
    expect(opened.code, opened.stderr).toBe(0);
    const before = await rowSet(database, 'short');
    const files = readdirSync(dataDir).sort();

    for (const [args, env, named] of [
      [['rekey'], { EPISODIC_NEW_ENCRYPTION_KEY: shortKey }, 'EPISODIC_NEW_ENCRYPTION_KEY'],
      [['rekey', '--new-key-env', 'NEXT_KEY'], { NEXT_KEY: shortKey }, 'NEXT_KEY'],
    ] as const) {
      const refused = await cli([...args], env);
      expect([refused.code, refused.stderr]).toEqual([
        1,
        `episodic: ${named} ${advice}. Nothing was changed.\n`,
      ]);
      expect(refused.stdout + refused.stderr).not.toContain(shortKey);
    }
    expect(await rowSet(database, 'short')).toEqual(before);
    expect(readdirSync(dataDir).sort()).toEqual(files);

    const rekeyed = await cli(['rekey'], { EPISODIC_NEW_ENCRYPTION_KEY: longKey });
    expect(rekeyed.code, rekeyed.stderr).toBe(0);
    expect(await rowSet(database, longKey)).toEqual(before);
    expect(existsSync(`${database}.rekeying`)).toBe(false);
  });
});
