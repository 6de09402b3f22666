import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createEpisodicClient } from '@episodic/sdk';
import Libsql from 'libsql';
import { BenchError } from '../bench-error.js';
import type { Benchmark, BenchmarkContext } from '../benchmark.js';
import { formatNumber } from '../format-table.js';
import { agentDomains } from '../workloads/agent-episodes.js';
import type { SoakAgentsPlan, SoakAgentsResult } from '../workloads/soak-agents.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../../apps/server/dist/cli.js', import.meta.url));
const agentsScript = fileURLToPath(new URL('../workloads/soak-agents.ts', import.meta.url));
const agents = 32;
const sampleEveryMs = 10_000;
/**
 * Retention deletes every episode this old, so the data set (and what the vector index holds)
 * reaches a steady size after this long; the slope is taken after the first `warmupShare` of the run.
 */
const retentionMinutes = 3;
const warmupShare = 0.4;
/** Episodes acknowledged this long before the end must still be readable: retention keeps them. */
const mustKeepMinutes = retentionMinutes - 1;

interface Sample {
  minute: number;
  rssMb: number;
  /** RSS split by what backs it: anonymous (heaps, native allocations), file-backed (mapped LMDB and SQLite pages, code), shared. */
  rssAnonMb: number;
  rssFileMb: number;
  rssShmemMb: number;
  databaseMb: number;
  cacheMb: number;
  /** The serving thread's split, from /metrics: where RSS growth lives. */
  heapMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  /** The learning thread's V8 heap. */
  learningHeapMb: number;
  /** Heap the two threads' V8 holds (committed, in use or not): part of anonymous RSS. */
  heapTotalMb: number;
  learningHeapTotalMb: number;
  /**
   * Both threads' V8 heap by space: the young generation V8 holds (it grows with the request
   * rate), the old space it holds and what objects use of it (garbage left for the next full
   * collection, or live data), and large objects.
   */
  newSpaceMb: number;
  oldSpaceMb: number;
  oldSpaceUsedMb: number;
  largeObjectsMb: number;
  /** The in-memory vector index: vectors held, and its bytes (native, outside the V8 heaps). */
  vectors: number;
  vectorIndexMb: number;
}

/** What the sampler reads from the server's /metrics, in MB (vectors as a count). */
interface Scraped {
  /** `episodic_process_memory_bytes` by kind. */
  memory: Record<string, number>;
  /** `episodic_v8_heap_space_bytes` summed over both threads, by `space kind`. */
  spaces: Record<string, number>;
  vectors: number;
  vectorIndexMb: number;
}

async function scrape(url: string): Promise<Scraped> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const memory: Record<string, number> = {};
  for (const [, kind, value] of text.matchAll(/^episodic_process_memory_bytes\{kind="(\w+)"\} (\d+)/gm))
    memory[kind as string] = Number(value) / 2 ** 20;
  const spaces: Record<string, number> = {};
  for (const [, space, kind, value] of text.matchAll(
    /^episodic_v8_heap_space_bytes\{thread="\w+",space="(\w+)",kind="(\w+)"\} (\d+)/gm,
  ))
    spaces[`${space} ${kind}`] = (spaces[`${space} ${kind}`] ?? 0) + Number(value) / 2 ** 20;
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return {
    memory,
    spaces,
    vectors: gauge('episodic_vector_index_vectors'),
    vectorIndexMb: gauge('episodic_vector_index_bytes') / 2 ** 20,
  };
}

/**
 * The database's largest tables and indexes at the end (SQLite's `dbstat`), in MB, with the
 * audit log's rows: what the file's growth is made of while retention keeps the episodes steady.
 */
function databaseParts(path: string): { mbByTable: Record<string, number>; auditRows: number } {
  const db = new Libsql(path, { readonly: true });
  try {
    const tables = db
      .prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8')
      .all() as { name: string; bytes: number }[];
    const audit = db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number };
    return {
      mbByTable: Object.fromEntries(
        tables.map(({ name, bytes }) => [name, Number((bytes / 2 ** 20).toFixed(2))]),
      ),
      auditRows: audit.n,
    };
  } finally {
    db.close();
  }
}

function bytesUnder(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    // Blocks on disk, not the length: the cache's data file is sparse, as long as its map size.
    if (entry.isFile())
      total += (statSync(join(entry.parentPath, entry.name), { throwIfNoEntry: false })?.blocks ?? 0) * 512;
  }
  return total;
}

