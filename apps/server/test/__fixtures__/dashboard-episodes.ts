import type { Memory } from '@episodic/core';

/** Text that would make elements and run script if the page ever parsed stored text as HTML. */
export const hostileContext = '<img src=x onerror="window.__pwned = 1; alert(1)">';
export const hostileAction = '<script>window.__pwned = 2</script>';

type StepInput = { action: string; result?: string; success?: boolean; durationMs?: number };

async function record(memory: Memory, domain: string, taskType: string, context: string, steps: StepInput[]) {
  const episode = await memory.episodes.start({ domain, taskType, context });
  await memory.episodes.logSteps(episode.id, steps);
  await memory.episodes.complete(episode.id, { status: 'completed' });
  return episode.id;
}

/**
 * What the dashboard tests look at: three debugging episodes in `shop` sharing a tool sequence
 * (so the miners find patterns), one in `docs` with hostile text, and 26 unfinished ones in
 * `scratch`, enough for a second page of the list (25 a page). Learning is flushed.
 */
export async function recordDashboardEpisodes(memory: Memory) {
  const checkoutId = await record(
    memory,
    'shop',
    'debugging',
    'Checkout total is undefined in cart.test.ts',
    [
      {
        action: 'run_tests cart.test.ts',
        result: 'TypeError: total is undefined',
        success: false,
        durationMs: 1200,
      },
      {
        action: 'edit_file cart.ts',
        result: 'await loadItems() before computing total',
        success: true,
        durationMs: 300,
      },
      { action: 'run_tests cart.test.ts', result: '42 passed', success: true, durationMs: 900 },
    ],
  );
  for (const context of ['Login form rejects valid email', 'Search page shows stale prices']) {
    await record(memory, 'shop', 'debugging', context, [
      { action: 'run_tests', result: 'AssertionError', success: false },
      { action: 'edit_file', success: true },
      { action: 'run_tests', result: 'passed', success: true },
    ]);
  }
  const hostileId = await record(memory, 'docs', 'documentation', hostileContext, [
    { action: hostileAction, result: '<b>bold?</b>', success: true },
  ]);
  for (let i = 0; i < 26; i += 1)
    await memory.episodes.start({ domain: 'scratch', taskType: 'analysis', context: `draft ${i}` });
  await memory.learning.flush({ timeoutMs: 60_000 });
  return { checkoutId, hostileId };
}
