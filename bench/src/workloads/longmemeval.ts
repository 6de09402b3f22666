import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One LongMemEval instance: a question over a haystack of chat sessions (see the data set's ABOUT.md). */
export interface LongMemEvalInstance {
  questionId: string;
  questionType: string;
  question: string;
  /** When the question is asked, as ISO-8601 UTC. */
  questionDate: string;
  /** From the data set's `split.tsv`: settings are chosen on `dev`, `test` is only reported. */
  split: 'dev' | 'test';
  sessions: LongMemEvalSession[];
  /** Ids of the sessions holding the evidence: the relevance judgements. */
  answerSessionIds: string[];
}

export interface LongMemEvalSession {
  id: string;
  /** When the session took place, as ISO-8601 UTC. */
  date: string;
  /** The date as the data set writes it, e.g. `2023/05/20 (Sat) 00:59`. */
  dateText: string;
  turns: { role: string; content: string }[];
}

interface RawInstance {
  question_id: string;
  question_type: string;
  question: string;
  question_date: string;
  haystack_session_ids: string[];
  haystack_dates: string[];
  haystack_sessions: { role: string; content: string }[][];
  answer_session_ids: string[];
}

/** `2023/05/20 (Sat) 00:59` → `2023-05-20T00:59:00.000Z` (the data set gives no time zone; UTC is assumed). */
function isoDate(text: string): string {
  const match = /^(\d{4})\/(\d{2})\/(\d{2}) \(\w+\) (\d{2}):(\d{2})$/.exec(text.trim());
  if (match === null) throw new Error(`unexpected LongMemEval date "${text}"`);
  const [, year, month, day, hour, minute] = match;
  return new Date(
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute)),
  ).toISOString();
}

/**
 * `split.tsv`: file name → split. A folder without one (a held-out set dropped in its place) is
 * all test: no setting may be chosen on it.
 */
function readSplit(folder: string): Map<string, 'dev' | 'test'> {
  const split = new Map<string, 'dev' | 'test'>();
  const path = join(folder, 'split.tsv');
  if (!existsSync(path)) return split;
  for (const line of readFileSync(path, 'utf8').split('\n').slice(1)) {
    const [file, , , side] = line.split('\t');
    if (file !== undefined && (side === 'dev' || side === 'test')) split.set(file, side);
  }
  return split;
}

/** Every instance in the folder, in file-name order. */
export function loadLongMemEval(folder: string): LongMemEvalInstance[] {
  const split = readSplit(folder);
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const raw = JSON.parse(readFileSync(join(folder, name), 'utf8')) as RawInstance;
      return {
        questionId: raw.question_id,
        questionType: raw.question_type,
        question: raw.question,
        questionDate: isoDate(raw.question_date),
        split: split.get(name) ?? 'test',
        answerSessionIds: raw.answer_session_ids,
        sessions: raw.haystack_sessions.map((turns, index) => ({
          id: raw.haystack_session_ids[index] as string,
          dateText: raw.haystack_dates[index] as string,
          date: isoDate(raw.haystack_dates[index] as string),
          turns: turns.map((turn) => ({ role: turn.role, content: turn.content })),
        })),
      };
    });
}

/** The retrieve input for an instance's question: asked at the question's own date, as a user's agent would. */
export function longMemEvalQuery(instance: LongMemEvalInstance, limit: number) {
  return { text: instance.question, at: instance.questionDate, limit, patterns: 0 };
}

/** What a pooled store holds: the sessions with some question's evidence, or every haystack session. */
export type PoolKind = 'evidence' | 'haystack';

/**
 * The sessions of every instance of a split, each once (instances share distractor sessions), for
 * one store that all the split's questions ask. A question's evidence then competes with every
 * other question's sessions, not with its own ~50: the shape of a long-lived agent's memory, and
 * of the pooled held-out set the issue reports (`evidence` mirrors LongMemEval's oracle sessions).
 */
export function pooledSessions(
  instances: readonly LongMemEvalInstance[],
  split: LongMemEvalInstance['split'],
  kind: PoolKind,
): LongMemEvalSession[] {
  const pooled = new Map<string, LongMemEvalSession>();
  for (const instance of instances) {
    if (instance.split !== split) continue;
    for (const session of instance.sessions) {
      if (kind === 'haystack' || instance.answerSessionIds.includes(session.id))
        pooled.set(session.id, session);
    }
  }
  return [...pooled.values()];
}
