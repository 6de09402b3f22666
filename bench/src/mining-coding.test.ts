import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CodingRun,
  codingErrorHits,
  codingRunOf,
  recordCodingRuns,
  sequencesOf,
  topSequenceLift,
} from './mining-coding.js';
import { defaultMiners } from './mining-miners.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-mining-coding-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fix: CodingRun['steps'] = [
  { action: 'cd /testbed && grep -rn "def parse" src', success: true },
  { action: 'grep -n "strict" src/parse.py', success: true },
  { action: "sed -i 's/strict=True/strict=False/' src/parse.py", success: true },
  { action: 'python -m pytest tests/test_parse.py', success: true },
];
const flail: CodingRun['steps'] = [
  { action: 'cat src/parse.py', success: true },
  { action: 'python reproduce.py', result: "ModuleNotFoundError: No module named 'numpy'", success: false },
  { action: 'pip install numpy', success: true },
  { action: 'python reproduce.py', success: true },
];
const run = (
  steps: CodingRun['steps'],
  resolved: boolean,
  issueText = 'Parsing dates fails in strict mode',
): CodingRun => ({
  repository: 'acme/app',
  issueText,
  resolved,
  steps,
});

describe('coding-agent mining figures', () => {
  it('reads a loaded run: a format error is one action, results within the store limit', () => {
    const loaded = codingRunOf(
      {
        instanceId: 'acme__app-1',
        repo: 'acme/app',
        issueText: 'Parsing fails',
        resolved: true,
        changedFiles: [],
        steps: [
          {
            action: 'THOUGHT: two blocks',
            thought: '',
            result: 'Please always provide EXACTLY ONE action',
            success: false,
            kind: 'format_error',
          },
          { action: 'ls', thought: 'look', result: 'x'.repeat(50), success: true, kind: 'command' },
        ],
      },
      { maxActionChars: 100, maxResultChars: 10 },
    );
    expect(loaded.steps.map((step) => [step.action, step.result?.length, step.success])).toEqual([
      ['format_error', 10, false],
      ['ls', 10, true],
    ]);
  });

  it('reads the sequences a run shows as the miner does with its defaults (pairs, gaps allowed)', () => {
    const shown = sequencesOf(fix);
    expect(shown.has(['grep×2+', 'sed'].join('\u0000'))).toBe(true);
    expect(shown.has(['grep×2+', 'pytest'].join('\u0000'))).toBe(true);
    expect(shown.has(['grep×2+', 'sed', 'pytest'].join('\u0000'))).toBe(false);
    // The grep run is also read as the bare action, as the miner reads it (`generalizeRuns`).
    expect(shown.has(['grep', 'sed'].join('\u0000'))).toBe(true);
    expect(shown.has(['sed', 'grep'].join('\u0000'))).toBe(false);
  });

  it('measures the held-out lift of the top sequences and the held-out error hits', async () => {
    const memory = await openMemory({
      url: `file:${join(dir, 'coding.db')}`,
      taskTypes: ['bug_fix'],
      miners: defaultMiners(),
    });
    try {
      await recordCodingRuns(memory, [
        ...Array.from({ length: 6 }, () => run(fix, true)),
        run(flail, false),
        run(flail, false),
      ]);
      const heldOut = [run(fix, true), run(fix, true), run(flail, false), run(flail, false)];
      const { lift, pairs } = await topSequenceLift(memory, heldOut);
      expect(pairs).toBeGreaterThan(0);
      // held out: the runs that show grep×2+ → sed all resolved (2 of 2) against a base rate of 2 of 4
      expect(lift).toBeCloseTo(2);
      expect(await codingErrorHits(memory, [run(flail, false)], 3)).toEqual({
        cases: 1,
        hits: 1,
        hitRate: 1,
      });
    } finally {
      await memory.close();
    }
  });
});
