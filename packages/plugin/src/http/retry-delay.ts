/**
 * How long the server asked us to wait, in ms, from `retry-after-ms` (OpenAI's) or
 * `Retry-After` (seconds or an HTTP date); null when it did not say.
 */
export function serverRetryDelayMs(headers: Headers, now = Date.now()): number | null {
  const milliseconds = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const retryAfter = headers.get('retry-after');
  if (retryAfter === null) return null;
  const seconds = Number(retryAfter);
  if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * Exponential backoff with "equal jitter": half the doubled delay for sure, the other half at
 * random, so clients that failed together do not retry together. The server's own delay wins
 * when it gave one; both are capped.
 */
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  serverMs: number | null,
  random = Math.random,
): number {
  if (serverMs !== null) return Math.min(serverMs, capMs);
  const exponential = Math.min(capMs, baseMs * 2 ** attempt);
  return exponential / 2 + random() * (exponential / 2);
}
