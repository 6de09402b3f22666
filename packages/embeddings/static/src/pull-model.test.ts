import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
