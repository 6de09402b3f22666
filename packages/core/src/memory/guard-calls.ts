import { EpisodicError } from '../errors.js';
import { callOptionsSchema } from '../schemas/call-options.js';
import { parseInput } from '../validate.js';

// biome-ignore lint: any is what lets one wrapper keep each method's exact signature
type AsyncMethod = (...args: any[]) => Promise<unknown>;

/**
 * For every async method of a namespace, the index of its `CallOptions` argument, or `null` when
 * it takes none. Every one is listed, so a method added to an interface fails to compile until
 * it is given its place here.
 */
export type OptionsAt<Api> = {
  [Name in keyof Api as Api[Name] extends AsyncMethod ? Name : never]: number | null;
};

/**
 * `api` with each listed method refusing, before it runs: malformed call options (`VALIDATION` at
 * `options.scope.domains`…, where a raw `TypeError` or SQLite's own error came out before), and
 * any call once `released()` (the store closed: `STORAGE` saying so, rather than the driver's
 * "connection is not open"). Methods not listed (the synchronous ones) are left as they are.
 */
export function guardCalls<Api extends object>(
  api: Api,
  optionsAt: OptionsAt<Api>,
  released: () => boolean,
): Api {
  const guarded = { ...api } as Record<string, unknown>;
  for (const [name, index] of Object.entries(optionsAt) as [string, number | null][]) {
    const method = guarded[name] as AsyncMethod;
    guarded[name] = async (...args: unknown[]) => {
      if (released())
        throw new EpisodicError(
          'STORAGE',
          'This store is closed (memory.close() was called): open it again with openMemory() to use it.',
        );
      if (index !== null && args[index] !== undefined)
        parseInput(callOptionsSchema, args[index], 'call options', 'options');
      return method(...args);
    };
  }
  return guarded as Api;
}
