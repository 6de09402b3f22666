import { describe, expect, it } from 'vitest';
import { storeSizes } from './retrieval-speed.js';

describe('retrieval-speed store sizes', () => {
  it('are 10,000 and 100,000 by default, and a tenth of EPISODIC_SPEED_EPISODES and it when set', () => {
    expect(storeSizes({})).toEqual([10_000, 100_000]);
    expect(storeSizes({ EPISODIC_SPEED_EPISODES: '20000' })).toEqual([2_000, 20_000]);
  });

  it('refuses a size that is not a whole number of at least 1000', () => {
    for (const value of ['abc', '500', '1500.5'])
      expect(() => storeSizes({ EPISODIC_SPEED_EPISODES: value })).toThrow(/EPISODIC_SPEED_EPISODES/);
  });
});
