import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountSmallDisk } from '@episodic/core/testing';
import { type ModelHub, serveModelHub, writeStaticModel } from '@episodic/embeddings-static/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './__fixtures__/cli-process.js';
import { createTestClient } from './__fixtures__/test-server.js';

/**
 * `episodic models pull` against a loopback stand-in for the Hugging Face hub, then `serve
 * --embeddings static` on the pulled model: a query that shares no word with an episode finds it.
 */
const root = mkdtempSync(join(tmpdir(), 'episodic-models-'));
const dataDir = join(root, 'data');
// "car" and "automobile" share a row: the tiny model knows they mean the same thing.
const rows: Record<string, number[]> = {
  car: [1, 0, 0, 0],
  automobile: [1, 0, 0, 0],
  engine: [0.6, 0.8, 0, 0],
  stalls: [0.6, 0, 0.8, 0],
  invoice: [0, 0, 0, 1],
  rounding: [0, 0.3, 0, 0.95],
  wrong: [0, 0.2, 0.2, 0.95],
};
const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Object.keys(rows)];
let hub: ModelHub;
let source: string;
/** A real full disk (an 8 MB tmpfs) for a pull that cannot be written; mounting needs root. */
const disk = mountSmallDisk(8);

beforeAll(async () => {
  source = join(root, 'hub/potion-tiny');
  writeStaticModel(source, {
    vocab,
    rows: vocab.map((token) => rows[token] ?? [0, 0, 0, 0]),
    normalize: true,
  });
  hub = await serveModelHub({ repos: { 'minishlab/potion-tiny': source } });
});

