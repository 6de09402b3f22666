import { existsSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PluginError } from '@episodic/plugin';
import { testEmbeddingProvider } from '@episodic/plugin/testing';
import { describe, expect, it } from 'vitest';
import { tempFolder, tinyVocab, writeTinyModel } from './__fixtures__/tiny-model.js';
import { createStaticEmbeddings, StaticEmbeddingsError } from './index.js';

const folder = tempFolder();
const tiny = writeTinyModel(folder('tiny'));

testEmbeddingProvider(() => createStaticEmbeddings({ model: tiny }), { name: 'static/tiny' });
testEmbeddingProvider(() => createStaticEmbeddings({ model: tiny, maxBatchSize: 7, maxTokens: 4 }), {
  name: 'static/tiny, batches of 7, 4 tokens',
});

/** Rows a person can average in their head: build, fail and ##s point along the three axes. */
const axes: Record<string, number[]> = { build: [1, 0, 0], fail: [0, 2, 0], '##s': [0, 0, 4] };
const axisRows = tinyVocab.map((token) => axes[token] ?? [0.5, 0.5, 0.5]);

function vector(values: Float32Array | undefined): number[] {
  return Array.from(values ?? [], (value) => Number(value.toFixed(6)));
}

describe('static embeddings', () => {
  it('declares a semantic, deterministic provider named after the model folder and its contents', () => {
    const provider = createStaticEmbeddings({ model: tiny });
    expect(provider).toMatchObject({
      provider: 'static',
      dimensions: 16,
      deterministic: true,
      kind: 'semantic',
    });
    expect(provider.model).toMatch(/^tiny-[0-9a-f]{12}-max512$/);
    const other = writeTinyModel(folder('tiny-other'), { rows: axisRows });
    expect(createStaticEmbeddings({ model: other }).model).not.toContain(provider.model.slice(5, 17));
  });

  it('averages the rows of the known tokens, dropping unknown ones, then normalises', async () => {
    const model = writeTinyModel(folder('axes'), { rows: axisRows });
    const [fails, withUnknown, none] = await createStaticEmbeddings({ model }).embed([
      'build fails',
      'build -',
      '-',
    ]);
    // mean(build, fail, ##s) = (1, 2, 4) / 3, scaled to unit length.
    const norm = Math.sqrt(21);
    expect(vector(fails)).toEqual(vector(Float32Array.of(1 / norm, 2 / norm, 4 / norm)));
    expect(vector(withUnknown)).toEqual([1, 0, 0]);
    expect(vector(none)).toEqual([0, 0, 0]);
  });

  it("keeps the plain mean when the model's config.json says normalize: false, and cuts at maxTokens", async () => {
    const model = writeTinyModel(folder('plain'), { rows: axisRows, normalize: false });
    const [mean] = await createStaticEmbeddings({ model }).embed(['build fails']);
    expect(vector(mean)).toEqual(vector(Float32Array.of(1 / 3, 2 / 3, 4 / 3)));
    const [cut] = await createStaticEmbeddings({ model, maxTokens: 2 }).embed(['build fails']);
    expect(vector(cut)).toEqual([0.5, 1, 0]);
  });

  it('reads a float16 table to the same vectors', async () => {
    const half = writeTinyModel(folder('half'), { dtype: 'F16' });
    const texts = ['flaky login test', 'database migration on deploy'];
    const fromHalf = await createStaticEmbeddings({ model: half }).embed(texts);
    const fromFull = await createStaticEmbeddings({ model: tiny }).embed(texts);
    expect(fromHalf.map(vector)).toEqual(fromFull.map(vector));
  });

  it('embeds batches larger than maxBatchSize in order, each as it would be alone', async () => {
    const provider = createStaticEmbeddings({ model: tiny, maxBatchSize: 2 });
    const texts = [
      'users cannot reset password',
      'flaky login test',
      'deploy latency',
      'the build failed',
      'cafe',
    ];
    const batch = await provider.embed(texts);
    for (const [i, text] of texts.entries())
      expect(vector(batch[i])).toEqual(vector((await provider.embed([text]))[0]));
  });
});

describe('a missing or damaged model', () => {
  const thrown = (options: Parameters<typeof createStaticEmbeddings>[0]) => {
    try {
      createStaticEmbeddings(options);
    } catch (caught) {
      return caught;
    }
    return undefined;
  };
  const fails = (options: Parameters<typeof createStaticEmbeddings>[0], code: string, text: string) => {
    const error = thrown(options);
    expect(StaticEmbeddingsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code, message: expect.stringContaining(text) });
  };

  it('MODEL_NOT_FOUND for no folder, or a folder without model.safetensors', () => {
    fails({ model: folder('nowhere') }, 'MODEL_NOT_FOUND', 'episodic models pull');
    const partial = writeTinyModel(folder('no-weights'));
    rmSync(join(partial, 'model.safetensors'));
    fails({ model: partial }, 'MODEL_NOT_FOUND', 'model.safetensors');
  });

  it('MODEL_INVALID for a truncated table, a tokenizer that is not JSON, fewer rows than tokens, or a normalize that is not a boolean', () => {
    const truncated = writeTinyModel(folder('truncated'));
    truncateSync(join(truncated, 'model.safetensors'), 200);
    fails({ model: truncated }, 'MODEL_INVALID', 'truncated');
    const garbled = writeTinyModel(folder('garbled'));
    writeFileSync(join(garbled, 'tokenizer.json'), '{"model": ');
    fails({ model: garbled }, 'MODEL_INVALID', 'tokenizer.json');
    const short = writeTinyModel(folder('short'), { rows: axisRows.slice(0, 10) });
    fails({ model: short }, 'MODEL_INVALID', '10 entries for a vocabulary of 34 tokens');
    expect(existsSync(short)).toBe(true);
    const yes = writeTinyModel(folder('normalize-yes'));
    writeFileSync(join(yes, 'config.json'), JSON.stringify({ normalize: 'yes' }));
    fails({ model: yes }, 'MODEL_INVALID', 'config.json: normalize must be true or false, not "yes"');
  });

  it('MODEL_INVALID for a table holding NaN or an infinity, rather than vectors of NaN', () => {
    // A NaN row, or a float16 export whose value overflowed 65,504 to an infinity, made every
    // text containing that token embed to NaN (an infinity's norm scales the mean by 0 · ∞).
    const nan = writeTinyModel(folder('nan'), {
      rows: axisRows.map((row, id) => (tinyVocab[id] === 'fail' ? [0, Number.NaN, 0] : row)),
    });
    fails({ model: nan }, 'MODEL_INVALID', 'row 7');
    const overflow = writeTinyModel(folder('f16-overflow'), {
      dtype: 'F16',
      rows: axisRows.map((row, id) => (tinyVocab[id] === 'build' ? [1e6, 0, 0] : row)),
    });
    fails({ model: overflow }, 'MODEL_INVALID', 'row 6');
  });

  it("options outside their schema are the plugin contract's INVALID_OPTIONS, naming the field", () => {
    for (const options of [{ model: tiny, maxTokens: 0 }, undefined]) {
      const error = thrown(options);
      expect(PluginError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'INVALID_OPTIONS',
        message: expect.stringMatching(/static embeddings.*(maxTokens|model)/),
      });
    }
  });
});
