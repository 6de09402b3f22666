import { createLocalEmbeddings } from '@episodic/embeddings-local';
import type { Benchmark, FigureValue } from '../benchmark.js';
import { datasetPath } from '../datasets.js';
import { meanScores, metricKey, type RankingScores, rankingMetrics, round } from '../retrieval-metrics.js';
import { loadCodingAgentRuns } from '../workloads/coding-agent.js';
import { type CodingResults, codingRetrieval, type RetrievalSide } from '../workloads/coding-retrieval.js';
import { loadLongMemEval, type PoolKind, pooledSessions } from '../workloads/longmemeval.js';
import { openLongMemEvalSides } from '../workloads/longmemeval-retrieval.js';
import {
  type Against,
  describeWeakest,
  type TestCase,
  type Weakest,
  weakestFigure,
  weakestJson,
} from './retrieval-margins.js';

const sides = ['ours', 'textonly', 'bm25'] as const;
const splits = ['dev', 'test'] as const;
type Split = (typeof splits)[number];

/** `own`: each question's store of its own ~50 sessions; a pool: one store per split (`pooledSessions`). */
type Pool = 'own' | PoolKind;
const pools = ['evidence', 'haystack'] as const satisfies readonly PoolKind[];

interface Scored {
  pool: Pool;
  split: Split;
  type: string;
  scores: Record<RetrievalSide, RankingScores>;
}

/** The recall figures the test margin is taken over: any@1/5/10 and all@1/5/10. */
const marginMetrics = rankingMetrics.filter((metric) => metric.startsWith('recall'));
const codingMarginMetrics = ['recallAnyAt1', 'recallAnyAt5', 'mrrAt10'] as const;

