/**
 * Freezes `value` and everything reachable from it, in place, and returns it. Miners run one after
 * another on the same episode, and their contract says its input is read-only: frozen, a miner
 * that writes to it fails (strict code throws, and the engine reports the miner) instead of
 * changing what the miners after it, and the baselines, see (a plugin that reversed the steps left
 * `tool_sequence` with none of its patterns, without a word).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}
