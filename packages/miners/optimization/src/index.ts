export type { OptimizationData, OptimizationOptions } from './optimization-miner.js';
export {
  createOptimizationMiner,
  optimizationDataSchema,
  optimizationOptionsSchema,
} from './optimization-miner.js';
