import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@episodic/core';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { openStore } from '../src/store/open-store.js';
import { runCli, spawnCli } from './__fixtures__/cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-forget-killed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dataDir = join(root, 'data');
const database = join(dataDir, 'memory.db');
const episodes = 1500;

async function query(sql: string): Promise<string[]> {
  const raw = createClient({ url: `file:${database}` });
  try {
    return (await raw.execute(sql)).rows.map((row) => String(row[0]));
  } finally {
    raw.close();
  }
}

/** `episodes` finished episodes in `web`, recorded as the server would store them. */
async function seed(): Promise<void> {
  const memory = await openStore(await loadConfig({ flags: { 'data-dir': dataDir }, env: {} }), {
    embeddings: false,
    learning: false,
  });
  for (let start = 0; start < episodes; start += 250) {
    await memory.episodes.record(
      Array.from({ length: 250 }, (_, i) => ({
        id: newId(),
        taskType: 'debugging',
        domain: 'web',
        context: `customer WALRUS${start + i} asked`,
        steps: [{ action: 'run_tests', result: 'TypeError: x is undefined', success: false }],
        outcome: { status: 'completed' as const },
      })),
    );
  }
  await memory.close();
}

// Real processes on a loaded machine: room for their start.
describe('episodic forget killed part-way', { timeout: 300_000 }, () => {
  it('is told once by the next command, with what is left; the audit log records its end', async () => {
    await seed();
    const forget = spawnCli(['forget', '--domain', 'web', '--data-dir', dataDir]);
    // Killed once its first batch of 50 is committed (its deletes are audited with it).
    while (forget.child.exitCode === null) {
      if (Number((await query("SELECT count(*) FROM audit_log WHERE operation = 'delete'"))[0]) > 0) {
        forget.child.kill('SIGKILL');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await forget.exited;
    expect(forget.child.signalCode, forget.stderr()).toBe('SIGKILL');
    const killedAt = new Date().toISOString();
    const left = Number((await query("SELECT count(*) FROM episodes WHERE domain = 'web'"))[0]);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(episodes);

    const next = await runCli(['audit', '--since', killedAt, '--json', '--data-dir', dataDir]);
    expect(next.code, next.stderr).toBe(0);
    const said = next.stderr.split('\n').filter((line) => line.startsWith('Found a forget'));
    expect(said).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Found a forget of ${episodes} episodes \\(started (\\S+), actor local, pid ${forget.child.pid}\\) that was stopped before it finished: ${episodes - left} of them are gone, their text now purged from the store's files; ${left} are still in the store: forget them again \\(the same selection does it; their ids: .+ and ${left - 10} more\\)\\.$`,
        ),
      ),
    ]);
    expect(said[0]).not.toMatch(/WALRUS|customer|TypeError/);
    const startedAt = /started (\S+),/.exec(said[0] ?? '')?.[1];
    expect(JSON.parse(next.stdout)).toContainEqual(
      expect.objectContaining({
        actor: 'local',
        operation: 'delete',
        entityType: 'forget',
        entityId: startedAt,
        outcome: 'error',
      }),
    );
    expect(existsSync(`${database}.forgetting`)).toBe(false);

    // Said once: the same forget again says nothing of it, and forgets the rest.
    const again = await runCli(['forget', '--domain', 'web', '--data-dir', dataDir]);
    expect([again.code, again.stderr]).toEqual([0, expect.not.stringMatching(/Found a forget/)]);
    expect(again.stdout).toMatch(new RegExp(`^Forgot ${left} episodes in web;`));
  });
});
