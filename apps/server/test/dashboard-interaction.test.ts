import type { Memory } from '@episodic/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchChromium, signedInTab } from './__fixtures__/chromium.js';
import { type ClientTestServer, startTestServer } from './__fixtures__/test-server.js';

// The dashboard under slow or failing calls, with the keyboard, and across tokens: answers that
// come late, a server that does not answer, focus after a page turn, a token refused mid-session.

async function record(memory: Memory, domain: string, context: string, steps = 1): Promise<string> {
  const { id } = await memory.episodes.start({ domain, taskType: 'debugging', context });
  await memory.episodes.logSteps(
    id,
    Array.from({ length: steps }, (_, i) => ({ action: `step ${i + 1}`, result: 'ok', success: true })),
  );
  await memory.episodes.complete(id, { status: 'completed' });
  return id;
}

// The page's nodes as the scripts below read them (this package has no DOM types).
type PageNode = {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  ownerDocument: {
    documentElement: PageNode;
    defaultView: { getComputedStyle(node: PageNode): { color: string; backgroundColor: string } };
  };
};

/** WCAG's contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(one: string, other: string): number {
  const luminance = (color: string) => {
    const [r, g, b] = (color.match(/\d+/g) ?? []).slice(0, 3).map((value) => {
      const channel = Number(value) / 255;
      return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(one), luminance(other)].sort((a, b) => b - a) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const browserPath = findChromium();
const inCi = process.env.CI === 'true';
const skip = browserPath.skipped !== null && !inCi;
const skipped = skip ? ` (skipped: ${browserPath.skipped})` : '';

describe.skipIf(skip)(`dashboard interaction in Chromium${skipped}`, () => {
  // Pages of 10: two pages of the 12 "many" episodes, three of a 25-step episode.
  let t: ClientTestServer;
  const pageSize = 10;
  let browser: Browser;
  let alpha: string[];
  let beta: string[];
  let longId: string;
  let blankId: string;
  let shopToken: string;

  beforeAll(async () => {
    t = await startTestServer({ limits: { maxPageSize: pageSize } });
    const memory = t.server.memory;
    alpha = [await record(memory, 'alpha', 'Alpha failure in the checkout')];
    beta = [await record(memory, 'beta', 'Beta outage of the search index')];
    for (let i = 0; i < 12; i += 1) await record(memory, 'many', `Many ${i}`);
    longId = await record(memory, 'long', 'Twenty-five steps', 25);
    await record(memory, 'shop', 'Shop episode');
    blankId = await record(memory, 'blank', '\u200b\u2060');
    shopToken = await t.token({ name: 'shop-reader', scopes: ['read'], domains: ['shop'] });
    await memory.learning.flush({ timeoutMs: 60_000 });
    browser = await launchChromium(browserPath);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A fresh tab, signed in with `token`, failing the test on any script error or CSP violation. */
  const signedIn = (token = t.adminToken) =>
    // Chromium logs each refused or aborted call; the page says them itself.
    signedInTab(browser, { url: t.url, token, refusals: /status of 40\d|ERR_CONNECTION_REFUSED/ });

  async function signIn(page: Page, token: string) {
    await page.fill('#token', token);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#nav:not([hidden])').waitFor();
  }

  /** Fills the filters of the view shown and submits them. */
  async function submit(page: Page, fields: Record<string, string>) {
    for (const [name, value] of Object.entries(fields)) await page.fill(`input[name=${name}]`, value);
    await page.click('.filters button[type=submit]');
  }

  /** Opens `view` (its link loads it afresh) and submits its filters. */
  async function filter(page: Page, view: string, fields: Record<string, string>) {
    await page.click(`a[data-view=${view}]`);
    // The view shown before has inputs of the same names.
    await page.locator(`.view[data-view=${view}] form`).waitFor();
    await submit(page, fields);
  }

  const idsShown = (page: Page, selector: string, attribute: string) =>
    page
      .locator(selector)
      .evaluateAll((all, name) => all.map((element) => element.getAttribute(name)), attribute);

  /** What has the keyboard focus within `scope` (the page's body when nothing has it): its tag and text. */
  const focused = (page: Page, scope = '') =>
    page
      .locator(`${scope} :focus`)
      .evaluateAll((all: PageNode[]) =>
        all.map((element) => `${element.tagName.toLowerCase()} ${element.textContent?.trim()}`),
      );

  /**
   * Holds the first call to `procedure` until the returned `release` runs, as a slow network or
   * a busy server would; resolves once that call's answer is in the page.
   */
  async function holdFirst(page: Page, procedure: string) {
    const pattern = new RegExp(`/trpc/${procedure.replace('.', '\\.')}`);
    let open!: () => void;
    const held = new Promise<void>((resolve) => (open = resolve));
    let first = true;
    await page.route(pattern, async (route) => {
      const hold = first;
      first = false;
      if (hold) await held;
      await route.continue();
    });
    return async () => {
      const answered = page.waitForEvent('requestfinished', (request) => pattern.test(request.url()));
      open();
      await answered;
      // Time for the page to handle the late answer, were it to show it.
      await page.waitForTimeout(1_000);
      await page.unroute(pattern);
    };
  }

  it('links an episode whose context shows nothing by its id, and the link opens it', async () => {
    const { page, context, problems } = await signedIn();
    // Its context of zero-width characters made a link 0 px wide: no click could reach it.
    await filter(page, 'episodes', { domain: 'blank' });
    const link = page.locator(`tr[data-episode-id="${blankId}"] a`);
    await link.waitFor();
    expect(await link.textContent()).toBe(blankId);
    await link.click();
    await expect.poll(() => page.title()).toBe(`Episode: ${blankId} — Episodic`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows only the answer to the latest of two searches or filters submitted in a row', async () => {
    const { page, context, problems } = await signedIn();
    await page.click('a[data-view=search]');
    let release = await holdFirst(page, 'search.retrieve');
    await filter(page, 'search', { text: 'alpha failure', domain: 'alpha' });
    await submit(page, { text: 'beta outage', domain: 'beta' });
    const hits = () => idsShown(page, 'li.hit', 'data-episode-id');
    await expect.poll(hits, { timeout: 30_000 }).toEqual(beta);
    await release();
    expect(await hits()).toEqual(beta);
    expect(await page.inputValue('input[name=text]')).toBe('beta outage');

    await page.click('a[data-view=episodes]');
    await page.locator('tr[data-episode-id]').first().waitFor();
    release = await holdFirst(page, 'episodes.list');
    await filter(page, 'episodes', { domain: 'alpha' });
    await submit(page, { domain: 'beta' });
    const rows = () => idsShown(page, 'tr[data-episode-id]', 'data-episode-id');
    await expect.poll(rows, { timeout: 30_000 }).toEqual(beta);
    await release();
    expect(await rows()).toEqual(beta);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps the keyboard focus on the pager and on "Load more steps", and says what loaded', async () => {
    const { page, context, problems } = await signedIn();
    expect(await page.locator('#view').getAttribute('aria-live')).toBeNull();
    await filter(page, 'episodes', { domain: 'many' });
    await page.locator('.pager span', { hasText: 'page 1' }).waitFor();
    await expect.poll(() => page.title()).toBe('Episodes — Episodic');
    await page.focus('.pager button:has-text("Next →")');
    await page.keyboard.press('Enter');
    await page.locator('.pager span', { hasText: 'page 2' }).waitFor();
    // The last page: "Next →" is disabled, so the focus is on "← Previous", in the new pager.
    await expect.poll(() => focused(page, '.pager')).toEqual(['button ← Previous']);
    expect(await page.locator('[role=status]').textContent()).toBe('Episodes, page 2: 2 shown.');
    await page.keyboard.press('Enter');
    await page.locator('.pager span', { hasText: 'page 1' }).waitFor();
    await expect.poll(() => focused(page, '.pager')).toEqual(['button Next →']);

    await page.goto(`${t.url}/ui/#/episodes/${longId}`);
    const more = page.locator('[data-part=more-steps] button');
    await more.waitFor();
    await expect.poll(() => page.title()).toBe('Episode: Twenty-five steps — Episodic');
    await more.focus();
    await page.keyboard.press('Enter');
    await page.locator('tr[data-step="20"]').waitFor();
    await expect.poll(() => focused(page)).toEqual(['button Load more steps']);
    await page.keyboard.press('Enter');
    await page.locator('tr[data-step="25"]').waitFor();
    // The button went with the last page: the focus is on the first step that page brought.
    const step = (rows: PageNode[]) => rows.map((row) => row.getAttribute('data-step'));
    await expect.poll(() => page.locator('tr:focus').evaluateAll(step)).toEqual(['21']);
    expect(await page.locator('[role=status]').textContent()).toBe('All 25 steps shown.');

    // "completed" and "yes" in green, readable on the page and on a table (WCAG AA: 4.5:1).
    const colors = await page
      .locator('tr.step-ok td:nth-child(4)')
      .first()
      .evaluate((cell: PageNode) => {
        const { documentElement, defaultView } = cell.ownerDocument;
        return {
          text: defaultView.getComputedStyle(cell).color,
          page: defaultView.getComputedStyle(documentElement).backgroundColor,
        };
      });
    expect(contrast(colors.text, colors.page)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(colors.text, 'rgb(255, 255, 255)')).toBeGreaterThanOrEqual(4.5);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('offers "Try again" where a call failed: a page of the list, an overview part, the first session.whoami', async () => {
    const { page, context, problems } = await signedIn();
    await filter(page, 'episodes', { domain: 'many' });
    await page.locator('.pager span', { hasText: 'page 1' }).waitFor();
    const list = /\/trpc\/episodes\.list/;
    await page.route(list, (route) => route.abort('connectionrefused'));
    await page.click('text=Next →');
    await expect
      .poll(() => page.locator('.results .error').textContent(), { timeout: 30_000 })
      .toBe('The server did not answer. Is it running?');
    await page.unroute(list);
    await page.click('.results button:has-text("Try again")');
    await page.locator('.pager span', { hasText: 'page 2' }).waitFor();
    expect(await page.locator('tr[data-episode-id]').count()).toBe(2);
    // The link to the view shown loads it again, though its address does not change.
    await page.route(list, (route) => route.abort('connectionrefused'));
    await page.click('a[data-view=episodes]');
    await page.locator('.results .error').waitFor();
    await page.unroute(list);
    await page.click('a[data-view=episodes]');
    await page.locator('.pager span', { hasText: 'page 2' }).waitFor();

    // Each overview part says which failed, under its own title.
    const stats = /\/trpc\/admin\.stats/;
    await page.route(stats, (route) => route.abort('connectionrefused'));
    await page.click('a[data-view=overview]');
    const part = page.locator('[data-part=stats]');
    await part.locator('.error').waitFor();
    expect(await part.locator('h3').textContent()).toBe('Store (admin.stats)');
    expect(await page.locator('[data-part=learning] table').count()).toBe(1);
    await page.unroute(stats);
    await part.locator('button', { hasText: 'Try again' }).click();
    await page.locator('[data-part=stats] .facts').waitFor();

    // The first `session.whoami` of a page load fails (the server restarting): no navigation
    // that does nothing, a way to ask again.
    const whoami = /\/trpc\/session\.whoami/;
    await page.route(whoami, (route) => route.abort('connectionrefused'));
    await page.reload();
    await page.locator('#view .error').waitFor();
    expect(await page.locator('#nav').isHidden()).toBe(true);
    await page.unroute(whoami);
    await page.click('#view button:has-text("Try again")');
    await page.locator('[data-part=health]').waitFor();
    await page.click('a[data-view=episodes]');
    await page.locator('tr[data-episode-id]').first().waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('asks session.whoami again when the server refuses the page size it said at load (restarted with a lower one)', async () => {
    const { page, context, problems } = await signedIn();
    const whoami = /\/trpc\/session\.whoami/;
    // What a server restarted since with `maxPageSize` 10 had said.
    await page.route(whoami, async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      json.result.data.limits.maxPageSize = 500;
      await route.fulfill({ response, json });
    });
    await page.reload();
    await expect.poll(() => page.locator('[data-part=token]').textContent()).toContain('largest page500');
    await page.unroute(whoami);
    await page.click('a[data-view=episodes]');
    await page.locator('.results .pager').waitFor();
    expect(await page.locator('.results .error').count()).toBe(0);
    expect(await page.locator('tr[data-episode-id]').count()).toBe(pageSize);
    await page.click('a[data-view=overview]');
    await expect
      .poll(() => page.locator('[data-part=token]').textContent())
      .toContain(`largest page${pageSize}`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('starts the next token at the overview after the server refused the previous one, not on its page', async () => {
    const { token, bearer } = await t.server.memory.tokens.create({
      name: 'revoked-soon',
      scopes: ['read'],
    });
    const { page, context } = await signedIn(bearer);
    await page.goto(`${t.url}/ui/#/episodes/${alpha[0]}`);
    await page.locator('.episode-context').waitFor();
    await t.server.memory.tokens.revoke(token.id);
    // Trusted for at most a second after revocation, then refused.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await page.click('text=← Episodes');
    await page.locator('#sign-in:not([hidden])').waitFor();
    expect(page.url()).toBe(`${t.url}/ui/`);
    await signIn(page, shopToken);
    await page.locator('.view[data-view=overview] [data-part=token]').waitFor();
    expect(page.url()).toBe(`${t.url}/ui/`);
    await context.close();
  });

  it('sends a browser at the address the server prints to the dashboard, and answers a wrong dashboard path with a link to it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/`);
    expect(page.url()).toBe(`${t.url}/ui/`);
    await page.locator('#sign-in').waitFor();
    for (const path of ['/ui/episodes', '/ui/views/nothing.js']) {
      const response = await page.goto(`${t.url}${path}`);
      expect(response?.status()).toBe(404);
      expect(await page.locator('h1').textContent()).toBe('Not found');
      await page.click('text=Open the dashboard');
      await page.locator('#sign-in').waitFor();
      expect(page.url()).toBe(`${t.url}/ui/`);
    }
    await context.close();
  });

  it('says so when a search is only spaces, instead of leaving the previous hits under a blank box', async () => {
    const { page, context, problems } = await signedIn();
    await filter(page, 'search', { text: 'alpha failure', domain: 'alpha' });
    await page.locator('li.hit').first().waitFor();
    await submit(page, { text: '   ' });
    await expect
      .poll(() => page.locator('.results').textContent())
      .toBe('Type what the task is about to search past episodes.');
    expect(await page.locator('li.hit').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
