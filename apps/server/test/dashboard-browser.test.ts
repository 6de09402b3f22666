import { join } from 'node:path';
import { createClient } from '@libsql/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchChromium, watchProblems } from './__fixtures__/chromium.js';
import { hostileAction, hostileContext, recordDashboardEpisodes } from './__fixtures__/dashboard-episodes.js';
import { type ClientTestServer, startTestServer } from './__fixtures__/test-server.js';

const idOf = (bearer: string) => /^ep_([0-9a-f-]{36})_/.exec(bearer)?.[1] as string;

type ListPage = { items: { id: string }[]; nextCursor: string | null };

/** The ids of every page of a list, as the store pages it `limit` at a time. */
async function idsByPage(
  list: (input: { limit: number; cursor?: string }) => Promise<ListPage>,
  limit: number,
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit, cursor });
    pages.push(page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return pages;
}

const browserPath = findChromium();
// In CI the browser tests must run: there a missing Chromium fails them instead of skipping.
const inCi = process.env.CI === 'true';
const skip = browserPath.skipped !== null && !inCi;
if (skip) console.warn(`Dashboard browser tests skipped: ${browserPath.skipped}`);

describe.skipIf(skip)(`dashboard in Chromium${skip ? ` (skipped: ${browserPath.skipped})` : ''}`, () => {
  let t: ClientTestServer;
  // Pages smaller than the dashboard's 25 (and search's 10): the dashboard must keep to them.
  // Step pages hold little text too: a page of large results ends before `smallPage` steps.
  let small: ClientTestServer;
  const smallPage = 7;
  const smallPageChars = 1000;
  let browser: Browser;
  let checkoutId: string;
  let xssId: string;
  let shopToken: string;

  beforeAll(async () => {
    t = await startTestServer();
    ({ checkoutId, hostileId: xssId } = await recordDashboardEpisodes(t.server.memory));
    small = await startTestServer({
      limits: { maxPageSize: smallPage, maxStepCharsPerPage: smallPageChars },
    });
    await recordDashboardEpisodes(small.server.memory);
    shopToken = await t.token({ name: 'shop-reader', scopes: ['read'], domains: ['shop'] });
    browser = await launchChromium(browserPath);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await small?.close();
  });

  /** A fresh tab (its own sessionStorage), failing the test on any script error or CSP violation. */
  async function open(server: ClientTestServer = t): Promise<{
    page: Page;
    context: BrowserContext;
    problems: string[];
    urls: string[];
    headers: Record<string, string>;
  }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page, /status of 40[134]/);
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    const response = await page.goto(`${server.url}/ui`);
    const headers = (await response?.allHeaders()) ?? {};
    return { page, context, problems, urls, headers };
  }

  async function signIn(page: Page, token: string) {
    await page.fill('#token', token);
    await page.click('#sign-in-form button[type=submit]');
  }

  /** Waits until the view's results are in, and fails on a refusal shown in their place. */
  async function resultsShown(page: Page) {
    await page.locator('.results .pager, .results .hits, .results .error').first().waitFor();
    expect(await page.locator('.results .error').allTextContents()).toEqual([]);
  }

  /** Clicks through every page of the list shown, and returns the ids on each. */
  async function shownPages(page: Page, idAttribute: string): Promise<string[][]> {
    const pages: string[][] = [];
    const next = page.locator('.pager button', { hasText: 'Next →' });
    for (let number = 1; ; number += 1) {
      await page.locator('.pager span', { hasText: new RegExp(`^page ${number}$`) }).waitFor();
      pages.push(
        await page
          .locator(`tr[${idAttribute}]`)
          .evaluateAll((rows, name) => rows.map((row) => row.getAttribute(name) ?? ''), idAttribute),
      );
      if (await next.isDisabled()) return pages;
      await next.click();
    }
  }

  it('signs in with a token kept in sessionStorage only, and shows the overview figures', async () => {
    const { page, context, problems, urls, headers } = await open();
    expect(page.url()).toBe(`${t.url}/ui/`);
    expect(headers['content-security-policy']).toMatch(/^default-src 'self';.*frame-ancestors 'none'/);
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    await signIn(page, t.adminToken);
    const stats = page.locator('[data-part=stats]');
    await stats.waitFor();
    const schemaVersion = await t.server.memory.admin.schemaVersion();
    expect(await stats.textContent()).toContain(schemaVersion);
    expect(await page.locator('[data-part=health]').textContent()).toContain('ok');
    const learning = await page.locator('[data-part=learning]').textContent();
    expect(learning).toMatch(/pending0/);
    expect(learning).toContain('mining');
    expect(await page.locator('[data-part=token]').textContent()).toMatch(
      /namefirst adminscopesread, write, admindomainsalllargest page500/,
    );

    expect(await page.evaluate("sessionStorage.getItem('episodic.token')")).toBe(t.adminToken);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(urls.filter((url) => url.includes(t.adminToken))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lists episodes with filters and cursor paging, and opens one with every step', async () => {
    const { page, context, problems } = await open();
    await signIn(page, t.adminToken);
    await page.click('a[data-view=episodes]');
    const rows = page.locator('tr[data-episode-id]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(25);
    await page.click('text=Next →');
    await page.locator('.pager span', { hasText: 'page 2' }).waitFor();
    expect(await rows.count()).toBe(30 - 25);

    await page.fill('input[name=domain]', 'shop');
    await page.selectOption('select[name=status]', 'completed');
    await page.click('.filters button[type=submit]');
    await page.locator('.pager span', { hasText: 'page 1' }).waitFor();
    await expect.poll(() => rows.count()).toBe(3);

    await page.click(`tr[data-episode-id="${checkoutId}"] a`);
    const steps = page.locator('tr[data-step]');
    await steps.first().waitFor();
    expect(await page.locator('.episode-context').textContent()).toBe(
      'Checkout total is undefined in cart.test.ts',
    );
    expect(await steps.count()).toBe(3);
    const first = (await steps.nth(0).locator('td').allTextContents()).slice(0, 5);
    expect(first).toEqual(['1', 'run_tests cart.test.ts', 'TypeError: total is undefined', 'no', '1.2 s']);
    expect(await steps.nth(0).locator('td.time').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(await page.locator('.facts').textContent()).toContain('completed');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('searches with search.retrieve: the right episode first, with the why of each signal, and patterns', async () => {
    const expected = await t.server.memory.search.retrieve({
      text: 'checkout total undefined',
      domain: 'shop',
    });
    expect(expected.patterns.length).toBeGreaterThan(0);
    const { page, context, problems } = await open();
    await signIn(page, t.adminToken);
    await page.click('a[data-view=search]');
    await page.fill('input[name=text]', 'checkout total undefined');
    await page.fill('input[name=domain]', 'shop');
    await page.click('.filters button[type=submit]');
    const hits = page.locator('li.hit');
    await hits.first().waitFor();
    expect(await hits.first().getAttribute('data-episode-id')).toBe(checkoutId);
    const signals = await hits
      .first()
      .locator('tr[data-signal]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-signal')));
    expect(signals).toEqual(expect.arrayContaining(['text', 'recency', 'outcome']));
    expect(await hits.first().locator('tr[data-signal=text]').textContent()).toMatch(/rank 1, BM25/);
    expect(await hits.first().locator('.score').textContent()).toMatch(/^score \d+\.\d{3}$/);
    const order = await hits.evaluateAll((all) => all.map((hit) => hit.getAttribute('data-episode-id')));
    expect(order).toEqual(expected.episodes.map(({ episode }) => episode.id));
    const patterns = await page
      .locator('tr[data-pattern-id]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-pattern-id')));
    expect(patterns).toEqual(expected.patterns.map(({ pattern }) => pattern.id));
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lists the mined patterns with support and success rate, filtered by type', async () => {
    const mined = await t.server.memory.patterns.list({ domain: 'shop' });
    expect(mined.items.length).toBeGreaterThan(0);
    const { page, context, problems } = await open();
    await signIn(page, t.adminToken);
    await page.click('a[data-view=patterns]');
    const rows = page.locator('tr[data-pattern-id]');
    await rows.first().waitFor();
    const shown = await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-pattern-id')));
    expect(shown).toEqual(expect.arrayContaining(mined.items.map((pattern) => pattern.id)));
    const example = mined.items[0]!;
    const cells = await page.locator(`tr[data-pattern-id="${example.id}"] td`).allTextContents();
    expect(cells[0]).toContain(example.summary ?? example.patternType);
    expect(cells[4]).toBe(String(example.support));

    await page.fill('input[name=type]', example.patternType);
    await page.click('.filters button[type=submit]');
    await expect
      .poll(() => rows.evaluateAll((all) => all.map((row) => row.children[1]?.textContent)))
      .toEqual(expect.arrayContaining([example.patternType]));
    expect(new Set(await rows.evaluateAll((all) => all.map((row) => row.children[1]?.textContent)))).toEqual(
      new Set([example.patternType]),
    );
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses a wrong token with a clear message, and sends a revoked one back to sign-in', async () => {
    const { page, context } = await open();
    await signIn(page, 'ep_0000_wrong');
    const error = page.locator('#sign-in-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^Sign-in refused: Invalid or revoked token\./);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);

    const { token, bearer } = await t.server.memory.tokens.create({ name: 'short-lived', scopes: ['read'] });
    await signIn(page, bearer);
    await page.locator('#nav').waitFor();
    await t.server.memory.tokens.revoke(token.id);
    // Trusted for at most a second after revocation, then refused.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await page.click('a[data-view=patterns]');
    await page.locator('#sign-in').waitFor();
    expect(await error.textContent()).toMatch(/refused the token: Invalid or revoked token\./);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await context.close();
  });

  it('shows a domain-scoped token only its domains, and says which figures are admin-only', async () => {
    const { page, context, problems } = await open();
    await signIn(page, shopToken);
    await page.locator('[data-part=admin-only]').waitFor();
    expect(await page.locator('[data-part=admin-only]').textContent()).toMatch(
      /\(admin\.stats\).*\(learning\.status\) need an admin token/,
    );
    expect(await page.locator('[data-part=token]').textContent()).toMatch(/scopesreaddomainsshop/);
    expect(await page.locator('[data-part=stats], [data-part=learning], .view .error').count()).toBe(0);
    await page.click('a[data-view=episodes]');
    await page.locator('tr[data-episode-id]').first().waitFor();
    const domains = await page.locator('tr[data-episode-id] td:nth-child(3)').allTextContents();
    expect(new Set(domains)).toEqual(new Set(['shop']));

    await page.fill('input[name=domain]', 'docs');
    await page.click('.filters button[type=submit]');
    await expect.poll(() => page.locator('.results .error').textContent()).toMatch(/docs/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("starts the next token's session after sign-out with none of the previous one's filters or search", async () => {
    const { page, context, problems } = await open();
    await signIn(page, t.adminToken);
    await page.click('a[data-view=episodes]');
    await page.fill('input[name=domain]', 'docs');
    await page.click('.filters button[type=submit]');
    await page.locator(`tr[data-episode-id="${xssId}"]`).waitFor();
    await page.click('a[data-view=search]');
    await page.fill('input[name=text]', 'secret incident in docs');
    await page.click('.filters button[type=submit]');
    await page.locator('.results h3').first().waitFor();
    await page.goto(`${t.url}/ui/#/episodes/${xssId}`);
    await page.locator('.episode-context').waitFor();

    await page.click('#sign-out');
    await signIn(page, shopToken);
    await page.locator('#nav').waitFor();
    // At the overview, not on the docs episode the previous token was reading.
    await page.locator('.view[data-view=overview]').waitFor();
    expect(page.url()).toBe(`${t.url}/ui/`);
    await page.click('a[data-view=episodes]');
    await page.locator('.results table, .results .error').first().waitFor();
    expect(await page.locator('.results .error').allTextContents()).toEqual([]);
    expect(await page.inputValue('input[name=domain]')).toBe('');
    const domains = await page.locator('tr[data-episode-id] td:nth-child(3)').allTextContents();
    expect(new Set(domains)).toEqual(new Set(['shop']));
    await page.click('a[data-view=search]');
    expect(await page.inputValue('input[name=text]')).toBe('');
    expect(await page.locator('.results').textContent()).toBe('');
    expect(problems).toEqual([]);
    await context.close();
  });

  it("answers a link whose id was cut mid-escape with the server's refusal, not a blank page", async () => {
    const { page, context, problems } = await open();
    await signIn(page, t.adminToken);
    await page.locator('[data-part=stats]').waitFor();
    await page.goto(`${t.url}/ui/#/episodes/${checkoutId.slice(0, 8)}%E2%80`);
    const refusal = page.locator('.view .error');
    // Whichever comes first: the refusal shown, or the page failing on the link.
    await expect
      .poll(async () => (await refusal.count()) + problems.length, { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(problems.filter((problem) => !/status of 400/.test(problem))).toEqual([]);
    await expect.poll(() => refusal.textContent(), { timeout: 30_000 }).toMatch(/episodeId: must be a UUID/);
    await context.close();
  });

  it('shows hostile text from the store as text: no element made, no script run', async () => {
    const { page, context, problems } = await open();
    await signIn(page, t.adminToken);
    // Signed in once the page has reloaded: a navigation before that is cut short by the reload.
    await page.locator('#nav').waitFor();
    await page.goto(`${t.url}/ui/#/episodes/${xssId}`);
    const shown = page.locator('.episode-context');
    await shown.waitFor();
    expect(await shown.textContent()).toBe(hostileContext);
    expect(await page.locator('tr[data-step] code').textContent()).toBe(hostileAction);
    expect(await page.locator('.view img, .view script, .view b').count()).toBe(0);
    await page.click('a[data-view=episodes]');
    await page.fill('input[name=domain]', 'docs');
    await page.click('.filters button[type=submit]');
    await page.locator(`tr[data-episode-id="${xssId}"]`).waitFor();
    expect(await page.locator(`tr[data-episode-id="${xssId}"] a`).textContent()).toBe(hostileContext);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows a learner's newest failure with its episode linked, the error as text, and which learners run", async () => {
    await t.server.memory.learning.flush();
    // A row that ran out of attempts, as a provider outage leaves it (its message is stored text).
    const error = 'Embedding provider remote failed: quota <b>exceeded</b>';
    const raw = createClient({ url: `file:${join(t.dir, 'memory.db')}` });
    const failedAt = new Date().toISOString();
    await raw.execute({
      sql: `INSERT INTO learning_queue (episode_id, learner, enqueued_at, available_at, attempts, last_error, failed_at)
            VALUES (?, 'embeddings', ?, ?, 8, ?, ?)`,
      args: [checkoutId, failedAt, failedAt, error, failedAt],
    });
    // Queued for a learner some process once ran and none runs now (a miner taken out of the config).
    await raw.execute({
      sql: `INSERT INTO learning_queue (episode_id, learner, enqueued_at, available_at) VALUES (?, 'retired-miner', ?, ?)`,
      args: [checkoutId, failedAt, failedAt],
    });
    try {
      const { page, context, problems } = await open();
      await signIn(page, t.adminToken);
      const failure = page.locator('[data-part=learning] .failure');
      await failure.waitFor();
      expect(await failure.textContent()).toContain(`${checkoutId}: ${error}`);
      expect(await page.locator('[data-part=learning] b').count()).toBe(0);
      // The page's own cells (this package has no DOM types: the shape it reads is declared here).
      type Cell = { textContent: string | null };
      const rows = await page
        .locator('[data-part=learning] tbody tr')
        .evaluateAll((trs: { children: ArrayLike<Cell> }[]) =>
          trs.map((tr) => Array.from(tr.children, (td) => td.textContent).slice(0, 3)),
        );
      // The server runs the embedder; nobody runs the retired miner, whose row waits.
      expect(rows).toContainEqual(['embeddings', 'here', '0']);
      expect(rows).toContainEqual(['retired-miner', 'no', '1']);
      await failure.locator('a').click();
      await page.locator('.episode-context').waitFor();
      expect(page.url()).toBe(`${t.url}/ui/#/episodes/${checkoutId}`);
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      await raw.execute({ sql: 'DELETE FROM learning_queue WHERE episode_id = ?', args: [checkoutId] });
      raw.close();
    }
  });

  it("pages by the server's limits.maxPageSize when it is below the dashboard's page: episodes, patterns, search", async () => {
    const memory = small.server.memory;
    const episodes = await idsByPage((input) => memory.episodes.list(input), smallPage);
    const patterns = await idsByPage((input) => memory.patterns.list(input), smallPage);
    expect(episodes.length, 'more episodes than a page').toBeGreaterThan(1);
    expect(patterns.length, 'more patterns than a page').toBeGreaterThan(1);

    const { page, context, problems } = await open(small);
    await signIn(page, small.adminToken);
    await page.locator('#nav').waitFor();
    await page.click('a[data-view=episodes]');
    await resultsShown(page);
    expect(await shownPages(page, 'data-episode-id')).toEqual(episodes);
    await page.click('a[data-view=patterns]');
    await resultsShown(page);
    expect(await shownPages(page, 'data-pattern-id')).toEqual(patterns);

    await page.click('a[data-view=search]');
    await page.fill('input[name=text]', 'draft');
    await page.fill('input[name=domain]', 'scratch');
    await page.click('.filters button[type=submit]');
    await resultsShown(page);
    expect(await page.locator('li.hit').count()).toBe(smallPage);
    await page.click('a[data-view=overview]');
    expect(await page.locator('[data-part=token]').textContent()).toContain(`largest page${smallPage}`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows a long episode's step count and loads the rest of its steps a page at a time, in order", async () => {
    const memory = small.server.memory;
    // Steps 8 to 13 carry results of ~45 % of a page's text: two a page. The rest fill a page by count.
    const bulky = (number: number) => number >= 8 && number <= 13;
    const { id } = await memory.episodes.start({
      domain: 'long',
      taskType: 'analysis',
      context: 'Twenty steps',
    });
    await memory.episodes.logSteps(
      id,
      Array.from({ length: 20 }, (_, i) => ({
        // One hostile action on a later page: rows appended are text too.
        action: i + 1 === 15 ? hostileAction : `step ${i + 1}`,
        result: bulky(i + 1) ? `result ${i + 1} `.padEnd(smallPageChars * 0.45, '.') : 'ok',
        success: true,
      })),
    );
    await memory.episodes.complete(id, { status: 'completed' });
    await memory.learning.flush({ timeoutMs: 60_000 });

    // The store's pages of actions: `get`'s first, then `steps` from its cursor.
    const episode = await memory.episodes.get(id);
    expect(episode?.stepCount).toBe(20);
    const stored = [episode?.steps.map((step) => step.action) ?? []];
    for (let cursor = episode?.nextStepsCursor ?? null; cursor !== null; ) {
      const next = await memory.episodes.steps(id, { cursor });
      stored.push(next?.items.map((step) => step.action) ?? []);
      cursor = next?.nextCursor ?? null;
    }
    // Cut by the page size (1–7; 12–18, whose first two are bulky) and by the text (8–9, 10–11).
    expect(stored.map((actions) => actions.length)).toEqual([smallPage, 2, 2, smallPage, 2]);

    const { page, context, problems } = await open(small);
    await signIn(page, small.adminToken);
    await page.locator('#nav').waitFor();
    await page.goto(`${small.url}/ui/#/episodes/${id}`);
    const rows = page.locator('tr[data-step]');
    await rows.first().waitFor();
    const heading = page.locator('.view h3', { hasText: /^Steps/ });
    expect(await heading.textContent()).toBe('Steps (20)');
    const actions = () => page.locator('tr[data-step] td:nth-child(2)').allTextContents();
    expect(await actions()).toEqual(stored[0]);

    const more = page.locator('[data-part=more-steps]');
    // A page refused (the episode deleted meanwhile, say): said beside the button, which stays.
    const stepsCall = /\/trpc\/episodes\.steps(\?|$)/;
    const refusal = `Episode ${id} does not exist.`;
    await page.route(stepsCall, (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { message: refusal, code: -32004, data: { code: 'NOT_FOUND', httpStatus: 404 } },
        }),
      }),
    );
    await more.locator('button').click();
    await expect.poll(() => more.locator('.error').textContent(), { timeout: 10_000 }).toBe(refusal);
    expect(await more.locator('button').isEnabled()).toBe(true);
    expect(await actions()).toEqual(stored[0]);
    await page.unroute(stepsCall);
    // No metadata is shown as nothing, not as the text "null".
    expect(await page.locator('.view').textContent()).not.toContain('null');

    const shownCounts: number[] = [];
    for (;;) {
      const shown = await rows.count();
      shownCounts.push(shown);
      if ((await more.count()) === 0) break;
      expect(await more.locator('span').first().textContent()).toBe(`Showing ${shown} of 20 steps`);
      await more.locator('button', { hasText: 'Load more steps' }).click();
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(shown);
      expect(await page.locator('.view .error').allTextContents()).toEqual([]);
    }
    // A page a click, as the store pages them, until the button is gone with the last.
    expect(shownCounts).toEqual(stored.map((_, i) => stored.slice(0, i + 1).flat().length));
    expect(await actions()).toEqual(stored.flat());
    expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-step')))).toEqual(
      Array.from({ length: 20 }, (_, i) => String(i + 1)),
    );
    expect(await heading.textContent()).toBe('Steps (20)');
    expect(await page.locator('.view script, .view img, .view b').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(problems).toEqual([]);
    await context.close();
  });

  it("opens a long episode at the step a search's why names, past its first page, and back at step 1", async () => {
    const memory = small.server.memory;
    const { id } = await memory.episodes.start({
      domain: 'deep',
      taskType: 'debugging',
      context: 'Eighteen steps',
    });
    await memory.episodes.logSteps(
      id,
      Array.from({ length: 18 }, (_, i) => ({
        action: `step ${i + 1}`,
        result: i + 1 === 16 ? 'quasar flux overflow in the reactor' : 'ok',
        success: i + 1 !== 16,
      })),
    );
    await memory.episodes.complete(id, { status: 'failed' });
    await memory.learning.flush({ timeoutMs: 60_000 });
    const expected = await memory.search.retrieve({ text: 'quasar flux overflow', domain: 'deep' });
    expect(expected.episodes[0]?.why.text).toMatchObject({ matchedIn: 'step', stepNumber: 16 });

    const { page, context, problems } = await open(small);
    await signIn(page, small.adminToken);
    await page.click('a[data-view=search]');
    await page.fill('input[name=text]', 'quasar flux overflow');
    await page.fill('input[name=domain]', 'deep');
    await page.click('.filters button[type=submit]');
    const link = page.locator('li.hit tr[data-signal=text] a', { hasText: 'step 16' });
    await link.waitFor();
    await link.click();
    await page.locator('tr[data-step]').first().waitFor();
    expect(new URL(page.url()).hash).toBe(`#/episodes/${id}/steps/16`);
    const numbers = () =>
      page.locator('tr[data-step]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-step')));
    // The store's page from step 16 (its first page holds steps 1–7): 16 to 18, the named one marked.
    expect(await numbers()).toEqual(['16', '17', '18']);
    expect(await page.locator('tr[aria-current=true]').getAttribute('data-step')).toBe('16');
    expect(await page.locator('tr.named td:nth-child(3)').textContent()).toBe(
      'quasar flux overflow in the reactor',
    );
    expect(await page.locator('.view h3', { hasText: /^Steps/ }).textContent()).toBe('Steps (18)');
    expect(await page.locator('[data-part=from-step]').textContent()).toBe('From step 16. Show from step 1');
    expect(await page.locator('[data-part=more-steps]').count()).toBe(0);

    // A named step on a later page of several: pages on from it.
    await page.goto(`${small.url}/ui/#/episodes/${id}/steps/9`);
    await expect
      .poll(() => numbers(), { timeout: 10_000 })
      .toEqual(['9', '10', '11', '12', '13', '14', '15']);
    const more = page.locator('[data-part=more-steps]');
    expect(await more.locator('span').first().textContent()).toBe('Showing steps 9–15 of 18');
    await more.locator('button').click();
    await expect.poll(() => numbers(), { timeout: 10_000 }).toHaveLength(10);
    expect(await more.count()).toBe(0);

    await page.click('[data-part=from-step] a');
    await expect.poll(() => numbers(), { timeout: 10_000 }).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(await page.locator('[data-part=from-step]').count()).toBe(0);
    // A step the episode does not have is said, above its steps from the first.
    await page.goto(`${small.url}/ui/#/episodes/${id}/steps/40`);
    await expect
      .poll(() => page.locator('[data-part=from-step]').textContent(), { timeout: 10_000 })
      .toBe('No step 40: the episode has 18 steps.');
    expect(await numbers()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    // A step on the first page is marked there.
    await page.goto(`${small.url}/ui/#/episodes/${id}/steps/3`);
    await expect
      .poll(() => page.locator('tr[aria-current=true]').getAttribute('data-step'), { timeout: 10_000 })
      .toBe('3');
    expect(await numbers()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows a long action or result by its start, all of it on demand, and a named step's whole", async () => {
    const memory = t.server.memory;
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const longAction = `curl ${'a'.repeat(1500)} END-OF-ACTION`;
    // 1,201 UTF-16 units: the 1,000th is the first half of an emoji, which the preview must not split.
    const emojiResult = `x${'😀'.repeat(600)}TAIL`;
    const { id } = await memory.episodes.start({
      domain: 'outputs',
      taskType: 'analysis',
      context: 'Long outputs',
    });
    await memory.episodes.logSteps(id, [
      { action: 'pytest -x', result: lines.join('\n'), success: false },
      { action: longAction, result: emojiResult, success: true },
      { action: 'echo ok', result: 'ok', success: true },
    ]);
    await memory.episodes.complete(id, { status: 'completed' });

    const { page, context, problems } = await open();
    await signIn(page, t.adminToken);
    await page.locator('#nav').waitFor();
    await page.goto(`${t.url}/ui/#/episodes/${id}`);
    const cell = (step: number, column: 'action' | 'result') =>
      page.locator(`tr[data-step="${step}"] td.${column}`);
    await cell(1, 'result').waitFor();

    // Twenty lines of thirty, then the button; the rest is put in only when asked for.
    const result = cell(1, 'result');
    const button = result.locator('button.show-all');
    expect(await result.locator('pre').textContent()).toBe(`${lines.slice(0, 20).join('\n')}…`);
    expect(await button.textContent()).toBe(`Show all ${lines.join('\n').length} characters`);
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    await button.click();
    expect(await result.locator('pre').textContent()).toBe(lines.join('\n'));
    expect(await button.textContent()).toBe('Show less');
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    await button.click();
    expect(await result.locator('pre').textContent()).toBe(`${lines.slice(0, 20).join('\n')}…`);

    // A long action by its first 1,000 characters; an emoji is never cut in half, and counts as one.
    expect(await cell(2, 'action').locator('code').textContent()).toBe(`${longAction.slice(0, 1000)}…`);
    const emojiPreview = (await cell(2, 'result').locator('pre').textContent()) ?? '';
    expect(emojiPreview).toBe(`x${'😀'.repeat(499)}…`);
    expect(await cell(2, 'result').locator('button').textContent()).toBe('Show all 605 characters');
    // Short text has no button.
    expect(await page.locator('tr[data-step="3"] button').count()).toBe(0);

    // A step a link names is shown whole: the match a search's why points at may be past the start.
    await page.goto(`${t.url}/ui/#/episodes/${id}/steps/2`);
    await page.locator('tr.named').waitFor();
    expect(await page.locator('tr.named td.action').textContent()).toBe(longAction);
    expect(await page.locator('tr.named td.result').textContent()).toBe(emojiResult);
    expect(await page.locator('tr.named button').count()).toBe(0);
    expect(await cell(1, 'result').locator('button').count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('leaves no denied entry in the audit log for a token without admin, or without read', async () => {
    const reader = await t.token({ name: 'shop-visitor', scopes: ['read', 'write'], domains: ['shop'] });
    const writer = await t.token({ name: 'exporter', scopes: ['write'], domains: ['traces'] });
    const { page, context, problems } = await open();
    await signIn(page, reader);
    // Shown once every call the overview makes is answered.
    await page.locator('[data-part=health]').waitFor();
    const readerOverview = await page.locator('.view').textContent();
    for (const view of ['episodes', 'patterns']) {
      await page.click(`a[data-view=${view}]`);
      await resultsShown(page);
    }
    await page.click('a[data-view=search]');
    await page.fill('input[name=text]', 'checkout total');
    await page.click('.filters button[type=submit]');
    await resultsShown(page);

    await page.click('#sign-out');
    await signIn(page, writer);
    await page.locator('[data-part=health]').waitFor();
    const writerOverview = await page.locator('.view').textContent();
    await page.click('a[data-view=episodes]');
    const episodesView = await page.locator('.view .error').textContent();
    expect(problems).toEqual([]);
    await context.close();

    const audit = t.client(t.adminToken).admin.audit;
    expect(await audit.query({ actor: idOf(reader), operation: 'search' })).not.toEqual([]);
    for (const bearer of [reader, writer])
      expect(await audit.query({ actor: idOf(bearer), outcome: 'denied' })).toEqual([]);
    // What the page says instead of calling what the token may not.
    expect(readerOverview).toMatch(/scopesread, writedomainsshop.*need an admin token/);
    expect(writerOverview).toMatch(/scopeswritedomainstraces.*need an admin token/);
    expect(episodesView).toBe('This view needs the "read" scope; this token has "write".');
  });
});
