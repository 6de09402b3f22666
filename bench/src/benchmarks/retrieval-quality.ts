import { join } from 'node:path';
import { openMemory } from '@episodic/core';
import { createLocalEmbeddings } from '@episodic/embeddings-local';
import type { Benchmark, FigureValue } from '../benchmark.js';
import { datasetPath } from '../datasets.js';
import { openPlainBm25 } from '../plain-bm25.js';
import { meanScores, type RankingScores, rankingMetrics, scoreRanking } from '../retrieval-metrics.js';
import { loadCodingAgentRuns } from '../workloads/coding-agent.js';
import { type CodingResults, codingRetrieval, type RetrievalSide } from '../workloads/coding-retrieval.js';
import { loadLongMemEval, longMemEvalQuery } from '../workloads/longmemeval.js';
import { buildLongMemEvalStore, sessionText } from '../workloads/retrieval-stores.js';

const k = 10;
const sides = ['ours', 'textonly', 'bm25'] as const;
const splits = ['dev', 'test'] as const;
type Split = (typeof splits)[number];

interface Scored {
  split: Split;
  type: string;
  scores: Record<RetrievalSide, RankingScores>;
}

const short: Record<(typeof rankingMetrics)[number], string> = {
  recallAnyAt1: 'any1',
  recallAnyAt5: 'any5',
  recallAnyAt10: 'any10',
  recallAllAt1: 'all1',
  recallAllAt5: 'all5',
  recallAllAt10: 'all10',
  ndcgAt10: 'ndcg10',
  mrrAt10: 'mrr10',
};
/** The recall figures the test margin is taken over: any@1/5/10 and all@1/5/10. */
const marginMetrics = rankingMetrics.filter((metric) => metric.startsWith('recall'));

const round = (value: number) => Number(value.toFixed(4));

/** Every metric of every side for one group of questions, as flat JSON keys (`ours_all10`, …). */
function groupFigures(group: Record<RetrievalSide, RankingScores>, prefix: string): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const side of sides) {
    for (const metric of rankingMetrics)
      figures[`${prefix}${side}_${short[metric]}`] = round(group[side][metric]);
  }
  return figures;
}

function codingFigures(coding: CodingResults): Record<string, FigureValue> {
  const figures: Record<string, FigureValue> = {};
  for (const split of splits) {
    figures[`coding_${split}_n`] = coding[split].n;
    for (const side of sides) {
      const { scores, resolvedTop1 } = coding[split][side];
      figures[`coding_${split}_${side}_any1`] = round(scores.recallAnyAt1);
      figures[`coding_${split}_${side}_any5`] = round(scores.recallAnyAt5);
      figures[`coding_${split}_${side}_mrr10`] = round(scores.mrrAt10);
      figures[`coding_${split}_${side}_resolved_top1`] = round(resolvedTop1);
    }
  }
  return figures;
}

