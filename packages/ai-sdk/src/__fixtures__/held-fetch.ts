export interface HeldFetch {
  /** Pass it as the SDK client's `fetch`. */
  fetch: typeof globalThis.fetch;
  /** Sends the held requests on, and resolves once their answers came back. */
  release(): Promise<void>;
  /** How many requests were held so far. */
  held(): number;
}

/**
 * A `fetch` to a real server that holds every request calling `procedure` until `release()`, and
 * only then sends it: a store that does the work, and answers, long after it was asked (a write
 * lock held by a long transaction, a congested link).
 */
export function heldFetch(procedure: string): HeldFetch {
  let opened: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (opened = resolve));
  const answers: Promise<unknown>[] = [];
  return {
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      if (!url.pathname.endsWith(`/trpc/${procedure}`)) return globalThis.fetch(input, init);
      const answer = gate.then(() => globalThis.fetch(input, init));
      answers.push(answer.catch(() => undefined));
      return answer;
    },
    held: () => answers.length,
    release: async () => {
      opened();
      await Promise.all(answers);
    },
  };
}
