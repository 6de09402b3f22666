import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStaticModel } from '@episodic/embeddings-static/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEmbeddings } from './embeddings-option.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-bench-embeddings-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('--embeddings PACKAGE [--embeddings-model PATH]', () => {
  it("calls the package's create…Embeddings export with the model folder", async () => {
    const model = join(root, 'potion-tiny');
    writeStaticModel(model, { vocab: ['[UNK]', 'cache', 'miss'], dimensions: 6, normalize: true });
    const provider = await loadEmbeddings({ module: '@episodic/embeddings-static', options: { model } });
    expect(provider).toMatchObject({ provider: 'static', dimensions: 6, kind: 'semantic' });
    expect(provider.model).toMatch(/^potion-tiny-/);
    const local = await loadEmbeddings({ module: '@episodic/embeddings-local', options: {} });
    expect(local.provider).toBe('local');
  });

  it('says what is wrong with a package it cannot use', async () => {
    await expect(loadEmbeddings({ module: '@episodic/no-such-package', options: {} })).rejects.toThrow(
      /--embeddings @episodic\/no-such-package: cannot import it/,
    );
    // A small module of our own: importing a whole package here took over a minute on a loaded machine.
    const notAProvider = join(root, 'not-a-provider.mjs');
    writeFileSync(notAProvider, 'export const createEmbeddingsIndex = 1;\nexport function embed() {}\n');
    await expect(loadEmbeddings({ module: notAProvider, options: {} })).rejects.toThrow(
      /expected a default export or one create…Embeddings export, found none/,
    );
  });
});