export const retrievalQuality: Benchmark = {
  name: 'retrieval-quality',
  description:
    'LongMemEval_S and coding-agent runs: default retrieve and text-only retrieve vs plain FTS5 BM25, dev and test',

  async run(context) {
    const embeddings = context.embeddings ?? createLocalEmbeddings();
    const instances = loadLongMemEval(datasetPath('longmemeval-s'));
    const runs = loadCodingAgentRuns();
    const scored: Scored[] = [];
    for (const [index, instance] of instances.entries()) {
      context.progress(
        `retrieval-quality: ${index + 1}/${instances.length} ${instance.questionId} (${instance.sessions.length} sessions)`,
      );
      const url = `file:${join(context.tempDir, `${instance.questionId}.db`)}`;
      const built = await buildLongMemEvalStore(url, instance, { embeddings });
      // The same store without a provider: what a user who configured none gets.
      const textOnly = await openMemory({ url });
      const bm25 = await openPlainBm25(`file:${join(context.tempDir, `${instance.questionId}-bm25.db`)}`);
      try {
        await bm25.add(instance.sessions.map((session) => ({ id: session.id, text: sessionText(session) })));
        const relevant = new Set(instance.answerSessionIds);
        const query = longMemEvalQuery(instance, k);
        const sessions = (ids: string[]) => ids.map((id) => built.sourceOf.get(id) ?? id);
        const ours = await built.memory.search.retrieve(query);
        const text = await textOnly.search.retrieve(query);
        scored.push({
          split: instance.split,
          type: instance.questionType,
          scores: {
            ours: scoreRanking(sessions(ours.episodes.map((hit) => hit.episode.id)), relevant),
            textonly: scoreRanking(sessions(text.episodes.map((hit) => hit.episode.id)), relevant),
            bm25: scoreRanking(await bm25.search(instance.question, k), relevant),
          },
        });
      } finally {
        await textOnly.close();
        await built.memory.close();
        bm25.close();
      }
    }
    const coding = await codingRetrieval(runs, context.tempDir, context.progress, embeddings);

    const group = (split: Split, type?: string) => {
      const members = scored.filter(
        (entry) => entry.split === split && (type === undefined || entry.type === type),
      );
      const scores = Object.fromEntries(
        sides.map((side) => [side, meanScores(members.map((entry) => entry.scores[side]))]),
      ) as Record<RetrievalSide, RankingScores>;
      return { n: members.length, scores };
    };
    const types = [...new Set(instances.map((instance) => instance.questionType))].sort();
    const rows = splits.flatMap((split) =>
      [...types, undefined].map((type) => ({ split, label: type ?? 'overall', ...group(split, type) })),
    );
    const overall = { dev: group('dev').scores, test: group('test').scores };
    const minMargin = Math.min(
      ...marginMetrics.map((metric) => overall.test.ours[metric] - overall.test.bm25[metric]),
    );
    const perType: Record<string, FigureValue> = {};
    for (const row of rows) {
      if (row.label !== 'overall')
        perType[`${row.split}_${row.label}`] = { n: row.n, ...groupFigures(row.scores, '') };
    }
    const table = (row: (typeof rows)[number]) => [
      `${row.split} ${row.label}`,
      row.n,
      ...(['recallAnyAt1', 'recallAnyAt5', 'recallAllAt10', 'ndcgAt10'] as const).flatMap((metric) =>
        sides.map((side) => row.scores[side][metric].toFixed(3)),
      ),
    ];
    const codingRows = splits.map((split) => [
      `coding ${split}`,
      coding[split].n,
      ...(['recallAnyAt1', 'recallAnyAt5', 'mrrAt10'] as const).flatMap((metric) =>
        sides.map((side) => coding[split][side].scores[metric].toFixed(3)),
      ),
      ...sides.map((side) => coding[split][side].resolvedTop1.toFixed(3)),
    ]);
    return {
      table: {
        title: `retrieval-quality: LongMemEval_S (${instances.length} questions, a store each) and coding-agent runs (${runs.length} in one store)`,
        columns: [
          'split / question type',
          'n',
          ...['any@1', 'any@5', 'all@10', 'ndcg@10'].flatMap((metric) => [`${metric} ours`, 'text', 'bm25']),
        ],
        rows: [...rows.map(table), ...codingRows],
        notes: [
          `test: ours - bm25 smallest margin over any@1/5/10 and all@1/5/10 = ${minMargin.toFixed(3)} (target >= 0); all@10 ours - bm25 = ${(overall.test.ours.recallAllAt10 - overall.test.bm25.recallAllAt10).toFixed(3)} (target >= 0.03)`,
          'coding rows: any@1, any@5, MRR@10 (ours, text, bm25), then the share of resolved runs in the top 1 (ours, text, bm25)',
          `ours: retrieve({ text, at: the question date, limit: 10 }) with the default config and ${context.embeddings === undefined ? 'createLocalEmbeddings()' : `--embeddings ${embeddings.provider}/${embeddings.model}/${embeddings.dimensions}`}; text: the same store opened without a provider`,
          'bm25: plain FTS5 over each session or run as one row of its whole text, the query words OR-ed, ranked by bm25() (bench/src/plain-bm25.ts)',
          'settings are chosen on dev (split.tsv; coding: SHA-256 of instance_id); test is reported only',
        ],
      },
      figures: {
        embeddings: `${embeddings.provider}/${embeddings.model}/${embeddings.dimensions}`,
        dev_ours_all10: round(overall.dev.ours.recallAllAt10),
        dev_bm25_all10: round(overall.dev.bm25.recallAllAt10),
        test_ours_any1: round(overall.test.ours.recallAnyAt1),
        test_bm25_any1: round(overall.test.bm25.recallAnyAt1),
        test_ours_any5: round(overall.test.ours.recallAnyAt5),
        test_bm25_any5: round(overall.test.bm25.recallAnyAt5),
        test_ours_all10: round(overall.test.ours.recallAllAt10),
        test_bm25_all10: round(overall.test.bm25.recallAllAt10),
        test_textonly_all10: round(overall.test.textonly.recallAllAt10),
        test_ours_ndcg10: round(overall.test.ours.ndcgAt10),
        test_bm25_ndcg10: round(overall.test.bm25.ndcgAt10),
        test_min_margin: round(minMargin),
        ...groupFigures(overall.dev, 'dev_'),
        ...groupFigures(overall.test, 'test_'),
        ...codingFigures(coding),
        per_type: perType,
      },
    };
  },
};
