import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PatternMinerV1 } from '@episodic/plugin';
import { type Client, createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { filesHolding } from '../__fixtures__/folder-bytes.js';
import { openTempMemory } from '../__fixtures__/temp-store.js';
import { everythingOf, patternsOf, play, type Script, scripts } from './__fixtures__/mining-scripts.js';
import { createActionPairMiner, createHistoryProbeMiner } from './__fixtures__/test-miners.js';

type Store = Awaited<ReturnType<typeof openTempMemory>>;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const miners = () => [createActionPairMiner(), createHistoryProbeMiner()];

/** Episodes of a domain `secret` whose actions, and so the patterns mined from them, say ZEBRA4471. */
const secretScripts = (): Script[] =>
  Array.from({ length: 4 }, () => ({
    taskType: 'debugging',
    domain: 'secret',
    status: 'completed',
    steps: [
      { action: 'zebra4471_probe', success: true, durationMs: 10 },
      { action: 'zebra4471_fix', success: true, durationMs: 10 },
    ],
  }));

const shadowTables = async (raw: Client) =>
  (await raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'remine%'")).rows
    .length;

async function open(withMiners = true, url?: string): Promise<{ store: Store; raw: Client }> {
  const store = await openTempMemory(withMiners ? { miners: miners() } : {});
  const raw = createClient({ url: url ?? store.url, intMode: 'number' });
  cleanups.push(
    () => store.close(),
    () => raw.close(),
  );
  return { store, raw };
}

/**
 * Remines the store at `url` in a child process (`remine-child.ts`), slowly; `until` is polled
 * every 10 ms (at most a minute) before the child is killed with SIGKILL.
 */
async function killRemineWhen(url: string, until: () => Promise<boolean>): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./__fixtures__/remine-child.ts', import.meta.url)), url],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!(await until()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  child.kill('SIGKILL');
  expect(await exited, stderr).toBe('SIGKILL');
}

describe('remine', { timeout: 30_000 }, () => {
  it('rebuilds exactly what incremental mining built, in bounded batches', async () => {
    const { store, raw } = await open();
    await play(store.memory, scripts());
    const incremental = await everythingOf(raw);
    expect(incremental.patterns.length).toBeGreaterThan(10);

    const report = await store.memory.admin.remine({ batchSize: 4 });
    expect(report).toMatchObject({ episodes: 24, patterns: incremental.patterns.length });
    expect(await everythingOf(raw)).toEqual(incremental);
  });

  it('mines episodes that finished before any miner was configured, as incremental mining would have', async () => {
    const { store: mined, raw: minedRaw } = await open(true);
    await play(mined.memory, scripts());

    const { store: late, raw: lateRaw } = await open(false);
    await play(late.memory, scripts());
    expect(await patternsOf(lateRaw)).toEqual([]);
    await late.memory.close();
    const { openMemory } = await import('../open-memory.js');
    const reopened = await openMemory({ url: late.url, miners: miners() });
    cleanups.push(() => reopened.close());
    expect(await reopened.admin.remine({ batchSize: 5 })).toMatchObject({ episodes: 24 });
    expect(await patternsOf(lateRaw)).toEqual(await patternsOf(minedRaw));
  });

  it('mines history left unmined beside episodes mined since, as incremental mining of all would have', async () => {
    // Numbering the history above the few episodes mined since moved shadow rows onto numbers
    // other shadow rows still held: "UNIQUE constraint failed", every time.
    const { store: mined, raw: minedRaw } = await open(true);
    await play(mined.memory, scripts());
    await play(mined.memory, scripts().slice(0, 3));

    const { store: late, raw: lateRaw } = await open(false);
    await play(late.memory, scripts());
    await late.memory.close();
    const { openMemory } = await import('../open-memory.js');
    const reopened = await openMemory({ url: late.url, miners: miners() });
    cleanups.push(() => reopened.close());
    await play(reopened, scripts().slice(0, 3));
    await reopened.learning.flush();
    expect(await reopened.admin.remine({ batchSize: 5 })).toMatchObject({ episodes: 27 });
    // The counts; not what depends on the order episodes were mined in (the history probe's
    // measurements): remine replays the three mined since first, then the history, oldest first.
    const evidence = async (raw: Client) =>
      (await patternsOf(raw)).map(({ id, support, successes }) => ({ id, support, successes }));
    expect(await evidence(lateRaw)).toEqual(await evidence(minedRaw));
  });

  it('resolves the mining rows that had failed for the episodes it mined, so a retry cannot count them twice', async () => {
    const { store, raw } = await open(true);
    const ids = await play(store.memory, scripts().slice(0, 4));
    // A mining row left failed for one of them, as a batch that ran out of attempts leaves it.
    await raw.execute({
      sql: `INSERT INTO learning_queue (episode_id, learner, enqueued_at, available_at, attempts, last_error, failed_at)
            VALUES (?, 'mining', ?, ?, 8, 'disk I/O error', ?)`,
      args: [
        ids[0] as string,
        '2026-01-01T00:00:00.000Z',
        '2026-01-01T00:00:00.000Z',
        '2026-01-01T00:00:00.000Z',
      ],
    });
    expect((await store.memory.learning.status()).learners.mining).toMatchObject({ failed: 1 });

    await store.memory.admin.remine();
    const rebuilt = await everythingOf(raw);
    expect((await store.memory.learning.status()).learners.mining).toMatchObject({
      failed: 0,
      lastFailure: null,
    });
    expect(await store.memory.learning.retryFailed()).toBe(0);
    await store.memory.learning.flush();
    expect(await everythingOf(raw)).toEqual(rebuilt);
  });

  it('drops patterns no episode supports any more, keeps usage feedback and hand-written patterns', async () => {
    const { store, raw } = await open();
    const ids = await play(store.memory, [
      {
        taskType: 'debugging',
        domain: 'web',
        status: 'completed',
        steps: [{ action: 'read_file' }, { action: 'edit_file' }],
      },
      {
        taskType: 'debugging',
        domain: 'web',
        status: 'completed',
        steps: [{ action: 'read_file' }, { action: 'edit_file' }],
      },
      {
        taskType: 'debugging',
        domain: 'web',
        status: 'completed',
        steps: [{ action: 'lint' }, { action: 'format' }],
      },
    ]);
    const [kept] = await store.memory.patterns
      .list({ type: 'action_pair' })
      .then((all) => all.items.filter((p) => p.support === 2));
    await store.memory.patterns.recordUsage(kept!.id, { episodeId: ids[2]!, helped: true });
    await raw.execute(`INSERT INTO patterns (id, pattern_type, domain, pattern_data, success_rate)
      VALUES ('by-hand', 'tool_sequence', 'web', '{"actions":["x"]}', 0.9)`);
    await raw.execute({ sql: 'DELETE FROM episodes WHERE id = ?', args: [ids[2]!] });

    await store.memory.admin.remine();
    const { items: pairs } = await store.memory.patterns.list({ type: 'action_pair' });
    expect(pairs.map((pattern) => pattern.patternData)).toEqual([{ first: 'read_file', then: 'edit_file' }]);
    expect(pairs[0]).toMatchObject({ id: kept!.id, support: 2, usageCount: 1, helpedCount: 1 });
    expect(await store.memory.patterns.get('by-hand')).toMatchObject({ support: null, successRate: 0.9 });
  });

  it('keeps usage feedback in every score, whatever its batch size, and counts feedback given while it runs', async () => {
    const { store, raw } = await open();
    const ids = await play(store.memory, scripts());
    const { items } = await store.memory.patterns.list({ type: 'action_pair' });
    for (const [i, pattern] of items.slice(0, 4).entries())
      await store.memory.patterns.recordUsage(pattern.id, { episodeId: ids[i]!, helped: i % 2 === 0 });
    const before = await everythingOf(raw);
    // Batches after the first read back the shadow rows they wrote: the feedback must be there too.
    await store.memory.admin.remine({ batchSize: 4 });
    expect(await everythingOf(raw)).toEqual(before);

    // Feedback recorded between two batches, on a pattern the first batch copied into the shadow.
    const firstMined = await raw.execute({
      sql: `SELECT pattern_id FROM episode_patterns l JOIN patterns p ON p.id = l.pattern_id
            WHERE l.episode_id = ? AND p.pattern_type = 'action_pair' ORDER BY pattern_id LIMIT 1`,
      args: [ids[0]!],
    });
    const used = { id: String(firstMined.rows[0]?.pattern_id) };
    let calls = 0;
    let recorded: Promise<unknown> = Promise.resolve();
    const recorder: PatternMinerV1 = {
      ...createActionPairMiner(),
      patternType: 'recorder',
      mine: () => {
        if (++calls === 6)
          recorded = store.memory.patterns.recordUsage(used.id, { episodeId: ids[0]!, helped: true });
        return [];
      },
    };
    const racing = await openTempMemory({ url: store.url, miners: [...miners(), recorder] });
    cleanups.push(() => racing.close());
    await racing.memory.admin.remine({ batchSize: 2 });
    await recorded;
    const raced = await everythingOf(raw);
    expect(raced.patterns.find((pattern) => pattern.id === used.id)).toMatchObject({ usage_count: 1 });
    // A remine in one batch, with nothing running beside it, scores that feedback as recorded.
    await store.memory.admin.remine();
    expect(raced).toEqual(await everythingOf(raw));
  });

  it('stops when cancelled, refuses a second remine at once, and a rerun completes', async () => {
    const { store, raw } = await open();
    await play(store.memory, scripts().slice(0, 8));
    const before = await everythingOf(raw);
    await expect(store.memory.admin.remine({ signal: AbortSignal.abort(new Error('stop')) })).rejects.toThrow(
      'stop',
    );
    const first = store.memory.admin.remine({ batchSize: 2 });
    await expect(store.memory.admin.remine()).rejects.toMatchObject({ code: 'CONFLICT' });
    await first;
    expect(await everythingOf(raw)).toEqual(before);
    await expect(store.memory.admin.remine({ batchSize: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'batchSize' }],
    });
    await expect(store.memory.admin.remine(null as never)).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: '(input)' }],
    });
  });

  it('leaves the previous patterns intact when cancelled midway', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    let armed = false;
    let calls = 0;
    // Mines nothing; cancels the remine once it is a few batches in.
    const canceller: PatternMinerV1 = {
      ...createActionPairMiner(),
      patternType: 'canceller',
      mine: () => {
        if (armed && ++calls === 7) controller.abort(reason);
        return [];
      },
    };
    const store = await openTempMemory({ miners: [...miners(), canceller] });
    const raw = createClient({ url: store.url, intMode: 'number' });
    cleanups.push(
      () => store.close(),
      () => raw.close(),
    );
    await play(store.memory, scripts());
    const before = await everythingOf(raw);
    armed = true;
    // The signal's own reason, not a storage failure wrapping it.
    await expect(store.memory.admin.remine({ batchSize: 2, signal: controller.signal })).rejects.toBe(reason);
    expect(calls).toBeGreaterThan(2);
    expect(await everythingOf(raw)).toEqual(before);
  });

  it('starts again when a forget runs beside it, and swaps in nothing the forgotten episodes gave', async () => {
    // Its shadow held the patterns of episodes a forget then deleted, and its swap put them back:
    // 4 of 4 runs of the crash audit, the forgotten error text listed by patterns.list.
    let store: Store | undefined;
    let armed = false;
    let calls = 0;
    let forgetting: Promise<unknown> | undefined;
    const forgetter: PatternMinerV1 = {
      ...createActionPairMiner(),
      patternType: 'forgetter',
      mine: () => {
        // In the remine's fifth batch, after the secret episodes were mined into its shadow.
        if (armed && ++calls === 9) forgetting = store?.memory.admin.forget({ domain: 'secret' });
        return [];
      },
    };
    const warnings: string[] = [];
    store = await openTempMemory({
      miners: [...miners(), forgetter],
      logger: { warn: (message: string) => warnings.push(message) },
    });
    const raw = createClient({ url: store.url, intMode: 'number' });
    cleanups.push(
      () => store.close(),
      () => raw.close(),
    );
    await play(store.memory, [...secretScripts(), ...scripts()]);
    const secretPatterns = async () =>
      (await patternsOf(raw)).filter((pattern) => pattern.domain === 'secret').length;
    expect(await secretPatterns()).toBeGreaterThan(0);
    armed = true;

    const report = await store.memory.admin.remine({ batchSize: 2 });
    await forgetting;
    expect(await secretPatterns()).toBe(0);
    expect(calls).toBeGreaterThan(28); // it mined again from the start after the forget
    expect(warnings.filter((warning) => warning.includes('remine'))).toEqual([
      expect.stringMatching(/forgotten while the remine ran: it starts again.*run 2 of at most 3/),
    ]);
    expect(report.episodes).toBe(24);
    expect(await shadowTables(raw)).toBe(0);
    const raced = await everythingOf(raw);
    await store.memory.admin.remine();
    expect(await everythingOf(raw)).toEqual(raced);
  });

  it("drops a killed remine's shadow when episodes it mined are forgotten, so no file keeps their text", async () => {
    const { store, raw } = await open();
    await play(store.memory, [...secretScripts(), ...scripts()]);
    const shadowSecrets = async () =>
      (await shadowTables(raw)) < 4
        ? 0
        : Number(
            (await raw.execute("SELECT COUNT(*) AS n FROM remine_patterns WHERE domain = 'secret'")).rows[0]
              ?.n,
          );
    await killRemineWhen(store.url, async () => (await shadowSecrets()) > 0);
    expect(await shadowSecrets()).toBeGreaterThan(0);

    const report = await store.memory.admin.forget({ domain: 'secret' }, { purge: 'wait' });
    expect(report).toMatchObject({ purge: 'done' });
    expect(report.episodeIds).toHaveLength(4);
    expect(await shadowTables(raw)).toBe(0);
    raw.close();
    expect(filesHolding(store.dir, 'zebra4471', { foldCase: true })).toEqual([]);
  }, 120_000);

  it('leaves the previous patterns intact when the process is killed mid-remine', async () => {
    const { store, raw } = await open();
    await play(store.memory, scripts());
    const before = await everythingOf(raw);
    const shadowRows = async () => {
      const exists = await raw.execute("SELECT name FROM sqlite_master WHERE name = 'remine_mined'");
      return exists.rows.length === 0
        ? 0
        : Number((await raw.execute('SELECT COUNT(*) AS n FROM remine_mined')).rows[0]?.n);
    };
    await killRemineWhen(store.url, async () => (await shadowRows()) > 0);
    expect(await everythingOf(raw)).toEqual(before);
    // The next remine starts over and rebuilds the same patterns.
    await store.memory.admin.remine();
    expect(await everythingOf(raw)).toEqual(before);
  }, 120_000);
});