afterAll(async () => {
  disk.remove();
  await hub.close();
  rmSync(root, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

// Several CLI processes per test beside a server: room for a loaded machine.
describe('episodic models pull, and serve --embeddings static', { timeout: 180_000 }, () => {
  it('pulls a model from the hub into <data-dir>/models/NAME', async () => {
    const pulled = await runCli(['models', 'pull', 'minishlab/potion-tiny', '--data-dir', dataDir], {
      HF_ENDPOINT: hub.url,
    });
    const folder = join(dataDir, 'models/minishlab/potion-tiny');
    expect([pulled.code, pulled.stdout]).toEqual([
      0,
      expect.stringContaining(`Pulled minishlab/potion-tiny into ${folder} (4 dimensions).`),
    ]);
    expect(pulled.stderr).toMatch(/model\.safetensors: \d+ bytes, sha256:[0-9a-f]{64}/);
    expect(hub.requests).toContain('/minishlab/potion-tiny/resolve/main/tokenizer.json');
  });

  it('answers --json with what it pulled', async () => {
    const into = join(root, 'json-data');
    const pulled = await runCli(['models', 'pull', 'minishlab/potion-tiny', '--json', '--data-dir', into], {
      HF_ENDPOINT: hub.url,
    });
    expect(pulled.code).toBe(0);
    expect(JSON.parse(pulled.stdout)).toEqual({
      name: 'minishlab/potion-tiny',
      folder: join(into, 'models/minishlab/potion-tiny'),
      dimensions: 4,
      files: expect.arrayContaining([
        { name: 'model.safetensors', bytes: expect.any(Number), checksum: expect.stringMatching(/^sha256:/) },
      ]),
    });
  });

  it('serves with the pulled model: a query that shares no word with an episode finds it by meaning', async () => {
    const serve = spawnCli([
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--embeddings',
      'static',
      '--embeddings-model',
      'minishlab/potion-tiny',
    ]);
    try {
      const url = (await serve.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
      await serve.waitFor(/admin token in/);
      const client = createTestClient(url, readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
      for (const context of ['car engine stalls', 'invoice rounding wrong']) {
        const episode = await client.episodes.start.mutate({
          taskType: 'debugging',
          domain: 'garage',
          context,
        });
        await client.episodes.complete.mutate({ episodeId: episode.id, status: 'completed', successRate: 1 });
      }
      await client.learning.flush.mutate({});
      const { episodes } = await client.search.retrieve.query({ text: 'automobile', limit: 2 });
      expect(episodes[0]?.episode.context).toBe('car engine stalls');
      expect(episodes[0]?.why.vector?.contribution ?? 0).toBeGreaterThan(0);
      expect(episodes[0]?.why.text ?? null).toBeNull();
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });

  it.skipIf(disk.skipped !== null)(
    `says the disk is full in one line, with no stack, and leaves no partial model${disk.skipped === null ? '' : ` (skipped: ${disk.skipped})`}`,
    async () => {
      const data = join(disk.path ?? '', 'data');
      mkdirSync(data);
      disk.fill();
      const pulled = await runCli(['models', 'pull', 'minishlab/potion-tiny', '--data-dir', data], {
        HF_ENDPOINT: hub.url,
      });
      expect(pulled.code).toBe(1);
      expect(pulled.stderr).toMatch(
        /\nepisodic: ENOSPC: no space left on device, \w+.* \(the disk is full: free space on it, then run this again\)\n$/,
      );
      expect(pulled.stderr).not.toMatch(/unexpected error|\n +at /);
      expect(readdirSync(data).filter((name) => name !== 'models')).toEqual([]);
      expect(readdirSync(join(data, 'models'), { recursive: true })).toEqual(['minishlab']);
    },
  );

  it('stops on Ctrl-C or SIGTERM mid-download: removes the partial folder and exits 130 or 143', async () => {
    // The CDN sends 100 bytes of the weights, then nothing: the pull is mid-transfer when signalled.
    const stalling = await serveModelHub({
      repos: { 'minishlab/potion-tiny': source },
      stall: { file: 'model.safetensors', after: 100 },
    });
    try {
      for (const [signal, code] of [
        ['SIGINT', 130],
        ['SIGTERM', 143],
      ] as const) {
        const data = join(root, `signalled-${signal}`);
        const pull = spawnCli(['models', 'pull', 'minishlab/potion-tiny', '--data-dir', data], {
          HF_ENDPOINT: stalling.url,
        });
        const cdn = '/cdn/minishlab/potion-tiny/model.safetensors';
        await expect
          .poll(() => stalling.requests.filter((path) => path === cdn).length, { timeout: 120_000 })
          .toBe(signal === 'SIGINT' ? 1 : 2);
        expect(readdirSync(join(data, 'models/minishlab'))).toEqual([
          expect.stringMatching(/^potion-tiny\.partial-/),
        ]);
        pull.child.kill(signal);
        expect(await pull.exited).toBe(code);
        expect(pull.stderr()).toMatch(
          new RegExp(
            `\nepisodic: models pull stopped by ${signal}: nothing was kept \\(the partial download was removed\\)\\.\n$`,
          ),
        );
        expect(readdirSync(join(data, 'models/minishlab'))).toEqual([]);
      }
    } finally {
      await stalling.close();
    }
  });

  it('gives up a stalled download after --idle-timeout-ms without a byte, in one line', async () => {
    const stalling = await serveModelHub({
      repos: { 'minishlab/potion-tiny': source },
      stall: { file: 'model.safetensors', after: 100 },
    });
    try {
      const data = join(root, 'stalled');
      const pulled = await runCli(
        ['models', 'pull', 'minishlab/potion-tiny', '--idle-timeout-ms', '1000', '--data-dir', data],
        { HF_ENDPOINT: stalling.url },
      );
      expect(pulled.code).toBe(1);
      expect(pulled.stderr).toMatch(
        /\nepisodic: Downloading model\.safetensors of minishlab\/potion-tiny stalled: nothing came from http:\/\/127\.0\.0\.1:\d+ for 1 s \(after 100 bytes of it\)\. Check the network and try again\. A slow link may need a longer wait: --idle-timeout-ms N \(now 1000\)\.\n$/,
      );
      expect(readdirSync(join(data, 'models/minishlab'))).toEqual([]);
      const refused = await runCli(['models', 'pull', 'minishlab/potion-tiny', '--idle-timeout-ms', '5s']);
      expect([refused.code, refused.stderr.split('\n')[0]]).toEqual([
        1,
        'episodic: --idle-timeout-ms 5s: expected a whole number of milliseconds from 1 to 300000.',
      ]);
    } finally {
      await stalling.close();
    }
  });

  it('removes, and names, the partial folder a pull killed with SIGKILL left behind', async () => {
    const stalling = await serveModelHub({
      repos: { 'minishlab/potion-tiny': source },
      stall: { file: 'model.safetensors', after: 100 },
    });
    const data = join(root, 'killed');
    try {
      const pull = spawnCli(['models', 'pull', 'minishlab/potion-tiny', '--data-dir', data], {
        HF_ENDPOINT: stalling.url,
      });
      await expect
        .poll(() => stalling.requests.includes('/cdn/minishlab/potion-tiny/model.safetensors'), {
          timeout: 120_000,
        })
        .toBe(true);
      pull.child.kill('SIGKILL');
      await pull.exited;
    } finally {
      await stalling.close();
    }
    const [left] = readdirSync(join(data, 'models/minishlab'));
    expect(left).toMatch(/^potion-tiny\.partial-\d+-[0-9a-f]{8}$/);
    const pulled = await runCli(['models', 'pull', 'minishlab/potion-tiny', '--data-dir', data], {
      HF_ENDPOINT: hub.url,
    });
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toContain(
      `minishlab/potion-tiny: removed ${join(data, 'models/minishlab', left as string)}, left behind by an interrupted pull`,
    );
    expect(readdirSync(join(data, 'models/minishlab'))).toEqual(['potion-tiny']);
    expect(existsSync(join(data, 'models/minishlab/potion-tiny/model.safetensors'))).toBe(true);
  });

  it('fails clearly offline, for a model never pulled, and without a model', async () => {
    const [offline, missing, none] = await Promise.all([
      runCli(['models', 'pull', 'minishlab/potion-tiny', '--data-dir', join(root, 'other')], {
        HF_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      }),
      runCli([
        'reindex',
        '--data-dir',
        dataDir,
        '--embeddings',
        'static',
        '--embeddings-model',
        'minishlab/absent',
      ]),
      runCli(['serve', '--data-dir', dataDir, '--embeddings', 'static']),
    ]);
    expect([offline.code, offline.stderr]).toEqual([
      1,
      expect.stringMatching(/Cannot reach the model hub at .*ECONNREFUSED/),
    ]);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      expect.stringMatching(
        /No static model folder at .*models\/minishlab\/absent\. Pull one \(episodic models pull/,
      ),
    ]);
    expect([none.code, none.stderr]).toEqual([
      1,
      expect.stringContaining('embeddingsModel: embeddings "static" needs a model name or folder'),
    ]);
  });
});