/** The process's resident memory in MB from /proc: the total and its anonymous, file-backed and shared parts. */
function residentMb(pid: number): { rss: number; anon: number; file: number; shmem: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const read = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: read('VmRSS'), anon: read('RssAnon'), file: read('RssFile'), shmem: read('RssShmem') };
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((sum, p) => sum + p.x, 0) / n;
  const my = points.reduce((sum, p) => sum + p.y, 0) / n;
  const sxy = points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/**
 * `episodic serve` as a user starts it, with retention deleting every domain's old episodes every
 * 5 s; or, to verify what was written, the same store with retention off, so that what is read back
 * is not deleted by the clock while the check runs.
 */
async function startServe(
  dataDir: string,
  retention: boolean,
): Promise<{ child: ChildProcess; url: string; token?: string }> {
  const config = join(dataDir, '..', 'soak-config.json');
  const policy = { deleteAfterDays: retentionMinutes / 1_440 };
  writeFileSync(
    config,
    JSON.stringify(
      retention
        ? {
            retention: Object.fromEntries(agentDomains.map((domain) => [domain, policy])),
            retentionIntervalMs: 5_000,
          }
        : { retentionIntervalMs: 0 },
    ),
  );
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--data-dir', dataDir, '--port', '0', '--config', config],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const url = /listening on (\S+)/.exec(output)?.[1];
    const tokenFile = /admin token in (.+) \(readable/.exec(output)?.[1];
    // The admin token is written once, at the first start; a restart reuses it.
    if (url !== undefined && (tokenFile !== undefined || !retention)) {
      return {
        child,
        url,
        ...(tokenFile === undefined ? {} : { token: readFileSync(tokenFile, 'utf8').trim() }),
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new BenchError('FAILED', `episodic serve did not start:\n${output}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * The episode, or `null` when the server says it does not exist. A read that fails otherwise (a
 * dropped connection, an overloaded server) is tried again, so that only a missing episode counts.
 */
async function readBack<T>(read: () => Promise<T>): Promise<T | null> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      if ((error as { data?: { code?: string } }).data?.code === 'NOT_FOUND') return null;
      if (attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
}

async function verify(url: string, token: string, result: SoakAgentsResult) {
  const client = createEpisodicClient({ url, token });
  let lostWrites = 0;
  let checked = 0;
  const recent = result.endedAt - mustKeepMinutes * 60_000;
  for (const { id, steps, at } of result.kept) {
    const episode = await readBack(() => client.episodes.get.query({ episodeId: id }));
    // Retention may have deleted an older one; one still there, or a recent one, must be whole.
    if (episode === null && at < recent) continue;
    checked += 1;
    if (episode?.stepCount !== steps || episode.status === 'active') lostWrites += 1;
  }
  let forgottenButReadable = 0;
  for (const id of result.forgotten) {
    if ((await readBack(() => client.episodes.get.query({ episodeId: id }))) !== null)
      forgottenButReadable += 1;
  }
  return { lostWrites, forgottenButReadable, checked };
}

export const soak: Benchmark = {
  name: 'soak',
  description:
    '32 SDK agents against `episodic serve` for 10 minutes (EPISODIC_SOAK_MINUTES), with forget and retention running: RSS, sizes, p99 per minute, errors, lost writes',
  async run(context: BenchmarkContext) {
    const minutes = Number(process.env.EPISODIC_SOAK_MINUTES ?? 10);
    if (!(minutes > 0)) throw new BenchError('USAGE', 'EPISODIC_SOAK_MINUTES must be a positive number');
    await run(process.execPath, [cli, '--help']).catch((error: unknown) => {
      throw new BenchError('FAILED', `build the server first (${(error as Error).message})`);
    });
    const dataDir = join(context.tempDir, 'data');
    const serve = await startServe(dataDir, true);
    const token = serve.token as string;
    let verifier: ChildProcess | undefined;
    const samples: Sample[] = [];
    const began = Date.now();
    const sample = async () => {
      const scraped = await scrape(serve.url).catch(
        (): Scraped => ({ memory: {}, spaces: {}, vectors: 0, vectorIndexMb: 0 }),
      );
      const split = scraped.memory;
      const resident = residentMb(serve.child.pid as number);
      samples.push({
        minute: (Date.now() - began) / 60_000,
        rssMb: resident.rss,
        rssAnonMb: resident.anon,
        rssFileMb: resident.file,
        rssShmemMb: resident.shmem,
        learningHeapMb: split.learning_heap_used ?? 0,
        heapTotalMb: split.heap_total ?? 0,
        learningHeapTotalMb: split.learning_heap_total ?? 0,
        heapMb: split.heap_used ?? 0,
        externalMb: split.external ?? 0,
        arrayBuffersMb: split.array_buffers ?? 0,
        newSpaceMb: scraped.spaces['new committed'] ?? 0,
        oldSpaceMb: scraped.spaces['old committed'] ?? 0,
        oldSpaceUsedMb: scraped.spaces['old used'] ?? 0,
        largeObjectsMb: scraped.spaces['large committed'] ?? 0,
        vectors: scraped.vectors,
        vectorIndexMb: scraped.vectorIndexMb,
        databaseMb:
          readdirSync(dataDir)
            .filter((name) => name.startsWith('memory.db'))
            .reduce((sum, name) => sum + statSync(join(dataDir, name)).size, 0) /
          2 ** 20,
        cacheMb: bytesUnder(join(dataDir, 'cache')) / 2 ** 20,
      });
    };
    await sample();
    const sampler = setInterval(
      () =>
        void sample().then(() => {
          const last = samples.at(-1);
          context.progress(`soak: ${last?.minute.toFixed(1)} min, server RSS ${last?.rssMb.toFixed(0)} MB`);
        }),
      sampleEveryMs,
    );
    try {
      const plan: SoakAgentsPlan = {
        origin: serve.url,
        token,
        agents,
        stepsPerEpisode: 20,
        durationMs: minutes * 60_000,
        forgetEveryMs: 2_000,
      };
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', agentsScript, JSON.stringify(plan)],
        {
          maxBuffer: 256 * 1024 * 1024,
        },
      );
      const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as SoakAgentsResult;
      clearInterval(sampler);
      await sample();
      await stop(serve.child);
      const database = databaseParts(join(dataDir, 'memory.db'));
      const restarted = await startServe(dataDir, false);
      verifier = restarted.child;
      const { lostWrites, forgottenButReadable, checked } = await verify(restarted.url, token, result);
      const steady = samples.filter((s) => s.minute >= minutes * warmupShare);
      const slopeOf = (read: (s: Sample) => number) =>
        slope(steady.map((s) => ({ x: s.minute, y: read(s) })));
      const rssSlope = slopeOf((s) => s.rssMb);
      // What grows: RSS by backing, then the two threads' heaps and the serving thread's native buffers.
      const parts = (
        [
          ['anonymous RSS', 'rss_anon', (s) => s.rssAnonMb],
          ['file-backed RSS', 'rss_file', (s) => s.rssFileMb],
          ['shared RSS', 'rss_shmem', (s) => s.rssShmemMb],
          ['serving heap', 'heap', (s) => s.heapMb],
          ['learning heap', 'learning_heap', (s) => s.learningHeapMb],
          ['heaps held by V8', 'heaps_total', (s) => s.heapTotalMb + s.learningHeapTotalMb],
          // What is left of anonymous RSS: native allocations (SQLite, LMDB, buffers) and other threads.
          [
            'anonymous outside the heaps',
            'native',
            (s) => s.rssAnonMb - s.heapTotalMb - s.learningHeapTotalMb,
          ],
          ['external', 'external', (s) => s.externalMb],
          ['array buffers', 'array_buffers', (s) => s.arrayBuffersMb],
          // The heaps held, by V8 space (both threads).
          ['young generation held', 'new_space', (s) => s.newSpaceMb],
          ['old space held', 'old_space', (s) => s.oldSpaceMb],
          ['old space in use', 'old_space_used', (s) => s.oldSpaceUsedMb],
          ['large objects', 'large_objects', (s) => s.largeObjectsMb],
          ['vector index', 'vector_index', (s) => s.vectorIndexMb],
        ] as const satisfies readonly (readonly [string, string, (s: Sample) => number])[]
      ).map(([name, key, read]) => [name, key, slopeOf(read)] as const);
      const last = samples.at(-1) as Sample;
      const perMinute = result.p99MsPerMinute.map((p99, minute) => {
        const at = samples.findLast((s) => s.minute <= minute + 1);
        const mb = (read: (s: Sample) => number) => (at === undefined ? '' : read(at).toFixed(0));
        return [
          `minute ${minute + 1}`,
          formatNumber(result.callsPerMinute[minute] ?? 0),
          p99.toFixed(1),
          mb((s) => s.rssMb),
          mb((s) => s.heapTotalMb + s.learningHeapTotalMb),
          mb((s) => s.newSpaceMb),
          mb((s) => s.oldSpaceUsedMb),
          mb((s) => s.rssAnonMb - s.heapTotalMb - s.learningHeapTotalMb),
          at === undefined ? '' : formatNumber(at.vectors),
          mb((s) => s.databaseMb),
        ];
      });
      return {
        table: {
          title: `soak: ${agents} SDK agents for ${minutes} min against episodic serve (forget every 2 s; retention deletes episodes older than ${retentionMinutes} min, every 5 s)`,
          columns: [
            '',
            'calls',
            'p99 ms',
            'server RSS MB',
            'V8 heaps held',
            'young gen.',
            'old in use',
            'native',
            'vectors',
            'database MB',
          ],
          rows: perMinute,
          notes: [
            `errors ${result.errors}${result.firstError === null ? '' : ` (first: ${result.firstError})`}; acknowledged ${result.kept.length}, checked ${checked} (every one still stored, and every one of the last ${mustKeepMinutes} min), lost ${lostWrites}; forgotten ${result.forgotten.length}, still readable ${forgottenButReadable}`,
            `server RSS slope after the first ${warmupShare * 100}% of the run: ${rssSlope.toFixed(2)} MB/min (target <= 1); by part, MB/min: ${parts.map(([name, , value]) => `${name} ${value.toFixed(2)}`).join(', ')}`,
            `database ${last.databaseMb.toFixed(1)} MB, cache ${last.cacheMb.toFixed(1)} MB at the end; file-backed RSS ${last.rssFileMb.toFixed(0)} MB (mapped cache and database pages, bounded by those files, and code)`,
            `database by table or index at the end, MB: ${Object.entries(database.mbByTable)
              .map(([name, mb]) => `${name} ${mb}`)
              .join(', ')}; audit log ${formatNumber(database.auditRows)} rows`,
          ],
        },
        figures: {
          minutes,
          errors: result.errors,
          lost_writes: lostWrites,
          forgotten_but_readable: forgottenButReadable,
          episodes_acknowledged: result.kept.length,
          episodes_checked: checked,
          audit_rows: database.auditRows,
          database_mb_by_table: database.mbByTable,
          rss_slope_mb_per_min: Number(rssSlope.toFixed(3)),
          ...Object.fromEntries(
            parts.map(([, key, value]) => [`${key}_slope_mb_per_min`, Number(value.toFixed(3))]),
          ),
          p99_ms_per_minute: Object.fromEntries(
            result.p99MsPerMinute.map((p, i) => [String(i + 1), Number(p.toFixed(2))]),
          ),
          samples: Object.fromEntries(
            samples.map((s) => [
              s.minute.toFixed(2),
              {
                rss_mb: Number(s.rssMb.toFixed(1)),
                rss_anon_mb: Number(s.rssAnonMb.toFixed(1)),
                rss_file_mb: Number(s.rssFileMb.toFixed(1)),
                rss_shmem_mb: Number(s.rssShmemMb.toFixed(1)),
                learning_heap_mb: Number(s.learningHeapMb.toFixed(1)),
                heaps_total_mb: Number((s.heapTotalMb + s.learningHeapTotalMb).toFixed(1)),
                database_mb: Number(s.databaseMb.toFixed(2)),
                cache_mb: Number(s.cacheMb.toFixed(2)),
                heap_mb: Number(s.heapMb.toFixed(1)),
                external_mb: Number(s.externalMb.toFixed(1)),
                array_buffers_mb: Number(s.arrayBuffersMb.toFixed(1)),
                new_space_mb: Number(s.newSpaceMb.toFixed(1)),
                old_space_mb: Number(s.oldSpaceMb.toFixed(1)),
                old_space_used_mb: Number(s.oldSpaceUsedMb.toFixed(1)),
                large_objects_mb: Number(s.largeObjectsMb.toFixed(1)),
                vectors: s.vectors,
                vector_index_mb: Number(s.vectorIndexMb.toFixed(1)),
              },
            ]),
          ),
        },
      };
    } finally {
      clearInterval(sampler);
      await stop(serve.child);
      if (verifier !== undefined) await stop(verifier);
    }
  },
};
