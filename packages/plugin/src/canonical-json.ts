/**
 * JSON text with object keys sorted at every depth, so two equal values always serialise to the
 * same text whatever order their keys were built in. It is what a pattern's identity is hashed
 * from. Refuses what JSON cannot round-trip (non-finite numbers, `undefined`, functions, class
 * instances), because such data would be stored as something other than what the miner meant.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalise(value, '(data)', []));
}

/** Deeper than any pattern's data needs; a deeper value is refused before it can exhaust the stack. */
const maxDepth = 64;

/** `containers`: the arrays and objects `value` sits in, to refuse a cycle by name rather than overflow the stack. */
function canonicalise(value: unknown, path: string, containers: readonly object[]): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}, which JSON cannot hold`);
    return value;
  }
  if (
    typeof value === 'object' &&
    (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)
  ) {
    if (containers.includes(value))
      throw new TypeError(`${path} is one of the values it sits in (a cycle), which JSON cannot hold`);
    if (containers.length >= maxDepth) throw new TypeError(`${path} nests deeper than ${maxDepth} levels`);
    const within = [...containers, value];
    if (Array.isArray(value))
      return value.map((item, index) => canonicalise(item, `${path}.${index}`, within));
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) sorted[key] = canonicalise(item, `${path}.${key}`, within);
    }
    return sorted;
  }
  throw new TypeError(
    `${path} is a ${typeof value === 'object' ? 'non-plain object' : typeof value}, not JSON`,
  );
}
