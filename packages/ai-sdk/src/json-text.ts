/**
 * `value` as JSON text, also when `JSON.stringify` alone would throw: a BigInt (an id, a byte
 * count) is written as its digits, in a string; an object met again inside itself (a cycle, as
 * a parsed document with parent links has) as `"[Circular]"`. The rest of the value is kept, so
 * a tool's result is stored readable rather than as `[object Object]`. `undefined` when there is
 * no JSON for it (`undefined`, a function).
 */
export function jsonText(value: unknown): string | undefined {
  /** The objects from the top down to the one being written: a cycle leads back to one of them. */
  const path: object[] = [];
  return JSON.stringify(value, function (this: unknown, _key: string, item: unknown) {
    if (typeof item === 'bigint') return item.toString();
    if (typeof item !== 'object' || item === null) return item;
    // `this` is the object holding `item`: what was below it on the path is done with.
    while (path.length > 0 && path.at(-1) !== this) path.pop();
    if (path.includes(item)) return '[Circular]';
    path.push(item);
    return item;
  });
}
