import { describe, expect, it } from 'vitest';
import type { EpisodeWithAllSteps, Step } from '../types.js';
import {
  episodeEmbeddingText,
  episodeTextChars,
  failedSteps,
  fairShares,
  stepErrorEmbeddingText,
} from './embedding-text.js';

function step(stepNumber: number, action: string, result: string | null, success: boolean | null): Step {
  return {
    id: `s${stepNumber}`,
    episodeId: 'e',
    stepNumber,
    action,
    result,
    success,
    durationMs: null,
    timestamp: '',
    metadata: null,
  };
}

function episode(steps: Step[]): EpisodeWithAllSteps {
  return {
    id: 'e',
    taskType: 'debugging',
    domain: 'billing',
    context: 'Invoices are rounded twice',
    status: 'failed',
    successRate: 0.25,
    createdAt: '',
    completedAt: '',
    metadata: null,
    embeddingVersion: null,
    steps,
  };
}

describe('what is embedded', () => {
  it('shares a budget so that short items keep all of theirs and long ones split the rest', () => {
    expect(fairShares([10, 1000, 20, 5000], 1000)).toEqual([10, 485, 20, 485]);
    expect(fairShares([10, 20], 1000)).toEqual([10, 20]);
    expect(fairShares([], 100)).toEqual([]);
  });

  it('describes an episode by its task, context, outcome and every step, within the budget', () => {
    const text = episodeEmbeddingText(
      episode([
        step(1, 'read_file invoice.ts', 'x'.repeat(100_000), true),
        step(2, 'run_tests', 'RoundingError: expected 10.05 to be 10.1', false),
        step(3, 'edit_file invoice.ts', null, null),
      ]),
    );
    expect(text.length).toBeLessThanOrEqual(episodeTextChars);
    expect(text).toContain('debugging in billing');
    expect(text).toContain('Invoices are rounded twice');
    expect(text).toContain('outcome: failed, success rate 0.25');
    // the huge result is clipped, and the steps after it are kept whole
    expect(text).toContain('run_tests (failed): RoundingError: expected 10.05 to be 10.1');
    expect(text).toContain('edit_file invoice.ts');
    expect(text).toContain('x…');
    // Filled to the budget exactly: the huge result took what the others left.
    expect(text.length).toBe(episodeTextChars);
  });

  it('clips two huge results to equal shares, and a long error to its own bound', () => {
    const text = episodeEmbeddingText(
      episode([
        step(1, 'cat a.log', 'a'.repeat(64_000), true),
        step(2, 'cat b.log', 'b'.repeat(30_000), true),
      ]),
    );
    const [, a, b] = text.split('\n').slice(-3);
    expect(a?.length).toBe(b?.length);
    expect(a).toMatch(/^cat a\.log: a+…$/);
    expect(text.length).toBeGreaterThan(episodeTextChars - 4);
    const long = stepErrorEmbeddingText(step(3, 'npm test', 'e'.repeat(10_000), false));
    expect(long).toBe(`npm test (failed): ${'e'.repeat(2_000 - 20)}…`);
  });

  it('gives each failed step its own text: action and error', () => {
    const failed = step(2, 'run_tests', 'RoundingError: expected 10.05 to be 10.1', false);
    const all = episode([step(1, 'read_file', 'ok', true), failed, step(3, 'deploy', null, null)]);
    expect(failedSteps(all)).toEqual([failed]);
    expect(stepErrorEmbeddingText(failed)).toBe(
      'run_tests (failed): RoundingError: expected 10.05 to be 10.1',
    );
  });
});
