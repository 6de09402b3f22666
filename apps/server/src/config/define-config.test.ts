import { createToolSequenceMiner } from '@episodic/miner-tool-sequence';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineConfig, type EpisodicConfig } from './define-config.js';
import type { ServerConfigInput } from './server-config.js';

describe('defineConfig', () => {
  it('returns the settings as given, typed', () => {
    const miner = createToolSequenceMiner({ minLength: 3, maxLength: 3 });
    const config = defineConfig({
      port: 0,
      miners: ['error_resolution', miner],
      retrieval: { candidates: 50 },
    });
    expect(config).toEqual({ port: 0, miners: ['error_resolution', miner], retrieval: { candidates: 50 } });
    expectTypeOf(config.port).toEqualTypeOf<0>();
  });

  it('types every setting the server accepts, and nothing else (checked by `pnpm typecheck`)', () => {
    // The declared interface and the schema that validates at start name the same keys.
    expectTypeOf<keyof EpisodicConfig>().toEqualTypeOf<keyof ServerConfigInput>();
    // Never called: the factory would (rightly) throw on its bad options at run time.
    const rejected = [
      // @ts-expect-error an unknown key
      () => defineConfig({ prot: 1 }),
      // @ts-expect-error a port is a number
      () => defineConfig({ port: '80' }),
      // @ts-expect-error a plugin factory's options are type-checked where it is imported
      () => defineConfig({ miners: [createToolSequenceMiner({ minLength: 'three' })] }),
      // @ts-expect-error the engine's own settings keep their types at the top level
      () => defineConfig({ retrieval: { candidates: 'many' } }),
      // @ts-expect-error `{ package }` names a package
      () => defineConfig({ miners: [{ package: 42 }] }),
    ];
    expect(rejected).toHaveLength(5);
  });
});
