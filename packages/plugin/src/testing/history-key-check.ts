import assert from 'node:assert/strict';
import { canonicalJson } from '../canonical-json.js';
import { declaredHistory } from '../declared-history.js';
import { type EpisodeMeasures, measureEpisode } from '../episode-measures.js';
import type { MiningHistory, PatternMinerV1 } from '../pattern-miner.js';
import { createMineInputs } from './episode-fixtures.js';
import { mine } from './miner-candidates.js';
import type { PatternMinerCheck } from './pattern-miner-checks.js';

function keyOf(miner: PatternMinerV1, history: MiningHistory, measures: EpisodeMeasures): string {
  return canonicalJson((miner.historyKey as NonNullable<PatternMinerV1['historyKey']>)(history, measures));
}

/**
 * The engine skips mining an episode again when its history key did not change, so a key that
 * leaves out something `mine` reads would keep stale patterns after a forget. Each sample episode
 * is mined again with every other history (the samples' own, and those of the samples in reverse
 * order) that has the same key: the candidates must be the same.
 */
export const historyKeyCheck: PatternMinerCheck = {
  name: 'gives the same candidates for any two histories with the same historyKey',
  async run(factory, options) {
    const miner = await factory();
    if (miner.historyKey === undefined) return;
    const inputs = createMineInputs(options.episodes);
    const pool = [...inputs, ...createMineInputs([...options.episodes].reverse())].map((input) =>
      declaredHistory(miner, input.history),
    );
    for (const input of inputs) {
      const history = declaredHistory(miner, input.history);
      const measures = measureEpisode(input.episode);
      const key = keyOf(miner, history, measures);
      const expected = await mine(miner, { ...input, history });
      for (const other of pool) {
        if (keyOf(miner, other, measures) !== key) continue;
        assert.deepEqual(
          await mine(miner, { ...input, history: other }),
          expected,
          `episode ${input.episode.id} gives other candidates with another history of the same key ${key}`,
        );
      }
    }
  },
};
