/**
 * `factory`, its plugins' `method` held to `callTimeoutMs`: a call that has not settled by then
 * fails its check, saying so, and every later check of the suite fails at once, naming the check
 * it hung in. Without it a plugin whose `embed()` never settles cost each of the suite's checks its
 * whole timeout, half an hour in all, and each said only "Test timed out". A call that returns
 * synchronously is passed through: a loop that never yields cannot be stopped from its own thread.
 */
export function settleGuarded<Plugin extends object>(
  factory: () => Plugin | Promise<Plugin>,
  method: string,
  callTimeoutMs: number,
): () => Promise<Plugin> {
  let hung: string | null = null;
  const setting = `the suite's callTimeoutMs, ${callTimeoutMs} ms`;
  return async () => {
    if (hung !== null)
      throw new Error(`${method}() did not settle in an earlier check (${hung}): fix that first.`);
    const plugin = await factory();
    const original = (plugin as Record<string, unknown>)[method];
    // The shape checks report a missing method.
    if (typeof original !== 'function') return plugin;
    const guarded = Object.create(plugin) as Plugin;
    Object.defineProperty(guarded, method, {
      enumerable: true,
      value(...args: unknown[]) {
        const result: unknown = original.apply(plugin, args);
        if (typeof (result as PromiseLike<unknown> | null)?.then !== 'function') return result;
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            hung ??= `a call given ${describeArgs(args)}`;
            reject(new Error(`${method}() did not settle within ${callTimeoutMs} ms (${setting}).`));
          }, callTimeoutMs);
          (result as PromiseLike<unknown>).then(
            (value) => {
              clearTimeout(timer);
              resolve(value);
            },
            (error: unknown) => {
              clearTimeout(timer);
              reject(error);
            },
          );
        });
      },
    });
    return guarded;
  };
}

/** What a call was given, briefly: `3 texts`, `an episode of 12 steps`. */
function describeArgs(args: unknown[]): string {
  const [first] = args;
  if (Array.isArray(first)) return `${first.length} texts`;
  const steps = (first as { episode?: { steps?: unknown[] } } | undefined)?.episode?.steps;
  return Array.isArray(steps) ? `an episode of ${steps.length} steps` : 'its input';
}