/** Every metric of every side for one group of questions, as flat JSON keys (`ours_all10`, …). */
function groupFigures(group: Record<RetrievalSide, RankingScores>, prefix: string): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const side of sides) {
    for (const metric of rankingMetrics)
      figures[`${prefix}${side}_${metricKey[metric]}`] = round(group[side][metric]);
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
      const compared = await openLongMemEvalSides(
        context.tempDir,
        instance.questionId,
        instance.sessions,
        embeddings,
      );
      try {
        scored.push({
          pool: 'own',
          split: instance.split,
          type: instance.questionType,
          scores: await compared.score(instance),
        });
      } finally {
        await compared.close();
      }
    }
    for (const pool of pools) {
      for (const split of splits) {
        // A held-out folder without split.tsv has no dev questions, and nothing to pool for them.
        if (!instances.some((instance) => instance.split === split)) continue;
        const sessions = pooledSessions(instances, split, pool);
        context.progress(`retrieval-quality: pooled ${pool} store of ${split} (${sessions.length} sessions)`);
        const compared = await openLongMemEvalSides(
          context.tempDir,
          `pooled-${pool}-${split}`,
          sessions,
          embeddings,
        );
        try {
          for (const instance of instances.filter((entry) => entry.split === split))
            scored.push({ pool, split, type: instance.questionType, scores: await compared.score(instance) });
        } finally {
          await compared.close();
        }
      }
    }
    const coding = await codingRetrieval(runs, context.tempDir, context.progress, embeddings);

    const group = (split: Split, type?: string, pool: Pool = 'own') => {
      const members = scored.filter(
        (entry) =>
          entry.pool === pool && entry.split === split && (type === undefined || entry.type === type),
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
    // Ours against a baseline: plain BM25 (the issue's target), or our own text-only ranking (what
    // the vectors must never fall below).
    const margin = (
      scores: Record<RetrievalSide, RankingScores>,
      metrics: readonly (keyof RankingScores)[],
      against: Against = 'bm25',
    ) => Math.min(...metrics.map((metric) => scores.ours[metric] - scores[against][metric]));
    const minMargin = margin(overall.test, marginMetrics);
    const pooled = pools.flatMap((pool) =>
      splits.map((split) => ({ pool, split, label: `pooled ${pool}`, ...group(split, undefined, pool) })),
    );
    // The rule the defaults are chosen by: the largest smallest margin over every case of a split,
    // against plain BM25 and against text only (see the core README).
    const splitMargin = (split: Split, against: Against) =>
      Math.min(
        margin(overall[split], marginMetrics, against),
        ...pooled
          .filter((row) => row.split === split)
          .map((row) => margin(row.scores, marginMetrics, against)),
        margin(
          Object.fromEntries(sides.map((side) => [side, coding[split][side].scores])) as Record<
            RetrievalSide,
            RankingScores
          >,
          codingMarginMetrics,
          against,
        ),
      );
    const devMargin = splitMargin('dev', 'bm25');
    const devTextMargin = splitMargin('dev', 'textonly');
    const testCases: TestCase[] = [
      ...(['own', ...pools] as const).map((pool) => {
        const members = scored.filter((entry) => entry.pool === pool && entry.split === 'test');
        return {
          name: pool,
          metrics: marginMetrics,
          perQuery: Object.fromEntries(
            sides.map((side) => [side, members.map((entry) => entry.scores[side])]),
          ) as TestCase['perQuery'],
        };
      }),
      {
        name: 'coding',
        metrics: codingMarginMetrics,
        perQuery: Object.fromEntries(
          sides.map((side) => [side, coding.test[side].perQuery]),
        ) as TestCase['perQuery'],
      },
    ];
    const weakestOnTest = (against: Against) =>
      testCases.map((entry) => ({ name: entry.name, ...weakestFigure(entry, against) }));
    const weakest = { bm25: weakestOnTest('bm25'), textonly: weakestOnTest('textonly') };
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
        title: `retrieval-quality: LongMemEval_S (${instances.length} questions, a store each, then pooled per split) and coding-agent runs (${runs.length}, a store per split)`,
        columns: [
          'split / question type',
          'n',
          ...['any@1', 'any@5', 'all@10', 'ndcg@10'].flatMap((metric) => [`${metric} ours`, 'text', 'bm25']),
        ],
        rows: [...rows.map(table), ...pooled.map(table), ...codingRows],
        notes: [
          `test: ours - bm25 smallest margin over any@1/5/10 and all@1/5/10 = ${minMargin.toFixed(3)} (target >= 0); all@10 ours - bm25 = ${(overall.test.ours.recallAllAt10 - overall.test.bm25.recallAllAt10).toFixed(3)} (target >= 0.03)`,
          "pooled rows: every session of a split in one store (evidence: only sessions holding some question's evidence; haystack: all), asked by each of the split's questions",
          `dev: smallest margin over every dev case (own stores, both pools: any/all@1/5/10; coding: any@1, any@5, MRR@10), ours - bm25 = ${devMargin.toFixed(3)}, ours - text = ${devTextMargin.toFixed(3)}: the smaller is the rule the defaults were chosen by`,
          `test, the same over every test case: ours - bm25 = ${splitMargin('test', 'bm25').toFixed(3)}, ours - text = ${splitMargin('test', 'textonly').toFixed(3)} (target >= 0 for both)`,
          ...(['bm25', 'textonly'] as const).map(
            (against) =>
              `test, each case's weakest figure, ours - ${against === 'bm25' ? 'bm25' : 'text'} [95% paired bootstrap interval over its queries]: ${weakest[against].map(describeWeakest).join('; ')}`,
          ),
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
        dev_min_margin: round(devMargin),
        dev_min_margin_textonly: round(devTextMargin),
        test_weakest: Object.fromEntries(
          weakest.bm25.map((entry, index) => [
            entry.name,
            { bm25: weakestJson(entry), textonly: weakestJson(weakest.textonly[index] as Weakest) },
          ]),
        ),
        test_cases_min_margin: round(splitMargin('test', 'bm25')),
        test_cases_min_margin_textonly: round(splitMargin('test', 'textonly')),
        ...Object.fromEntries(
          pooled.flatMap((row) => [
            [`pooled_${row.pool}_${row.split}_n`, row.n],
            [`pooled_${row.pool}_${row.split}_min_margin`, round(margin(row.scores, marginMetrics))],
            ...Object.entries(groupFigures(row.scores, `pooled_${row.pool}_${row.split}_`)),
          ]),
        ),
        per_type: perType,
      },
    };
  },
};
