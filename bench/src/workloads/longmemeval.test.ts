import { describe, expect, it } from 'vitest';
import { type LongMemEvalInstance, type LongMemEvalSession, pooledSessions } from './longmemeval.js';

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
