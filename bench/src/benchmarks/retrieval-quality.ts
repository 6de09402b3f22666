import { join } from 'node:path';
import { type Memory, openMemory } from '@episodic/core';
import { createLocalEmbeddings } from '@episodic/embeddings-local';
import { createClient } from '@libsql/client';
import type { Benchmark, FigureValue } from '../benchmark.js';
import { datasetPath } from '../datasets.js';
import { meanScores, type RankingScores, scoreRanking } from '../retrieval-metrics.js';
import { type LongMemEvalInstance, loadLongMemEval } from '../workloads/longmemeval.js';

const k = 10;
const targetGain = 0.05;
const allowedTypeLoss = 0.02;

type Side = 'ours' | 'bm25';

/**
 * One fresh store per instance: each session is an episode (task type `conversation`, its date
 * as context) whose turns are its steps (action = role, result = text), recorded through the
 * engine and completed, which embeds it. The engine stamps the time of recording, so the session
 * dates are then written into `created_at` (and the turns' timestamps) with a plain UPDATE, before
 * the first query; that is what lets recency see the real chronology.
 */
async function buildStore(
  url: string,
  instance: LongMemEvalInstance,
): Promise<{ memory: Memory; sessionOf: Map<string, string> }> {
  const memory = await openMemory({ url, embeddings: createLocalEmbeddings(), taskTypes: ['conversation'] });
  const sessionOf = new Map<string, string>();
  const dates: [string, string][] = [];
  for (const session of instance.sessions) {
    const episode = await memory.episodes.start({
      taskType: 'conversation',
      domain: 'assistant',
      context: `Chat session on ${session.dateText}`,
    });
    const steps = session.turns
      .filter((turn) => turn.content.length > 0)
      .map((turn) => ({
        action: turn.role,
        result: turn.content.slice(0, memory.config.limits.maxResultChars),
      }));
    if (steps.length > 0) await memory.episodes.logSteps(episode.id, steps);
    await memory.episodes.complete(episode.id, { status: 'completed' });
    sessionOf.set(episode.id, session.id);
    dates.push([episode.id, session.date]);
  }
  const raw = createClient({ url });
  try {
    await raw.batch(
      dates.flatMap(([id, date]) => [
        { sql: 'UPDATE episodes SET created_at = ?, completed_at = ? WHERE id = ?', args: [date, date, id] },
        { sql: 'UPDATE steps SET timestamp = ? WHERE episode_id = ?', args: [date, id] },
      ]),
      'write',
    );
  } finally {
    raw.close();
  }
  return { memory, sessionOf };
}

function formatScore(value: number): string {
  return value.toFixed(3);
}

/** The JSON keys of one row (a question type, or overall): ours and BM25 side by side. */
function scoreFigures(row: { ours: RankingScores; bm25: RankingScores }) {
  const figure = (value: number) => Number(value.toFixed(4));
  return {
    ours_recall_all_at_10: figure(row.ours.recallAllAt10),
    bm25_recall_all_at_10: figure(row.bm25.recallAllAt10),
    ours_recall_any_at_5: figure(row.ours.recallAnyAt5),
    bm25_recall_any_at_5: figure(row.bm25.recallAnyAt5),
    ours_ndcg_at_10: figure(row.ours.ndcgAt10),
    bm25_ndcg_at_10: figure(row.bm25.ndcgAt10),
  };
}

