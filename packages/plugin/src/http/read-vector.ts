import { PluginError } from '../plugin-error.js';

/**
 * One vector from an API answer: `value` must be an array of exactly `dimensions` finite
 * numbers, or this throws a `BAD_RESPONSE` `PluginError` saying which (`what` names it:
 * `embedding 3`). A wrong length usually means a wrong `dimensions` option, so it says so.
 */
export function readVector(value: unknown, dimensions: number, what: string, plugin?: string): Float32Array {
  const fail = (detail: string) =>
    new PluginError('BAD_RESPONSE', `The server answered with a malformed response: ${what} ${detail}.`, {
      plugin,
    });
  if (!Array.isArray(value) || value.length !== dimensions) {
    throw fail(`is not an array of ${dimensions} numbers (is \`dimensions\` right for this model?)`);
  }
  const vector = Float32Array.from(value as unknown[], (item) =>
    typeof item === 'number' ? item : Number.NaN,
  );
  if (!vector.every(Number.isFinite)) throw fail('holds something other than finite numbers');
  return vector;
}
