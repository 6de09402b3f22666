import { describe, expect, it } from 'vitest';
import { measureEpisode } from './episode-measures.js';
import type { EpisodeView } from './episode-view.js';

/** An episode whose steps took these times; only `durationMs` is read. */
const steps = (...durations: (number | null)[]) =>
  ({ steps: durations.map((durationMs) => ({ durationMs })) }) as unknown as Pick<EpisodeView, 'steps'>;

describe('measureEpisode', () => {
  it('sums the durations of a run whose every step was timed', () => {
    expect(measureEpisode(steps(100, 250, 0))).toEqual({ steps: 3, durationMs: 350 });
  });

  it('gives no duration unless every step has one: a partial sum is no run’s time', () => {
    expect(measureEpisode(steps(1000, null, null))).toEqual({ steps: 3, durationMs: null });
    expect(measureEpisode(steps(null, null))).toEqual({ steps: 2, durationMs: null });
    expect(measureEpisode(steps())).toEqual({ steps: 0, durationMs: null });
  });
});
