import {
  type BaselineStats,
  canonicalJson,
  countEpisodeInStats,
  declaredHistory,
  type EpisodeMeasures,
  type MiningHistory,
  type PatternMinerV1,
  toBaseline,
} from '@episodic/plugin';
import type { BaselineRows } from './baseline-rows.js';
import { wholeDomain } from './mining-batch.js';

/** A mined episode as the baselines count it. */
export interface MeasuredEpisode {
  seq: number;
  succeeded: boolean;
  taskType: string;
  measures: EpisodeMeasures;
}

/** A later episode whose history changed for some miners: what to mine it again with, and how. */
export interface Replay<Episode> {
  episode: Episode;
  miners: PatternMinerV1[];
  history: MiningHistory;
}

/**
 * Baselines by task type (`wholeDomain` for the domain's), changed in place one episode at a
 * time: copying them at each of hundreds of episodes cost more than everything else a forget does.
 */
class Baselines {
  readonly #stats = new Map<string, BaselineStats>();

  constructor(readonly readsDomain: boolean) {}

  set(type: string, stats: BaselineStats) {
    this.#stats.set(type, structuredClone(stats));
  }

  count(episode: MeasuredEpisode, by: 1 | -1) {
    // The domain's baseline is kept only when a miner reads it: half the work otherwise.
    for (const type of this.readsDomain ? [episode.taskType, wholeDomain] : [episode.taskType]) {
      countEpisodeInStats(this.#stats.get(type) as BaselineStats, episode.measures, episode.succeeded, by);
    }
  }

  /**
   * The history an episode of `taskType` sees now, its baselines computed when first read: read it
   * before the next change, or take a `snapshot`.
   */
  historyFor(taskType: string, snapshot = false): MiningHistory {
    const copy = (stats: BaselineStats | undefined) =>
      snapshot && stats !== undefined ? structuredClone(stats) : stats;
    const task = copy(this.#stats.get(taskType)) as BaselineStats;
    const domain = copy(this.#stats.get(wholeDomain));
    let taskView: MiningHistory['taskType'] | undefined;
    let domainView: MiningHistory['domain'] | undefined;
    return {
      get taskType() {
        taskView ??= toBaseline(task);
        return taskView;
      },
      // Only a miner that declares it reads the domain gets here (`declaredHistory`), and then it is kept.
      get domain() {
        domainView ??= toBaseline(domain as BaselineStats);
        return domainView;
      },
    };
  }
}

/** `undefined` when the key cannot be taken: the episode is then mined again. */
function keyOf(miner: PatternMinerV1, history: MiningHistory, measures: EpisodeMeasures): string | undefined {
  try {
    return canonicalJson(miner.historyKey?.(declaredHistory(miner, history), measures));
  } catch {
    return undefined;
  }
}

/**
 * Finds which of the episodes of one domain mined after the first forgotten one must be mined
 * again, and with which miners: every reader of history without a `historyKey`, and those whose
 * key differs between the history the episode was mined with (forgotten episodes counted) and
 * the one a remine would now give it. Walks from the last episode back, taking each out of the
 * final baselines in turn, so each step costs one change per baseline. `later` and `forgotten`
 * are in mining order; `baselines` hold the final state (forgotten removed). `later` holds every
 * mined episode of the domain after the first forgotten one, or, when no reader reads the
 * domain's baseline, those of the forgotten episodes' task types.
 */
export async function historyChanges<Episode extends MeasuredEpisode>(
  baselines: BaselineRows,
  domain: string,
  readers: readonly PatternMinerV1[],
  later: readonly Episode[],
  forgotten: readonly MeasuredEpisode[],
): Promise<Replay<Episode>[]> {
  const readsDomain = readers.some((miner) => (miner.history ?? 'domain') === 'domain');
  const now = new Baselines(readsDomain);
  const then = new Baselines(readsDomain);
  const types = [...(readsDomain ? [wholeDomain] : []), ...later.map((episode) => episode.taskType)];
  for (const type of new Set([...types, ...forgotten.map((episode) => episode.taskType)])) {
    const stats = await baselines.get(domain, type);
    now.set(type, stats);
    then.set(type, stats);
  }
  for (const episode of forgotten) then.count(episode, 1);

  const replays: Replay<Episode>[] = [];
  let gone = forgotten.length - 1;
  for (let index = later.length - 1; index >= 0; index -= 1) {
    const episode = later[index] as Episode;
    for (; gone >= 0 && (forgotten[gone] as MeasuredEpisode).seq > episode.seq; gone -= 1) {
      then.count(forgotten[gone] as MeasuredEpisode, -1);
    }
    now.count(episode, -1);
    then.count(episode, -1);
    const history = now.historyFor(episode.taskType);
    const before = then.historyFor(episode.taskType);
    const miners = readers.filter((miner) => {
      if (miner.historyKey === undefined) return true;
      const key = keyOf(miner, history, episode.measures);
      return key === undefined || key !== keyOf(miner, before, episode.measures);
    });
    if (miners.length > 0) replays.push({ episode, miners, history: now.historyFor(episode.taskType, true) });
  }
  return replays.reverse();
}
