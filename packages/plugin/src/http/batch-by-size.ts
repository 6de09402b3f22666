/** How `batchBySize` cuts a list. */
export interface BatchBudget<T> {
  /** Most items in one batch. */
  maxItems: number;
  /** Most total size in one batch (characters, tokens, bytes: whatever `sizeOf` counts). Default: no limit. */
  maxSize?: number | undefined;
  /** The size of one item. Default: a string's length, 1 for anything else. */
  sizeOf?: ((item: T) => number) | undefined;
}

/**
 * Cuts `items` into consecutive batches of at most `maxItems` items and at most `maxSize` total
 * size, in order, so that concatenating the batches gives `items` back. An item larger than
 * `maxSize` on its own gets a batch of its own (cut it beforehand if the API refuses it).
 *
 * @example
 * batchBySize(['aaaa', 'bb', 'cc', 'd'], { maxItems: 3, maxSize: 5 }) // [['aaaa'], ['bb', 'cc', 'd']]
 */
export function batchBySize<T>(items: readonly T[], budget: BatchBudget<T>): T[][] {
  const maxItems = Math.max(1, Math.floor(budget.maxItems));
  const maxSize = budget.maxSize ?? Number.POSITIVE_INFINITY;
  const sizeOf = budget.sizeOf ?? ((item: T) => (typeof item === 'string' ? item.length : 1));
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const itemSize = sizeOf(item);
    if (current.length > 0 && (current.length >= maxItems || size + itemSize > maxSize)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemSize;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
