export type { ErrorResolutionData, ErrorResolutionOptions } from './error-resolution-miner.js';
export {
  createErrorResolutionMiner,
  errorResolutionDataSchema,
  errorResolutionOptionsSchema,
} from './error-resolution-miner.js';
export { errorSignature } from './error-signature.js';
