/** Edits (insert, delete, replace, swap two neighbours) from `a` to `b`: `prot` is one from `port`. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const same = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + same);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The name of `names` closest to a mistyped one (`prot`: `port`; `tool_sequnce`: `tool_sequence`),
 * if one is within a typo's reach: an edit per four characters, at least one.
 */
export function closestName(typed: string, names: readonly string[]): string | undefined {
  const ranked = names
    .map((name) => [name, distance(typed, name)] as const)
    .filter(([name, edits]) => edits <= Math.max(1, Math.floor(name.length / 4)))
    .sort((a, b) => a[1] - b[1]);
  return ranked[0]?.[0];
}
