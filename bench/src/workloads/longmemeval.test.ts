import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type LongMemEvalInstance,
  type LongMemEvalSession,
  loadLongMemEval,
  pooledSessions,
} from './longmemeval.js';

const session = (id: string): LongMemEvalSession => ({
  id,
  date: '2023-05-20T00:59:00.000Z',
  dateText: '2023/05/20 (Sat) 00:59',
  turns: [{ role: 'user', content: `session ${id}` }],
});

const instance = (
  questionId: string,
  split: 'dev' | 'test',
  sessions: string[],
  answers: string[],
): LongMemEvalInstance => ({
  questionId,
  questionType: 'multi-session',
  question: `question ${questionId}`,
  questionDate: '2023-06-01T00:00:00.000Z',
  split,
  sessions: sessions.map(session),
  answerSessionIds: answers,
});

// Instances share distractor sessions (`d1`), and one shares another's evidence (`a1`).
const instances = [
  instance('q1', 'dev', ['a1', 'd1', 'd2'], ['a1']),
  instance('q2', 'dev', ['a2', 'a1', 'd1'], ['a2', 'a1']),
  instance('q3', 'test', ['a3', 'd1', 'd3'], ['a3']),
];

describe('pooledSessions', () => {
  it('holds every session of the split once, and none of the other split', () => {
    expect(pooledSessions(instances, 'dev', 'haystack').map((entry) => entry.id)).toEqual([
      'a1',
      'd1',
      'd2',
      'a2',
    ]);
    expect(pooledSessions(instances, 'test', 'haystack').map((entry) => entry.id)).toEqual([
      'a3',
      'd1',
      'd3',
    ]);
  });

  it('holds only the sessions with some question’s evidence when asked for the evidence pool', () => {
    expect(pooledSessions(instances, 'dev', 'evidence').map((entry) => entry.id)).toEqual(['a1', 'a2']);
  });
});

describe('loadLongMemEval', () => {
  /** A folder of two instance files in the data set's format, with `split` as its split.tsv (none when undefined). */
  function folder(split: string | undefined): string {
    const dir = mkdtempSync(join(tmpdir(), 'episodic-lme-'));
    for (const id of ['q1', 'q2'])
      writeFileSync(
        join(dir, `1_${id}.json`),
        JSON.stringify({
          question_id: id,
          question_type: 'multi-session',
          question: `what about ${id}?`,
          question_date: '2023/06/01 (Thu) 10:00',
          haystack_session_ids: [`${id}-s1`],
          haystack_dates: ['2023/05/20 (Sat) 00:59'],
          haystack_sessions: [[{ role: 'user', content: `about ${id}` }]],
          answer_session_ids: [`${id}-s1`],
        }),
      );
    if (split !== undefined) writeFileSync(join(dir, 'split.tsv'), split);
    return dir;
  }

  it('takes each file’s split from split.tsv, and test for a file it does not list', () => {
    const dir = folder('file\tquestion_id\tquestion_type\tsplit\n1_q1.json\tq1\tmulti-session\tdev\n');
    try {
      expect(loadLongMemEval(dir).map((entry) => [entry.questionId, entry.split])).toEqual([
        ['q1', 'dev'],
        ['q2', 'test'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a folder without split.tsv (a held-out set) as all test', () => {
    const dir = folder(undefined);
    try {
      const loaded = loadLongMemEval(dir);
      expect(loaded.map((entry) => entry.split)).toEqual(['test', 'test']);
      expect(loaded[0]).toMatchObject({
        questionDate: '2023-06-01T10:00:00.000Z',
        sessions: [{ id: 'q1-s1', date: '2023-05-20T00:59:00.000Z', turns: [{ content: 'about q1' }] }],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
