export type { RetryBackoffData, RetryBackoffOptions } from './retry-backoff-miner.js';
// The server loads a plugin package named in `episodic.config.mjs` by its default export: the factory.
export {
  createRetryBackoffMiner,
  createRetryBackoffMiner as default,
  retryBackoffDataSchema,
  retryBackoffOptionsSchema,
} from './retry-backoff-miner.js';
export type { TransientError } from './transient-error.js';
export { transientError, transientErrors } from './transient-error.js';
