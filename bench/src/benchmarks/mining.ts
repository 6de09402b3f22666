import { openMemory } from '@episodic/core';
import type { Benchmark, BenchmarkContext } from '../benchmark.js';
import { datasetPath } from '../datasets.js';
import { formatNumber } from '../format-table.js';
import { percentile } from '../measure.js';
import { codingQuality } from '../mining-coding.js';
import { forgottenEpisodes, speedAtScale, storedEpisodes } from '../mining-scale.js';
import { errorTopK, sequencesPerTaskType, type TauSplitQuality, tauQuality } from '../mining-tau.js';
import { type ProportionInterval, wilsonInterval } from '../proportion-interval.js';
import { loadCodingAgentRuns } from '../workloads/coding-agent.js';
import { loadTauAirline } from '../workloads/tau-airline.js';
import { tauSplit } from '../workloads/tau-split.js';

const targets = {
  precision: 0.8,
  recall: 0.5,
  errorHit: 0.6,
  codingErrorHit: 0.5,
  codingLift: 1.05,
  p95Ms: 20,
  forgetP95Ms: 50,
};

async function tauOnBothSplits(context: BenchmarkContext) {
  const probe = await openMemory({ url: ':memory:', cache: false });
  const { maxResultChars, maxMetadataChars } = probe.config.limits;
  await probe.close();
  const episodes = loadTauAirline(
    datasetPath('tau-bench-airline/gpt-4o-airline.json'),
    maxResultChars,
    maxMetadataChars,
  );
  const dev = await tauQuality(
    context,
    'dev',
    episodes.filter((episode) => tauSplit(episode.taskId) === 'dev'),
    true,
  );
  const test = await tauQuality(
    context,
    'test',
    episodes.filter((episode) => tauSplit(episode.taskId) === 'test'),
    false,
  );
  return { dev, test };
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
const intervalFigure = ({ low, high }: ProportionInterval) => ({ low: round(low), high: round(high) });

/** The 95% Wilson intervals of a split's precision, recall and error hit@3: printed and in the JSON. */
function splitIntervals({ sequences, errors }: TauSplitQuality) {
  return {
    precision: wilsonInterval(sequences.correct, sequences.judged),
    recall: wilsonInterval(sequences.recalled, sequences.truths),
    errorHit: wilsonInterval(errors.hits, errors.cases),
  };
}

function splitRows(name: string, quality: TauSplitQuality): (string | number)[][] {
  const { sequences, errors } = quality;
  return [
    [
      `${name}: sequence precision / recall / F1`,
      `${sequences.precision.toFixed(3)} / ${sequences.recall.toFixed(3)} / ${sequences.f1.toFixed(3)}`,
    ],
    [
      `  sequences correct / reported; truths matched / truths`,
      `${sequences.correct}/${sequences.judged}; ${sequences.recalled}/${sequences.truths}`,
    ],
    [
      `  95% Wilson intervals: precision; recall; error hit@${errorTopK} (${errors.hits}/${errors.cases})`,
      Object.values(splitIntervals(quality))
        .map(({ low, high }) => `[${low.toFixed(3)}, ${high.toFixed(3)}]`)
        .join('; '),
    ],
    ...sequences.perType.map((type) => [
      `    ${type.taskType}`,
      `${type.correct}/${type.judged}; ${type.recalled}/${type.truths}`,
    ]),
    [
      `${name}: error hit@${errorTopK} (held-out errors)`,
      `${errors.hitRate.toFixed(3)} (${errors.hits}/${errors.cases})`,
    ],
    [
      `${name}: error hit@${errorTopK}, each error's whole task held back`,
      `${quality.errorsTaskHeldOut.hitRate.toFixed(3)} (${quality.errorsTaskHeldOut.hits}/${quality.errorsTaskHeldOut.cases})`,
    ],
  ];
}

export const mining: Benchmark = {
  name: 'mining',
  description:
    'pattern miners on τ-bench airline (dev/test: sequence precision, recall, error hit@3) and mining cost at 10,000 stored episodes',

  async run(context) {
    const tau = await tauOnBothSplits(context);
    const coding = await codingQuality(context, loadCodingAgentRuns());
    const speed = await speedAtScale(context);
    const p50 = percentile(speed.withMining, 0.5);
    const p95 = percentile(speed.withMining, 0.95);
    const remineS = speed.report.durationMs / 1000;
    const forgetP95 = percentile(speed.forgetMs, 0.95);
    const { dev, test } = tau;
    const testIntervals = splitIntervals(test);
    return {
      table: {
        title: 'mining: the four built-in miners, default options',
        columns: ['figure', 'value'],
        rows: [
          ...splitRows('dev', dev),
          ...dev.byLiftFloor.map(({ floor, scores }) => [
            `  dev with relevantPatterns minLift ${floor}: P / R / F1`,
            `${scores.precision.toFixed(3)} / ${scores.recall.toFixed(3)} / ${scores.f1.toFixed(3)}`,
          ]),
          ...dev.errors.byTextFloor.map(({ floor, hitRate }) => [
            `  dev error hit@${errorTopK} with minTextMatch ${floor}`,
            hitRate.toFixed(3),
          ]),
          ...splitRows('test', test),
          [
            `coding-agent dev (${coding.dev.runs} runs, two halves): error hit@3 / top-5 sequence lift`,
            `${coding.dev.errorHitAt3.toFixed(3)} / ${coding.dev.top5Lift.toFixed(3)}`,
          ],
          [
            `coding-agent test (${coding.test.runs} runs): error hit@3 / top-5 sequence lift`,
            `${coding.test.errorHitAt3.toFixed(3)} (${coding.test.errorCases} errors) / ${coding.test.top5Lift.toFixed(3)} (${coding.test.liftPairs} issue-sequence pairs, ${coding.test.distinctSequences} distinct)`,
          ],
          [
            `completeEpisode with mining, p50 / p95 ms (${formatNumber(storedEpisodes)} stored)`,
            `${p50.toFixed(2)} / ${p95.toFixed(2)}`,
          ],
          [
            'completeEpisode without miners, p50 / p95 ms (a copy of the store taken before the miners)',
            `${percentile(speed.withoutMining, 0.5).toFixed(2)} / ${percentile(speed.withoutMining, 0.95).toFixed(2)}`,
          ],
          [
            `forget one episode, p50 / p95 ms (${formatNumber(storedEpisodes)} stored, ${forgottenEpisodes} forgotten)`,
            `${percentile(speed.forgetMs, 0.5).toFixed(1)} / ${forgetP95.toFixed(1)}`,
          ],
          [
            'forget one episode until its text is purged from every file, p50 / p95 ms (same runs)',
            `${percentile(speed.purgedMs, 0.5).toFixed(1)} / ${percentile(speed.purgedMs, 0.95).toFixed(1)}`,
          ],
          [
            'machine load (1-minute average) before / after the forget runs',
            `${speed.load.before.toFixed(1)} / ${speed.load.after.toFixed(1)}`,
          ],
          [`remine() of ${formatNumber(speed.report.episodes)} episodes, s`, remineS.toFixed(1)],
          ['mined patterns after remine', formatNumber(speed.report.patterns)],
        ],
        notes: [
          'split: τ-bench tasks by id, a fixed list (bench/src/workloads/tau-split.ts): every other task of each task type is dev (27 tasks, 108 runs), the rest test (23 tasks, 92 runs); each split is mined in its own store with the default miners, and every default was chosen on dev (the dev rows with other settings show how)',
          `precision: share of the top-${sequencesPerTaskType} tool sequences relevantPatterns reports per task type (default query: relevantPatterns' default evidence floor, beatsRest > 0.5 against the rest of the task type's runs, and shown by >= half of its successful runs) that are an ordered subsequence of a ground truth of that type (a run element get×2+ reads as two get calls in a row); target >= ${targets.precision} on test: ${met(test.sequences.precision >= targets.precision)}`,
          `recall: share of distinct ground truths (per task, 2+ calls) whose look-up→write core a reported sequence matches (an ordered subsequence that reaches the first write; any, for a read-only task); target >= ${targets.recall} on test: ${met(test.sequences.recall >= targets.recall)}`,
          `error hit@${errorTopK}: each failed call that a later call resolved (the same tool succeeding, else the first later success) held back with its whole run; relevantPatterns({ text: the error, domain }) over the split's other runs; a hit is an error_resolution pattern of that tool in the top ${errorTopK} whose resolution ends with the resolving tool and is an ordered subsequence of what the run did until then; target >= ${targets.errorHit} on test: ${met(test.errors.hitRate >= targets.errorHit)}; the run's task has three other trials in the store (the same instruction, often the same errors), so the same score with every run of the error's task held back is printed beside it (test_error_hit_at_3_task_held_out, no target): how far what was learned carries to other tasks`,
          `coding-agent (coding-agent-gemini, split by a hash of instance_id, the loader's codingAgentSplit): domain = repository, task type bug_fix, context = the issue text, a format error is the action format_error; test = a store of the dev runs asked about each test run: error hit@${errorTopK} as for τ-bench (target >= ${targets.codingErrorHit}: ${met(coding.test.errorHitAt3 >= targets.codingErrorHit)}), and the top-5 sequences relevantPatterns({ text: issue, domain: repository, types: [tool_sequence] }) returns, each scored by the success rate of the test runs that show it over the test base rate, averaged over pairs (target > ${targets.codingLift}: ${met(coding.test.top5Lift > targets.codingLift)})`,
          'task type = first write action of the task ground truth (airline_support when none); episodes recorded in data set order, mined incrementally on completion',
          `mining cost = the whole completeEpisode (completion, read back, mining transaction, cache invalidation), LMDB cache on; p95 target <= ${targets.p95Ms} ms: ${met(p95 <= targets.p95Ms)}; timings vary with machine load`,
          `forget = the whole admin.forget({ episodeIds: [one] }) on the store above (the four miners): the transaction that deletes the episode and recomputes the patterns it supported (and the later episodes of its task type the optimization miner reads history for), and the cache purge, with default options (the merge of the four full-text indexes and the WAL checkpoint follow in the background); "until purged" adds the wait for that purge (admin.purge()), after which no file holds the deleted text; episodes spread evenly from oldest to newest; p95 target <= ${targets.forgetP95Ms} ms: ${met(forgetP95 <= targets.forgetP95Ms)}`,
          'synthetic episodes: bench workload agent-episodes (20 steps, 6 tools, 6 domains, 6 task types); stored without miners, then remine() mined them all',
        ],
      },
      figures: {
        test_precision: round(test.sequences.precision),
        test_recall: round(test.sequences.recall),
        test_precision_ci95: intervalFigure(testIntervals.precision),
        test_recall_ci95: intervalFigure(testIntervals.recall),
        test_error_hit_at_3_ci95: intervalFigure(testIntervals.errorHit),
        test_f1: round(test.sequences.f1),
        test_error_hit_at_3: round(test.errors.hitRate),
        dev_precision: round(dev.sequences.precision),
        dev_recall: round(dev.sequences.recall),
        dev_f1: round(dev.sequences.f1),
        dev_error_hit_at_3: round(dev.errors.hitRate),
        test_error_hit_at_3_task_held_out: round(test.errorsTaskHeldOut.hitRate),
        dev_error_hit_at_3_task_held_out: round(dev.errorsTaskHeldOut.hitRate),
        test_error_cases: test.errors.cases,
        coding_test_error_hit_at_3: round(coding.test.errorHitAt3),
        coding_test_top5_lift: round(coding.test.top5Lift),
        coding_dev_error_hit_at_3: round(coding.dev.errorHitAt3),
        coding_dev_top5_lift: round(coding.dev.top5Lift),
        coding_test_error_cases: coding.test.errorCases,
        test_sequences_judged: test.sequences.judged,
        mining_p50_ms: round(p50, 2),
        mining_p95_ms: round(p95, 2),
        remine_s: round(remineS, 1),
        forget_p50_ms: round(percentile(speed.forgetMs, 0.5), 1),
        forget_p95_ms: round(forgetP95, 1),
        forget_purged_p50_ms: round(percentile(speed.purgedMs, 0.5), 1),
        forget_purged_p95_ms: round(percentile(speed.purgedMs, 0.95), 1),
        forget_load_avg: round(speed.load.after, 1),
        complete_without_mining_p95_ms: round(percentile(speed.withoutMining, 0.95), 2),
      },
    };
  },
};
