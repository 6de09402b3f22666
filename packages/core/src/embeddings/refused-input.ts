import { EpisodicError } from '../errors.js';

/**
 * Whether an embedding failure is the provider refusing these inputs (an HTTP 4xx other than the
 * credentials or a rate limit, a 5xx that says the input is too large, or a malformed answer to
 * them: the plugins' `BAD_REQUEST` and
 * `BAD_RESPONSE`), not an outage. Sent again they fail again, however long the wait: a batch
 * holding such an episode is split until it stands alone (a server that refuses inputs longer
 * than its context, llama.cpp's and text-embeddings-inference's, in words no cut recognises).
 */
export function refusedInput(error: unknown): boolean {
  if (!EpisodicError.isInstance(error) || error.code !== 'EMBEDDING') return false;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return code === 'BAD_REQUEST' || code === 'BAD_RESPONSE';
}