export const retrievalQuality: Benchmark = {
  name: 'retrieval-quality',
  description:
    'LongMemEval_S session retrieval: our default retrieve vs plain FTS5 BM25 (searchText), same stores',

  async run(context) {
    const instances = loadLongMemEval(datasetPath('longmemeval-s'));
    const scores: Record<Side, { type: string; scores: RankingScores }[]> = { ours: [], bm25: [] };
    for (const [index, instance] of instances.entries()) {
      context.progress(
        `retrieval-quality: ${index + 1}/${instances.length} ${instance.questionId} (${instance.sessions.length} sessions)`,
      );
      const { memory, sessionOf } = await buildStore(
        `file:${join(context.tempDir, `${instance.questionId}.db`)}`,
        instance,
      );
      try {
        const relevant = new Set(instance.answerSessionIds);
        const ours = await memory.search.retrieve({ text: instance.question, limit: k });
        const bm25 = await memory.search.text({ text: instance.question, limit: k });
        const sessions = (ids: string[]) => ids.map((id) => sessionOf.get(id) ?? id);
        scores.ours.push({
          type: instance.questionType,
          scores: scoreRanking(sessions(ours.episodes.map((r) => r.episode.id)), relevant),
        });
        scores.bm25.push({
          type: instance.questionType,
          scores: scoreRanking(sessions(bm25.map((h) => h.episode.id)), relevant),
        });
      } finally {
        await memory.close();
      }
    }

    const types = [...new Set(instances.map((instance) => instance.questionType))].sort();
    const summarise = (side: Side, type?: string) =>
      meanScores(
        scores[side]
          .filter((entry) => type === undefined || entry.type === type)
          .map((entry) => entry.scores),
      );
    const rows = [...types, undefined].map((type) => {
      const ours = summarise('ours', type);
      const bm25 = summarise('bm25', type);
      const n = instances.filter((instance) => type === undefined || instance.questionType === type).length;
      return { label: type ?? 'overall', n, ours, bm25 };
    });
    const overall = rows[rows.length - 1] as (typeof rows)[number];
    const gain = overall.ours.recallAllAt10 - overall.bm25.recallAllAt10;
    const worstType = rows
      .slice(0, -1)
      .map((row) => ({ label: row.label, loss: row.bm25.recallAllAt10 - row.ours.recallAllAt10 }))
      .sort((a, b) => b.loss - a.loss)[0];
    const perType: Record<string, FigureValue> = {};
    for (const row of rows.slice(0, -1)) {
      perType[row.label] = { n: row.n, ...scoreFigures(row) };
    }
    return {
      table: {
        title: `retrieval-quality: LongMemEval_S, ${instances.length} questions, one fresh store each (episode = session, steps = turns)`,
        columns: [
          'question type',
          'n',
          'R_all@10 ours',
          'bm25',
          'R_any@5 ours',
          'bm25',
          'R_all@5 ours',
          'bm25',
          'NDCG@10 ours',
          'bm25',
        ],
        rows: rows.map((row) => [
          row.label,
          row.n,
          formatScore(row.ours.recallAllAt10),
          formatScore(row.bm25.recallAllAt10),
          formatScore(row.ours.recallAnyAt5),
          formatScore(row.bm25.recallAnyAt5),
          formatScore(row.ours.recallAllAt5),
          formatScore(row.bm25.recallAllAt5),
          formatScore(row.ours.ndcgAt10),
          formatScore(row.bm25.ndcgAt10),
        ]),
        notes: [
          `ours - bm25 recall_all@10 overall = ${gain.toFixed(3)} (target >= ${targetGain}: ${gain >= targetGain - 1e-9 ? 'met' : 'NOT met'})`,
          `worst question type: ${worstType?.label} at ${(-(worstType?.loss ?? 0)).toFixed(3)} vs bm25 (target >= -${allowedTypeLoss}: ${(worstType?.loss ?? 0) <= allowedTypeLoss + 1e-9 ? 'met' : 'NOT met'})`,
          'ours: memory.search.retrieve({ text: question, limit: 10 }) with the default config and createLocalEmbeddings() (384 dimensions)',
          'bm25: memory.search.text({ text: question, limit: 10 }): plain FTS5 BM25 over the same episodes_fts and steps_fts',
          'sessions recorded through openMemory; their dates then set on created_at by UPDATE (the engine stamps recording time)',
          'abstention (_abs) questions are scored like the others against their answer_session_ids',
        ],
      },
      figures: {
        ...scoreFigures(overall),
        per_type: perType,
      },
    };
  },
};
