/** One distinct ordered subsequence found in a run of actions. */
export interface Subsequence {
  actions: string[];
  /** Whether at least one occurrence had no gap. */
  contiguous: boolean;
}

export interface SubsequenceOptions {
  minLength: number;
  maxLength: number;
  /** Most positions from the first action of a subsequence to its last, inclusive. */
  window: number;
  /** Most distinct subsequences returned; later ones are dropped. */
  maxResults: number;
}

/**
 * The distinct ordered subsequences of `items` of length `minLength..maxLength` whose elements
 * lie within `window` consecutive positions, in the order first found (by start position, then
 * by the positions chosen). Work is linear in `items`: at most
 * `items.length × Σ C(window − 1, k)` for k < maxLength.
 */
export function windowedSubsequences(items: readonly string[], options: SubsequenceOptions): Subsequence[] {
  const found = new Map<string, Subsequence>();
  const chosen: number[] = [];

  const visit = (start: number) => {
    const last = chosen[chosen.length - 1] as number;
    if (chosen.length >= options.minLength) {
      const actions = chosen.map((position) => items[position] as string);
      const key = actions.join('\u0000');
      const contiguous = last - start === chosen.length - 1;
      const known = found.get(key);
      if (known !== undefined) known.contiguous ||= contiguous;
      else if (found.size < options.maxResults) found.set(key, { actions, contiguous });
    }
    if (chosen.length === options.maxLength) return;
    const end = Math.min(items.length - 1, start + options.window - 1);
    for (let next = last + 1; next <= end; next += 1) {
      chosen.push(next);
      visit(start);
      chosen.pop();
    }
  };

  for (let start = 0; start < items.length; start += 1) {
    chosen.push(start);
    visit(start);
    chosen.pop();
  }
  return [...found.values()];
}
