import type { MiningHistory, PatternMinerV1 } from './pattern-miner.js';

/** The history a miner may read, as it declared (see `PatternMinerV1.history`); the rest throws. */
export function declaredHistory(miner: PatternMinerV1, history: MiningHistory): MiningHistory {
  const use = miner.history ?? 'domain';
  if (use === 'domain') return history;
  const undeclared = (part: string): never => {
    throw new TypeError(`it read history.${part} but declares history: '${use}'`);
  };
  return {
    get taskType() {
      return use === 'taskType' ? history.taskType : undeclared('taskType');
    },
    get domain() {
      return undeclared('domain');
    },
  };
}
