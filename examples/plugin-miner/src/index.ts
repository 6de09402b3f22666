export type { RetryBackoffData, RetryBackoffOptions } from './retry-backoff-miner.js';
export {
  createRetryBackoffMiner,
  retryBackoffDataSchema,
  retryBackoffOptionsSchema,
} from './retry-backoff-miner.js';
export type { TransientError } from './transient-error.js';
export { transientError, transientErrors } from './transient-error.js';
