import { describe, expect, it } from 'vitest';
import type { Recall } from './memory-port.js';
import { memoryPrompt } from './memory-prompt.js';

const recall: Recall = {
  patterns: [
    {
      pattern: {
        patternType: 'tool_sequence',
        summary: 'run_tests → edit_file → run_tests',
        successRate: 0.9,
        support: 12,
      },
      why: { text: 0.4 },
      lift: 1.5,
      liftLower: 1.2,
    },
    {
      pattern: {
        patternType: 'tool_sequence',
        summary: 'read_file → edit_file',
        successRate: 0.6,
        support: 5,
      },
      why: { text: 0 },
      lift: 1.1,
      liftLower: 0.8,
    },
    {
      pattern: { patternType: 'error_resolution', summary: null, successRate: 1, support: 3 },
      why: { text: 0.5 },
      lift: null,
      liftLower: null,
    },
  ],
  episodes: [1, 2, 3].map((n) => ({
    episode: { id: `e${n}`, context: `Checkout TypeError number ${n}`, status: 'completed', successRate: 1 },
    why: { text: { matchedIn: 'episode' }, vector: n === 1 ? { similarity: 0.8123 } : null },
  })),
};

describe('memoryPrompt', () => {
  it('lists patterns, then episodes best first, each with why it is there', () => {
    const text = memoryPrompt(recall, 800) ?? '';
    expect(text.split('\n').slice(1)).toEqual([
      'Patterns that worked:',
      '- run_tests → edit_file → run_tests (tool_sequence, success 90%, seen in 12 episodes; why: same words as the task, succeeds 1.5× as often as usual)',
      '- read_file → edit_file (tool_sequence, success 60%, seen in 5 episodes; why: succeeds 1.1× as often as usual (few runs yet))',
      'Past episodes:',
      '- [completed, success 100%] Checkout TypeError number 1 (why: same words in its task, similar meaning (0.81); episode e1)',
      '- [completed, success 100%] Checkout TypeError number 2 (why: same words in its task; episode e2)',
      '- [completed, success 100%] Checkout TypeError number 3 (why: same words in its task; episode e3)',
    ]);
  });

  it('stops at the token budget with whole lines, and says nothing when nothing fits', () => {
    const full = memoryPrompt(recall, 800) ?? '';
    const budget = Math.ceil((full.length - 60) / 4);
    const cut = memoryPrompt(recall, budget) ?? '';
    expect(cut.length).toBeLessThanOrEqual(budget * 4);
    expect(full.startsWith(cut)).toBe(true);
    expect(cut).not.toContain('number 3');
    expect(memoryPrompt(recall, 20)).toBeNull();
    expect(memoryPrompt({ patterns: [], episodes: [] }, 800)).toBeNull();
  });
});
