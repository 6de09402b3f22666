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
 * Every way to read the elements at `positions`, one of each position's names: the product of
 * their alternatives, the first name of each position first.
 */
function readings(items: readonly (readonly string[])[], positions: readonly number[]): string[][] {
  let all: string[][] = [[]];
  for (const position of positions) {
    const names = items[position] as readonly string[];
    all = all.flatMap((prefix) => names.map((name) => [...prefix, name]));
  }
  return all;
}

/**
 * The distinct ordered subsequences of `items` of length `minLength..maxLength` whose elements
 * lie within `window` consecutive positions, in the order first found (by start position, then
 * by the positions chosen). An item may be a list of names for the same element (a specific one
 * and a more general one): each subsequence is then found under every combination of them. Work
 * is linear in `items`: at most `items.length × Σ C(window − 1, k)` position choices for
 * k < maxLength, each read in at most Π (names per item) ways.
 */
export function windowedSubsequences(
  items: readonly (string | readonly string[])[],
  options: SubsequenceOptions,
): Subsequence[] {
  const alternatives = items.map((item) => (typeof item === 'string' ? [item] : item));
  const found = new Map<string, Subsequence>();
  const chosen: number[] = [];

  const visit = (start: number) => {
    const last = chosen[chosen.length - 1] as number;
    if (chosen.length >= options.minLength) {
      const contiguous = last - start === chosen.length - 1;
      for (const actions of readings(alternatives, chosen)) {
        const key = actions.join('\u0000');
        const known = found.get(key);
        if (known !== undefined) known.contiguous ||= contiguous;
        else if (found.size < options.maxResults) found.set(key, { actions, contiguous });
      }
    }
    if (chosen.length === options.maxLength) return;
    const end = Math.min(alternatives.length - 1, start + options.window - 1);
    for (let next = last + 1; next <= end; next += 1) {
      chosen.push(next);
      visit(start);
      chosen.pop();
    }
  };

  for (let start = 0; start < alternatives.length; start += 1) {
    chosen.push(start);
    visit(start);
    chosen.pop();
  }
  return [...found.values()];
}
