import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempFolder, writeTinyModel } from './__fixtures__/tiny-model.js';
import { createStaticEmbeddings, pullStaticModel } from './index.js';
import { serveModelHub } from './testing/serve-model-hub.js';

const folder = tempFolder();
const source = writeTinyModel(folder('source'));
const hub = await serveModelHub({ repos: { 'minishlab/potion-tiny': source } });
afterAll(() => hub.close());

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('pullStaticModel', () => {
  it('downloads the files through resolve/main, checks them, and leaves a model that loads', async () => {
    const into = folder('models/minishlab/potion-tiny');
    const result = await pullStaticModel({ name: 'minishlab/potion-tiny', into, endpoint: hub.url });
    expect(hub.requests).toContain('/minishlab/potion-tiny/resolve/main/model.safetensors');
    expect(hub.requests).toContain('/cdn/minishlab/potion-tiny/model.safetensors');
    expect(result.files.map((file) => [file.name, file.checksum.split(':')[0]])).toEqual([
      ['config.json', 'git-sha1'],
      ['tokenizer.json', 'git-sha1'],
      ['model.safetensors', 'sha256'],
    ]);
    for (const name of ['config.json', 'tokenizer.json', 'model.safetensors'])
      expect(readFileSync(join(into, name))).toEqual(readFileSync(join(source, name)));
    const pulled = createStaticEmbeddings({ model: into });
    const original = createStaticEmbeddings({ model: source });
    expect(await pulled.embed(['flaky login test'])).toEqual(await original.embed(['flaky login test']));
    expect(readdirSync(dirname(into))).toEqual(['potion-tiny']);
  });

  it('refuses a damaged download and keeps the earlier copy, with no partial folder left', async () => {
    const into = folder('damaged/potion-tiny');
    await pullStaticModel({ name: 'minishlab/potion-tiny', into, endpoint: hub.url });
    const before = readFileSync(join(into, 'model.safetensors'));
    for (const tamper of [
      (file: string, bytes: Buffer) =>
        file === 'model.safetensors' ? bytes.subarray(0, bytes.length - 1) : bytes,
      (file: string, bytes: Buffer) =>
        file === 'tokenizer.json' ? Buffer.from(bytes.toString().replace('flaky', 'flake')) : bytes,
    ]) {
      const broken = await serveModelHub({ repos: { 'minishlab/potion-tiny': source }, tamper });
      try {
        await expect(
          pullStaticModel({ name: 'minishlab/potion-tiny', into, endpoint: broken.url }),
        ).rejects.toMatchObject({
          code: 'DOWNLOAD_FAILED',
          message: expect.stringMatching(/damaged: (\d+ bytes|git sha1)/),
        });
      } finally {
        await broken.close();
      }
    }
    expect(readFileSync(join(into, 'model.safetensors'))).toEqual(before);
    expect(readdirSync(dirname(into))).toEqual(['potion-tiny']);
  });

  it('says DOWNLOAD_FAILED when a file breaks off midway, and keeps the earlier copy', async () => {
    const into = folder('cut/potion-tiny');
    await pullStaticModel({ name: 'minishlab/potion-tiny', into, endpoint: hub.url });
    const before = readFileSync(join(into, 'model.safetensors'));
    const cut = await serveModelHub({
      repos: { 'minishlab/potion-tiny': source },
      cutOff: { file: 'model.safetensors', after: 100 },
    });
    try {
      await expect(
        pullStaticModel({ name: 'minishlab/potion-tiny', into, endpoint: cut.url }),
      ).rejects.toMatchObject({
        code: 'DOWNLOAD_FAILED',
        message: expect.stringMatching(
          /^Downloading model\.safetensors of minishlab\/potion-tiny broke off after \d+ bytes \(.+\): try again\.$/,
        ),
      });
    } finally {
      await cut.close();
    }
    expect(readFileSync(join(into, 'model.safetensors'))).toEqual(before);
    expect(readdirSync(dirname(into))).toEqual(['potion-tiny']);
  });

  it('gives up a transfer that stalls, after idleTimeoutMs without a byte, and keeps the earlier copy', async () => {
    const into = folder('stalled/potion-tiny');
    await pullStaticModel({ name: 'minishlab/potion-tiny', into, endpoint: hub.url });
    const before = readFileSync(join(into, 'model.safetensors'));
    // Mid-file (the CDN sent 100 bytes, then nothing), and before any answer at all.
    for (const stall of [{ file: 'model.safetensors', after: 100 }, { file: 'tokenizer.json' }]) {
      const stalling = await serveModelHub({ repos: { 'minishlab/potion-tiny': source }, stall });
      const started = Date.now();
      try {
        await expect(
          pullStaticModel({
            name: 'minishlab/potion-tiny',
            into,
            endpoint: stalling.url,
            idleTimeoutMs: 500,
          }),
        ).rejects.toMatchObject({
          code: 'DOWNLOAD_STALLED',
          message: expect.stringMatching(
            new RegExp(
              `^Downloading ${stall.file.replace('.', '\\.')} of minishlab/potion-tiny stalled: nothing came from http://127\\.0\\.0\\.1:\\d+ for 0\\.5 s \\(after ${stall.after ?? 0} bytes of it\\)\\.`,
            ),
          ),
        });
      } finally {
        await stalling.close();
      }
      // Node's fetch alone waited 300 s; the bound is loose for a busy machine.
      expect(Date.now() - started).toBeLessThan(60_000);
    }
    expect(readFileSync(join(into, 'model.safetensors'))).toEqual(before);
    expect(readdirSync(dirname(into))).toEqual(['potion-tiny']);
  });

  it('stops when its signal is aborted, rejecting with the reason and leaving no partial folder', async () => {
    const into = folder('aborted/potion-tiny');
    const stalling = await serveModelHub({
      repos: { 'minishlab/potion-tiny': source },
      stall: { file: 'model.safetensors', after: 100 },
    });
    try {
      const controller = new AbortController();
      const pulling = pullStaticModel({
        name: 'minishlab/potion-tiny',
        into,
        endpoint: stalling.url,
        signal: controller.signal,
      });
      await expect.poll(() => stalling.requests).toContain('/cdn/minishlab/potion-tiny/model.safetensors');
      controller.abort(new Error('stopped by the test'));
      await expect(pulling).rejects.toThrow('stopped by the test');
    } finally {
      await stalling.close();
    }
    expect(readdirSync(dirname(into))).toEqual([]);
  });

  it('removes the partial folder a killed pull left, and not that of a pull still running', async () => {
    const into = folder('killed/potion-tiny');
    // The pid of a process that has exited: a pull killed with SIGKILL leaves its folder so.
    const gone = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const left = [`${into}.partial-${gone}-0a1b2c3d`, `${into}.partial-9f8e7d6c`];
    const running = `${into}.partial-${process.pid}-01234567`;
    for (const partial of [...left, running]) {
      mkdirSync(partial, { recursive: true });
      writeFileSync(join(partial, 'model.safetensors'), 'half');
    }
    const progress: string[] = [];
    await pullStaticModel({
      name: 'minishlab/potion-tiny',
      into,
      endpoint: hub.url,
      onProgress: (line) => progress.push(line),
    });
    expect(readdirSync(dirname(into)).sort()).toEqual([
      'potion-tiny',
      `potion-tiny.partial-${process.pid}-01234567`,
    ]);
    for (const partial of left)
      expect(progress).toContain(
        `minishlab/potion-tiny: removed ${partial}, left behind by an interrupted pull`,
      );
  });

  it('tries a request again once when the connection is reset before an answer', async () => {
    const resetting = await serveModelHub({ repos: { 'minishlab/potion-tiny': source }, resetFirst: 1 });
    try {
      const into = folder('after-reset/potion-tiny');
      await pullStaticModel({ name: 'minishlab/potion-tiny', into, endpoint: resetting.url });
      expect(resetting.requests.slice(0, 2)).toEqual([
        '/minishlab/potion-tiny/resolve/main/config.json',
        '/minishlab/potion-tiny/resolve/main/config.json',
      ]);
      expect(readFileSync(join(into, 'model.safetensors'))).toEqual(
        readFileSync(join(source, 'model.safetensors')),
      );
    } finally {
      await resetting.close();
    }
  });

  it('says MODEL_NOT_FOUND for a name the hub does not have, OFFLINE when it cannot be reached', async () => {
    await expect(
      pullStaticModel({ name: 'minishlab/no-such-model', into: folder('missing'), endpoint: hub.url }),
    ).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('RepoNotFound') });
    const closed = `http://127.0.0.1:${await freePort()}`;
    await expect(
      pullStaticModel({ name: 'minishlab/potion-tiny', into: folder('offline'), endpoint: closed }),
    ).rejects.toMatchObject({
      code: 'OFFLINE',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(existsSync(folder('offline'))).toBe(false);
  });

  it('refuses a name that is not owner/name', async () => {
    await expect(pullStaticModel({ name: '../etc', into: folder('x') })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });
});
