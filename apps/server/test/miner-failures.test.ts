import type { PatternMinerV1 } from '@episodic/plugin';
import { describe, expect, it } from 'vitest';
import { findChromium, launchChromium, signedInTab } from './__fixtures__/chromium.js';
import { startTestServer } from './__fixtures__/test-server.js';

const browserPath = findChromium();
// In CI the browser part must run: there a missing Chromium fails it instead of skipping it.
const withBrowser = browserPath.skipped === null || process.env.CI === 'true';

/** A miner that fails on every episode: before, only the server's log said so. */
const unlucky: PatternMinerV1 = {
  specificationVersion: 'v1',
  patternType: 'unlucky',
  dataSchema: { '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) } },
  mine: () => {
    throw new Error('no luck with this one');
  },
};

describe("a miner's failures", () => {
  it('are counted by miner in learning.status, /metrics and the dashboard, the newest named', async () => {
    // A plugin object passed here has no recipe for a thread: it learns on the serving thread.
    // The start-up check runs it once on a sample episode, where it must not fail: only on real ones.
    let calls = 0;
    const miner = {
      ...unlucky,
      mine: (input: Parameters<PatternMinerV1['mine']>[0]) =>
        calls++ === 0 && input.episode.domain === 'contract-check' ? [] : unlucky.mine(input),
    };
    await using t = await startTestServer({ miners: ['tool_sequence', miner], embeddings: 'none' });
    const admin = t.client(t.adminToken);
    const ids: string[] = [];
    for (const context of ['Cart total wrong', 'Checkout fails']) {
      const { id } = await admin.episodes.start.mutate({ taskType: 'debugging', domain: 'shop', context });
      await admin.episodes.logSteps.mutate({
        episodeId: id,
        steps: [{ action: 'npm test' }, { action: 'edit' }],
      });
      await admin.episodes.complete.mutate({ episodeId: id, status: 'completed' });
      ids.push(id);
    }
    const status = await admin.learning.flush.mutate({ timeoutMs: 60_000 });
    // The queue sees nothing wrong: each episode was learned, with the other miner's patterns.
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    expect(status.learners.mining?.partFailures).toEqual({
      unlucky: {
        count: 2,
        last: { episodeId: ids[1], error: 'no luck with this one', at: expect.any(String) },
      },
    });
    const metrics = await (
      await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.adminToken}` } })
    ).text();
    expect(metrics).toContain('episodic_learning_part_failures_total{learner="mining",part="unlucky"} 2');

    if (!withBrowser) return console.warn(`Dashboard part skipped: ${browserPath.skipped}`);
    // The dashboard's overview says it too, the episode linked.
    const browser = await launchChromium(browserPath);
    try {
      const { page, problems } = await signedInTab(browser, {
        url: t.url,
        token: t.adminToken,
        refusals: /^$/,
      });
      const failure = page.locator('[data-part=part-failures] li');
      await failure.waitFor();
      expect(await failure.textContent()).toMatch(
        new RegExp(`^mining unlucky: 2 failures, the last .* on ${ids[1]}: no luck with this one$`),
      );
      await failure.locator('a').click();
      await page.locator('.episode-context').waitFor();
      expect(page.url()).toBe(`${t.url}/ui/#/episodes/${ids[1]}`);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
