/**
 * Positions of the `k` largest of `scores[0..count)`, best first, in O(count log k): a min-heap
 * of the best seen so far, so a scan of 100,000 scores never sorts them all.
 */
export function topK(scores: ArrayLike<number>, count: number, k: number): number[] {
  const size = Math.min(k, count);
  if (size <= 0) return [];
  const heap = new Int32Array(size);
  let filled = 0;
  const less = (a: number, b: number) =>
    (scores[a] as number) < (scores[b] as number) ||
    ((scores[a] as number) === (scores[b] as number) && a > b);
  const siftDown = (from: number) => {
    let i = from;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= filled) return;
      const right = left + 1;
      const child = right < filled && less(heap[right] as number, heap[left] as number) ? right : left;
      if (!less(heap[child] as number, heap[i] as number)) return;
      const swap = heap[i] as number;
      heap[i] = heap[child] as number;
      heap[child] = swap;
      i = child;
    }
  };
  // Once the heap is full, most scores are below its worst: one comparison with that score
  // skips them (a tie cannot enter, as every position in the heap came earlier).
  let floor = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < count; index += 1) {
    if (filled === size && !((scores[index] as number) > floor)) continue;
    if (filled < size) {
      let i = filled;
      heap[filled++] = index;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!less(heap[i] as number, heap[parent] as number)) break;
        const swap = heap[i] as number;
        heap[i] = heap[parent] as number;
        heap[parent] = swap;
        i = parent;
      }
      if (filled === size) floor = scores[heap[0] as number] as number;
    } else {
      heap[0] = index;
      siftDown(0);
      floor = scores[heap[0] as number] as number;
    }
  }
  return Array.from(heap.subarray(0, filled)).sort((a, b) => (less(a, b) ? 1 : less(b, a) ? -1 : 0));
}
