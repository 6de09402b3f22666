import { describe, expect, it } from 'vitest';
import { batchBySize } from './batch-by-size.js';
import { embedBatched } from './embed-batched.js';

describe('batchBySize', () => {
  it('cuts by count and by total size, in order, an oversized item alone', () => {
    expect(batchBySize(['aaaa', 'bb', 'cc', 'd'], { maxItems: 3, maxSize: 5 })).toEqual([
      ['aaaa'],
      ['bb', 'cc', 'd'],
    ]);
    expect(batchBySize([1, 2, 3, 4, 5], { maxItems: 2 })).toEqual([[1, 2], [3, 4], [5]]);
    expect(batchBySize(['x'.repeat(50), 'y'], { maxItems: 10, maxSize: 10 })).toEqual([
      ['x'.repeat(50)],
      ['y'],
    ]);
    expect(
      batchBySize([{ n: 3 }, { n: 3 }, { n: 3 }], { maxItems: 9, maxSize: 6, sizeOf: (item) => item.n }),
    ).toEqual([[{ n: 3 }, { n: 3 }], [{ n: 3 }]]);
    expect(batchBySize([], { maxItems: 3 })).toEqual([]);
  });
});

describe('embedBatched', () => {
  const dimensions = 2;
  const fake = (text: string) => Float32Array.from([text.length, text.codePointAt(0) ?? 0]);

  it('embeds empty texts, and texts blank once cut, as zeros without asking, cuts and repairs texts, batches, and keeps input order', async () => {
    const sent: string[][] = [];
    const texts = ['', 'abcdef', ' ', 'lone \ud800', 'b', 'c', `${' '.repeat(6)}late`];
    const vectors = await embedBatched(
      texts,
      { dimensions, maxBatchSize: 2, maxBatchChars: 7, maxInputChars: 6 },
      async (batch) => {
        sent.push(batch);
        return batch.map(fake);
      },
    );
    expect(sent).toEqual([['abcdef'], ['lone \ufffd', 'b'], ['c']]);
    expect(vectors.map((vector) => Array.from(vector))).toEqual([
      [0, 0],
      [6, 97],
      [0, 0],
      [6, 108],
      [1, 98],
      [1, 99],
      [0, 0],
    ]);
  });

  it('rejects at once, sending nothing, when the signal has fired', async () => {
    let calls = 0;
    const options = { dimensions, maxBatchSize: 2, maxInputChars: 10, signal: AbortSignal.abort() };
    await expect(embedBatched(['a'], options, async () => [fake(String(calls++))])).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(calls).toBe(0);
  });
});
