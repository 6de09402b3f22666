/**
 * How many calls each token may have running at once; the rest wait their turn, in order.
 *
 * Why: the store's work runs on one thread and one read worker, first come first served. Without
 * a bound per token, every call a busy agent has sent is in those queues at once, and another
 * agent's retrieve waits behind them: 458–522 ms (median) while one token's 500 retrieves ran on a
 * 6,000-episode store, against 136 ms at 4 per token. With at most `perToken` of each token's
 * calls running, a call of another token waits behind at most that many of the busy token's,
 * whatever the busy token sent.
 */
export interface CallAdmission {
  /** Resolves once `token` may start one more call; the function it gives ends that call. */
  admit(token: string): Promise<() => void>;
  /** Calls admitted and not yet ended, over every token. */
  readonly running: number;
  /** Calls waiting for their turn, over every token. */
  readonly waiting: number;
}

/**
 * The share of a token when `maxCallsPerToken` is not set. Where the server's work is its own
 * CPU's (a local database file, an in-process embedder), more calls of one token at once only
 * queue behind each other and in front of everyone else: 4. Where calls mostly wait for the
 * network (a remote database, the `openai` provider, or a plugin provider, which may call one),
 * a bound that low would make them wait for each other's round trips instead: 64 retrieves of
 * one token with a provider answering in 300 ms took 4.95 s at 4 and 0.72 s at 64.
 */
export function defaultCallsPerToken(setting: { databaseUrl: string; embeddings: unknown }): number {
  const localDatabase = setting.databaseUrl.startsWith('file:') || setting.databaseUrl === ':memory:';
  const localEmbedder =
    typeof setting.embeddings === 'string' && ['local', 'static', 'none'].includes(setting.embeddings);
  return localDatabase && localEmbedder ? 4 : 64;
}

interface TokenLine {
  running: number;
  queue: Array<() => void>;
}

export function createCallAdmission(perToken: number): CallAdmission {
  if (!Number.isInteger(perToken) || perToken < 1)
    throw new RangeError(`perToken must be a positive integer, got ${perToken}`);
  // Only tokens with calls running or waiting have a line, so the map stays as small as the load.
  const lines = new Map<string, TokenLine>();
  let running = 0;
  let waiting = 0;

  const endOf = (token: string, line: TokenLine) => {
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const next = line.queue.shift();
      if (next !== undefined) {
        // The slot passes straight to the next waiting call: no one can take it in between.
        waiting -= 1;
        next();
        return;
      }
      line.running -= 1;
      running -= 1;
      if (line.running === 0) lines.delete(token);
    };
  };

  return {
    admit(token) {
      let line = lines.get(token);
      if (line === undefined) {
        line = { running: 0, queue: [] };
        lines.set(token, line);
      }
      const end = endOf(token, line);
      if (line.running < perToken) {
        line.running += 1;
        running += 1;
        return Promise.resolve(end);
      }
      const queue = line.queue;
      waiting += 1;
      return new Promise((resolve) => queue.push(() => resolve(end)));
    },
    get running() {
      return running;
    },
    get waiting() {
      return waiting;
    },
  };
}
