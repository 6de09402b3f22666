/** Counts events per key over a sliding window, in one-second buckets. */
export function createThroughput(windowMs: number) {
  const buckets = new Map<string, Map<number, number>>();
  const prune = (counts: Map<number, number>, now: number) => {
    for (const second of counts.keys()) if (second * 1000 <= now - windowMs) counts.delete(second);
  };
  return {
    add(key: string, count: number): void {
      if (count === 0) return;
      const now = Date.now();
      const counts = buckets.get(key) ?? new Map<number, number>();
      prune(counts, now);
      const second = Math.floor(now / 1000);
      counts.set(second, (counts.get(second) ?? 0) + count);
      buckets.set(key, counts);
    },
    perSecond(key: string): number {
      const counts = buckets.get(key);
      if (counts === undefined) return 0;
      prune(counts, Date.now());
      let total = 0;
      for (const count of counts.values()) total += count;
      return total / (windowMs / 1000);
    },
  };
}
