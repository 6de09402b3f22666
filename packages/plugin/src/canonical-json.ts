/**
 * JSON text with object keys sorted at every depth, so two equal values always serialise to the
 * same text whatever order their keys were built in. It is what a pattern's identity is hashed
 * from. Refuses what JSON cannot round-trip (non-finite numbers, `undefined`, functions, class
 * instances), because such data would be stored as something other than what the miner meant.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalise(value, '(data)'));
}

function canonicalise(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}, which JSON cannot hold`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => canonicalise(item, `${path}.${index}`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) sorted[key] = canonicalise(item, `${path}.${key}`);
    }
    return sorted;
  }
  throw new TypeError(
    `${path} is a ${typeof value === 'object' ? 'non-plain object' : typeof value}, not JSON`,
  );
}
