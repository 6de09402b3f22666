import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEmbeddingProvider } from './define-embedding-provider.js';
import { defineMiner } from './define-miner.js';
import { embeddingProviderIssues } from './embedding-provider-check.js';
import type { PatternMinerV1 } from './pattern-miner.js';
import { patternMinerIssues } from './pattern-miner-check.js';
import { PluginError } from './plugin-error.js';

const dataSchema = z.strictObject({ tool: z.string() });

const createFirstToolMiner = defineMiner({
  name: 'first-tool miner',
  options: z.strictObject({ skip: z.number().int().min(0).default(0) }),
  create: ({ skip }): PatternMinerV1<{ tool: string }> => ({
    specificationVersion: 'v1',
    patternType: 'first_tool',
    dataSchema,
    mine: ({ episode, succeeded }) => {
      const step = episode.steps[skip];
      return step === undefined ? [] : [{ data: { tool: step.action }, success: succeeded }];
    },
  }),
});

/** A Standard Schema written by hand: no zod, no library at all. */
const handWritten: StandardSchemaV1<{ dimensions?: number }, { dimensions: number }> = {
  '~standard': {
    version: 1,
    vendor: 'hand-written',
    validate(value) {
      const dimensions = (value as { dimensions?: unknown }).dimensions ?? 8;
      return typeof dimensions === 'number' && Number.isInteger(dimensions) && dimensions > 0
        ? { value: { dimensions } }
        : { issues: [{ message: 'must be a positive integer', path: ['dimensions'] }] };
    },
  },
};

const createZeroEmbeddings = defineEmbeddingProvider({
  name: 'zero embeddings',
  options: handWritten,
  create: ({ dimensions }) => ({
    specificationVersion: 'v1',
    provider: 'zero',
    model: 'zeros',
    dimensions,
    maxBatchSize: 16,
    deterministic: true,
    embed: async (texts) => texts.map(() => new Float32Array(dimensions)),
  }),
});

function thrown(run: () => unknown): PluginError {
  try {
    run();
  } catch (error) {
    expect(PluginError.isInstance(error)).toBe(true);
    return error as PluginError;
  }
  throw new Error('expected a PluginError');
}

describe('defineMiner and defineEmbeddingProvider', () => {
  it('validate options with their schema, fill in defaults, and build the plugin', () => {
    expect(createFirstToolMiner().patternType).toBe('first_tool');
    expect(createZeroEmbeddings().dimensions).toBe(8);
    expect(createZeroEmbeddings({ dimensions: 3 }).dimensions).toBe(3);
  });

  it('refuse bad options with INVALID_OPTIONS naming the plugin and each field, from any Standard Schema', () => {
    const zod = thrown(() => createFirstToolMiner({ skip: -1 }));
    expect(zod).toMatchObject({
      code: 'INVALID_OPTIONS',
      plugin: 'first-tool miner',
      issues: [{ path: 'skip' }],
    });
    expect(zod.message).toMatch(/^Invalid first-tool miner options: skip: /);
    const hand = thrown(() => createZeroEmbeddings({ dimensions: 0 }));
    expect(hand).toMatchObject({
      code: 'INVALID_OPTIONS',
      plugin: 'zero embeddings',
      issues: [{ path: 'dimensions', message: 'must be a positive integer' }],
    });
    const unknownKey = thrown(() => createFirstToolMiner({ skp: 1 } as never));
    expect(unknownKey.message).toContain('skp');
  });

  it('refuse an asynchronous options schema', () => {
    const create = defineMiner({
      name: 'async miner',
      options: z.object({}).refine(async () => true),
      create: () => createFirstToolMiner(),
    });
    expect(thrown(() => create())).toMatchObject({ code: 'INVALID_OPTIONS', plugin: 'async miner' });
  });

  it('refuse, when created, a plugin that breaks its contract, naming it and each broken field', () => {
    const broken = defineMiner({
      name: 'broken miner',
      options: z.object({}),
      create: () =>
        ({ ...createFirstToolMiner(), patternType: 'First Tool', dataSchema: { parse: () => 1 } }) as never,
    });
    const error = thrown(() => broken());
    expect(error).toMatchObject({ code: 'CONTRACT', plugin: 'broken miner' });
    expect(error.issues.map((issue) => issue.path)).toEqual(['patternType', 'dataSchema']);
    expect(error.message).toMatch(
      /^broken miner is not a valid PatternMinerV1: patternType must be snake_case/,
    );

    const noEmbed = defineEmbeddingProvider({
      name: 'lazy embeddings',
      options: handWritten,
      create: (options) => ({ ...createZeroEmbeddings(options), embed: undefined, maxBatchSize: 0 }) as never,
    });
    expect(thrown(() => noEmbed()).issues.map((issue) => issue.path)).toEqual(['maxBatchSize', 'embed']);
  });
});

describe('a value given where a plugin object belongs', () => {
  it('says a function is likely a factory not called, and names it', () => {
    function createRetryMiner() {
      return createFirstToolMiner();
    }
    expect(patternMinerIssues(createRetryMiner)).toEqual([
      {
        path: '(miner)',
        message:
          'must be a pattern miner object, got a function: call createRetryMiner() (with its options) and pass what it returns',
      },
    ]);
    expect(embeddingProviderIssues(() => undefined)[0]?.message).toBe(
      'must be an embedding provider object, got a function: call the factory (with its options) and pass what it returns',
    );
    expect(patternMinerIssues(null)[0]?.message).toBe('must be a pattern miner object, got null');
    expect(embeddingProviderIssues('local')[0]?.message).toBe(
      'must be an embedding provider object, got string',
    );
  });
});
