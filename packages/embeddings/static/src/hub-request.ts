import type { IdleWatch } from './idle-watch.js';
import { StaticEmbeddingsError } from './static-embeddings-error.js';

/** Codes of a pooled socket the server closed while idle: the request failed before any answer. */
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** A GET to the hub (or the CDN it redirects to) under `watch`, tried once more after a reset. */
export async function request(
  url: string,
  init: RequestInit,
  fetcher: typeof fetch,
  endpoint: string,
  watch: IdleWatch,
): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetcher(url, { ...init, signal: watch.signal });
    } catch (error) {
      if (watch.signal.aborted) throw watch.failure(error);
      const code = (error as { cause?: { code?: string } }).cause?.code;
      // Every request here is a GET, so one fresh attempt after a reset is safe; a busy machine (or a
      // proxy) closing idle keep-alive sockets would otherwise fail a pull that the next try completes.
      if (attempt === 1 && code !== undefined && resetCodes.has(code)) continue;
      throw new StaticEmbeddingsError(
        'OFFLINE',
        `Cannot reach the model hub at ${endpoint} (${code ?? (error as Error).message}). Without a network, copy tokenizer.json, model.safetensors and config.json into a folder by other means and give its path instead of a name.`,
        { cause: error },
      );
    }
  }
}
