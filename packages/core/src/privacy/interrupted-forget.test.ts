import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { filesHolding } from '../__fixtures__/folder-bytes.js';
import { runTogether } from '../__fixtures__/run-together.js';
import { tempStoreFolder, testCacheEnabled } from '../__fixtures__/temp-store.js';
import { newId } from '../ids.js';
import { openMemory } from '../open-memory.js';

const forgetDomain = fileURLToPath(new URL('../__fixtures__/forget-domain.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const cache = testCacheEnabled ? {} : { cache: false as const };

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function folder() {
  const created = tempStoreFolder();
  cleanups.push(created.cleanup);
  return created;
}

/** `count` finished episodes in `web`, each holding a word of its own; two in `kept`. Returns id → word. */
async function seed(url: string, count: number): Promise<Map<string, string>> {
  const words = new Map<string, string>();
  const memory = await openMemory({ url, ...cache });
  for (let start = 0; start < count; start += 250) {
    const records = Array.from({ length: Math.min(250, count - start) }, (_, i) => {
      const id = newId();
      words.set(id, `QUOKKA${start + i}X`);
      return {
        id,
        taskType: 'debugging',
        domain: 'web',
        context: `context ${words.get(id)}`,
        steps: [{ action: 'run_tests', result: `failed on ${words.get(id)}`, success: false }],
        outcome: { status: 'completed' as const },
      };
    });
    await memory.episodes.record(records);
  }
  for (const word of ['KEPT1', 'KEPT2'])
    await memory.episodes.record([{ id: newId(), taskType: 'debugging', domain: 'kept', context: word }]);
  await memory.close();
  return words;
}

async function query(url: string, sql: string): Promise<string[]> {
  const raw = createClient({ url });
  try {
    return (await raw.execute(sql)).rows.map((row) => String(row[0]));
  } finally {
    raw.close();
  }
}

/**
 * Runs a real process that forgets domain `web` in batches of 10 (or, with `'retention'`, deletes
 * it by a retention policy), and SIGKILLs it as soon as the audit log shows its first batch
 * committed: part-way, as a crash or `kill -9` would.
 */
function forgetThenKill(url: string, how: '10' | 'retention' = '10'): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', forgetDomain, url, 'web', how], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve, reject) =>
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL'
        ? resolve()
        : reject(new Error(`the forget ended (${code}) before the kill: ${output}`)),
    ),
  );
  // No bound on the child's start: a busy machine takes its time loading it.
  const poll = async () => {
    while (child.exitCode === null && child.signalCode === null) {
      const deletes = await query(url, "SELECT count(*) FROM audit_log WHERE operation = 'delete'");
      if (Number(deletes[0]) > 0) return void child.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return Promise.all([poll(), exited]).then(() => undefined);
}

describe('a forget killed part-way', { timeout: 300_000 }, () => {
  it('is told once by the next open, which purges what it deleted and audits its end', async () => {
    const { dir, path, url } = folder();
    const words = await seed(url, 1200);
    await forgetThenKill(url);
    const left = new Set(await query(url, "SELECT id FROM episodes WHERE domain = 'web'"));
    expect(left.size).toBeGreaterThan(0);
    expect(left.size).toBeLessThan(1200);
    const gone = [...words.keys()].filter((id) => !left.has(id));

    const warnings: string[] = [];
    const memory = await openMemory({ url, ...cache, logger: { warn: (message) => warnings.push(message) } });
    const found = warnings.filter((message) => message.startsWith('Found a forget'));
    expect(found).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Found a forget of 1200 episodes \\(started \\S+, actor local, pid \\d+\\) that was stopped before it finished: ${gone.length} of them are gone, their text now purged from the store's files; ${left.size} are still in the store: forget them again \\(the same selection does it; their ids: [0-9a-f, -]+ and ${left.size - 10} more\\)\\.$`,
        ),
      ),
    ]);
    const message = found[0] ?? '';
    const named = /their ids: (.+) and \d+ more/.exec(message)?.[1]?.split(', ') ?? [];
    expect(named).toHaveLength(10);
    for (const id of named) expect(left.has(id)).toBe(true);
    expect(message).not.toMatch(/QUOKKA|KEPT|context|failed on/i);

    // Purged before the open returned: no word of a forgotten episode is left in any file.
    expect((await memory.admin.stats()).purge.pendingSince).toBeNull();
    for (const id of [gone[0], gone.at(-1)])
      expect(filesHolding(dir, words.get(id ?? '') ?? '?', { foldCase: true })).toEqual([]);

    const startedAt = /started (\S+),/.exec(message)?.[1];
    const ends = (await memory.admin.audit({ operation: 'delete', limit: 1000 })).filter(
      (entry) => entry.entityType === 'forget',
    );
    expect(ends).toEqual([
      expect.objectContaining({ actor: 'local', entityId: startedAt, domain: null, outcome: 'error' }),
    ]);
    await memory.close();

    // Once: the next open says nothing more, and nothing of the journal is left.
    const again: string[] = [];
    const reopened = await openMemory({ url, ...cache, logger: { warn: (line) => again.push(line) } });
    expect(again.filter((line) => line.startsWith('Found a forget'))).toEqual([]);
    expect(existsSync(`${path}.forgetting`)).toBe(false);
    expect((await reopened.admin.forget({ domain: 'web' })).episodeIds.sort()).toEqual([...left].sort());
    await reopened.close();
  });

  it("is told as a retention pass's when one was deleting, whose next pass deletes the rest", async () => {
    const { url } = folder();
    // Retention forgets in batches of 50: enough of them that the kill lands part-way.
    await seed(url, 2000);
    await forgetThenKill(url, 'retention');
    const left = new Set(await query(url, "SELECT id FROM episodes WHERE domain = 'web'"));
    expect(left.size).toBeGreaterThan(0);
    expect(left.size).toBeLessThan(2000);

    const warnings: string[] = [];
    const memory = await openMemory({ url, ...cache, logger: { warn: (message) => warnings.push(message) } });
    expect(warnings.filter((message) => message.startsWith('Found a'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Found a retention pass deleting 2000 episodes \\(started \\S+, actor local, pid \\d+\\) that was stopped before it finished: ${2000 - left.size} of them are gone, their text now purged from the store's files; ${left.size} are still in the store: the next retention pass deletes them \\(they are still past their domain's deleteAfterDays; their ids: [0-9a-f, -]+ and ${left.size - 10} more\\)\\.$`,
        ),
      ),
    ]);
    const report = await memory.admin.retention(
      { web: { deleteAfterDays: 1 } },
      { now: new Date(Date.now() + 2 * 86_400_000) },
    );
    expect(report.deleted).toEqual({ web: left.size });
    expect(await query(url, 'SELECT context FROM episodes ORDER BY context')).toEqual(['KEPT1', 'KEPT2']);
    await memory.close();
  });

  it('is not taken for one while its process runs: a forget under way in this process', async () => {
    const { path, url } = folder();
    await seed(url, 1000);
    const memory = await openMemory({ url, ...cache });
    const forgetting = memory.admin.forget({ domain: 'web' }, { batchSize: 1 });
    const journals = () => (existsSync(`${path}.forgetting`) ? readdirSync(`${path}.forgetting`) : []);
    await expect.poll(journals, { timeout: 60_000, interval: 10 }).toHaveLength(1);
    const journal = journals()[0];
    expect(journal).toMatch(new RegExp(`^${process.pid}-[0-9a-f]{8}\\.json$`));

    const warnings: string[] = [];
    const beside = await openMemory({ url, ...cache, logger: { warn: (line) => warnings.push(line) } });
    expect(warnings.filter((line) => line.startsWith('Found a forget'))).toEqual([]);
    // Still the live forget's, unclaimed (unless it has just ended and removed it).
    expect([[journal], []]).toContainEqual(journals());
    expect((await forgetting).episodeIds).toHaveLength(1000);
    expect(journals()).toEqual([]);
    await beside.close();
    await memory.close();
  });
});

describe('forgets of several processes at once', { timeout: 300_000 }, () => {
  it("each records its journal, though another's end removes the folder they share", async () => {
    const { path } = folder();
    const churn = fileURLToPath(new URL('../__fixtures__/journal-churn.ts', import.meta.url));
    const results = await runTogether(churn, Array(4).fill([path, '2000']));
    expect(results).toEqual(Array(4).fill({ failures: 0, first: null }));
    expect(existsSync(`${path}.forgetting`)).toBe(false);
  });
});
