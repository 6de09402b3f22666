import { describe, expect, it } from 'vitest';
import { withTempDir } from '../temp-dir.js';
import { type CodingAgentRun, codingAgentSplit } from './coding-agent.js';
import { codingQueries, codingRetrieval } from './coding-retrieval.js';

/** Instance ids of a known split: the split is a hash of the id. */
function idsOf(split: 'dev' | 'test', count: number): string[] {
  const ids: string[] = [];
  for (let n = 1; ids.length < count; n += 1)
    if (codingAgentSplit(`acme__widgets-${n}`) === split) ids.push(`acme__widgets-${n}`);
  return ids;
}

const runOf = (instanceId: string, file: string, words: string): CodingAgentRun => ({
  instanceId,
  repo: 'acme/widgets',
  issueText: `The ${words} breaks when the input is empty`,
  resolved: true,
  changedFiles: [file],
  steps: [
    {
      action: `sed -i s/a/b/ ${file}`,
      thought: '',
      result: `patched ${words}`,
      success: true,
      kind: 'command',
    },
  ],
});

// Two dev runs on the parser; a dev run and a test run on the lexer.
const [parserA, parserB, lexerDev] = idsOf('dev', 3) as [string, string, string];
const [lexerTest] = idsOf('test', 1) as [string];
const runs = [
  runOf(parserA, 'pkg/parser.py', 'parser tokens'),
  runOf(parserB, 'pkg/parser.py', 'parser grammar'),
  runOf(lexerDev, 'pkg/lexer.py', 'lexer unicode'),
  runOf(lexerTest, 'pkg/lexer.py', 'lexer unicode'),
];

describe('coding retrieval splits', () => {
  it('judges each query only against runs of its own split', () => {
    expect(codingQueries(runs, 'dev').map(({ run, relevant }) => [run.instanceId, [...relevant]])).toEqual([
      [parserA, [parserB]],
      [parserB, [parserA]],
    ]);
    expect(codingQueries(runs, 'test')).toEqual([]);
  });

  it('asks each split of a store that holds none of the other split runs', async () => {
    const results = await withTempDir('episodic-coding-retrieval-', (dir) =>
      codingRetrieval(runs, dir, () => undefined),
    );
    // A dev query answered by a test run (and its mirror on test) would be a leak: neither is asked.
    expect(results.dev.n).toBe(2);
    expect(results.test.n).toBe(0);
    for (const side of ['ours', 'textonly', 'bm25'] as const)
      expect(results.dev[side].scores.recallAnyAt1).toBe(1);
  });
});
