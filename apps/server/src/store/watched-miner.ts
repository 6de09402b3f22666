import type { MineInput, PatternMinerV1 } from '@episodic/plugin';
import type { MinerCall } from './learning-thread-protocol.js';

/** What the learning thread does around each `mine()` call of a miner it runs. */
export interface MinerWatch {
  /** Calls that once ran past the learning thread's stall limit: refused at once from then on. */
  skip: readonly MinerCall[];
  /** Told before each call, before any of the miner's own code runs. */
  started(call: MinerCall): void;
  /** Told when the call's result settles (an abandoned one may settle after later calls started). */
  settled(call: MinerCall): void;
}

/**
 * `miner`, its `mine()` reported before it runs: a call that computes without a pause holds its
 * thread, so nothing can say afterwards what it was doing; said beforehand, the serving thread
 * knows which miner and episode to name when it stops the thread, and the thread started again
 * refuses that call (core counts a refusal as that miner failing on that episode, as it counts
 * a throw) instead of looping on it again. The other fields are read through to the miner itself,
 * so a class instance keeps its prototype.
 */
export function watchedMiner(miner: PatternMinerV1, watch: MinerWatch): PatternMinerV1 {
  const watched = Object.create(miner) as PatternMinerV1;
  Object.defineProperty(watched, 'mine', {
    enumerable: true,
    value(input: MineInput) {
      const call: MinerCall = { miner: miner.patternType, episodeId: input.episode.id };
      if (watch.skip.some((stuck) => stuck.miner === call.miner && stuck.episodeId === call.episodeId))
        throw new Error(
          'skipped on this episode: its mine() ran past the learning thread stall limit on it before, and that thread was stopped',
        );
      watch.started(call);
      let result: ReturnType<PatternMinerV1['mine']>;
      try {
        result = miner.mine(input);
      } catch (error) {
        watch.settled(call);
        throw error;
      }
      const settled = () => watch.settled(call);
      void Promise.resolve(result).then(settled, settled);
      return result;
    },
  });
  return watched;
}
