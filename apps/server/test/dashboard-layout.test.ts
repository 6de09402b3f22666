import type { Memory } from '@episodic/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchChromium, signedInTab } from './__fixtures__/chromium.js';
import { type ClientTestServer, startTestServer } from './__fixtures__/test-server.js';

// What the dashboard looks like with the text agents store: commands with long URLs, whole logs as
// a context, right-to-left scripts, blank contexts; on a desktop and on a phone.

type StepInput = { action: string; result?: string; success?: boolean; durationMs?: number };

async function record(
  memory: Memory,
  episode: { domain: string; taskType: string; context: string },
  steps: StepInput[],
  status: 'completed' | 'failed' = 'completed',
): Promise<string> {
  const { id } = await memory.episodes.start(episode);
  await memory.episodes.logSteps(id, steps);
  await memory.episodes.complete(id, { status });
  return id;
}

// The page's nodes as the scripts below read them (this package has no DOM types).
type Box = { top: number; right: number };
type PageNode = {
  textContent: string | null;
  children: ArrayLike<PageNode>;
  getBoundingClientRect(): Box;
  ownerDocument: {
    documentElement: { scrollWidth: number };
    defaultView: {
      innerWidth: number;
      getComputedStyle(node: PageNode): { direction: string; paddingRight: string; borderRightWidth: string };
    };
    createRange(): {
      selectNodeContents(node: PageNode): void;
      getClientRects(): ArrayLike<Box>;
      getBoundingClientRect(): Box;
    };
  };
};

/** The text of each cell of each row. */
const cellTexts = (rows: PageNode[]) =>
  rows.map((row) => Array.from(row.children, (cell) => cell.textContent ?? ''));

/** A realistic command with no space for 310 characters: a download of a build artifact. */
const artifactUrl = `https://storage.example.com/artifacts/build-2291/${'a1b2c3d4e5f6'.repeat(22)}/report.json`;
const curlAction = `curl -sSfL ${artifactUrl}`;
const longDomain = `team-${'x'.repeat(123)}`;
const longContext = 'A very long context pasted from a log. '.repeat(1600);
const arabicContext = 'فشل الاختبار: الإجمالي غير معرّف في سلة التسوق (cart.test.ts:42)';
const hebrewResult = 'תוקן: await loadItems() לפני חישוב הסכום';

const browserPath = findChromium();
const inCi = process.env.CI === 'true';
const skip = browserPath.skipped !== null && !inCi;
const skipped = skip ? ` (skipped: ${browserPath.skipped})` : '';

describe.skipIf(skip)(`dashboard layout in Chromium${skipped}`, () => {
  let t: ClientTestServer;
  let browser: Browser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestServer();
    const memory = t.server.memory;
    // Alike episodes of two task types: the miners find the same patterns in each, told apart
    // by their task type only. One failure among the "testing" ones: a success rate under 100 %.
    for (const [taskType, status] of [
      ['debugging', 'completed'],
      ['debugging', 'completed'],
      ['testing', 'completed'],
      ['testing', 'failed'],
    ] as const) {
      ids.wide = await record(
        memory,
        { domain: 'wide', taskType, context: 'Download the failing build artifact and inspect it' },
        [
          { action: curlAction, result: 'HTTP 404', success: false, durationMs: 300 },
          { action: 'edit_file ci.yml', success: true },
          { action: 'run_tests', result: 'passed', success: true, durationMs: 7_200_000 },
        ],
        status,
      );
    }
    ids.noSpace = await record(memory, { domain: 'wide', taskType: 'analysis', context: 'No space' }, [
      { action: 'x'.repeat(4000), result: 'ok', success: true },
      { action: 'run_tests', result: 'passed', success: true },
    ]);
    ids.longDomain = await record(
      memory,
      { domain: longDomain, taskType: 'analysis', context: 'Long domain' },
      [{ action: 'read_file', success: true }],
    );
    ids.longContext = await record(memory, { domain: 'logs', taskType: 'analysis', context: longContext }, [
      { action: 'read_log', success: true },
    ]);
    ids.blank = await record(memory, { domain: 'blank', taskType: 'analysis', context: '   ' }, [
      { action: 'think', success: true },
    ]);
    ids.arabic = await record(memory, { domain: 'rtl', taskType: 'debugging', context: arabicContext }, [
      { action: 'تشغيل_الاختبارات', result: 'خطأ: الإجمالي غير معرّف', success: false },
      { action: 'edit_file', result: hebrewResult, success: true },
    ]);
    ids.english = await record(
      memory,
      { domain: 'rtl', taskType: 'debugging', context: 'Cart total wrong' },
      [{ action: 'run_tests', result: 'failed', success: false }],
    );
    ids.why = await record(memory, { domain: 'why', taskType: 'debugging', context: 'Deploy fails' }, [
      { action: 'kubectl apply', result: 'ok', success: true },
      { action: 'kubectl logs', result: 'zeppelin quota exhausted on node pool', success: false },
    ]);
    await memory.learning.flush({ timeoutMs: 60_000 });
    browser = await launchChromium(browserPath);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A fresh tab at `width` × 800 px, signed in as admin, failing the test on any script error or CSP violation. */
  const signedIn = (width: number) =>
    signedInTab(browser, {
      url: t.url,
      token: t.adminToken,
      refusals: /status of 40[134]/,
      viewport: { width, height: 800 },
    });

  /** How wide the page is against the window: equal when nothing sticks out sideways. */
  const widths = (page: Page) =>
    page.locator('body').evaluate(({ ownerDocument: { documentElement, defaultView } }: PageNode) => ({
      page: documentElement.scrollWidth,
      window: defaultView.innerWidth,
    }));

  async function filter(page: Page, view: string, fields: Record<string, string>) {
    await page.click(`a[data-view=${view}]`);
    // The view shown before has inputs of the same names.
    await page.locator(`.view[data-view=${view}] form`).waitFor();
    for (const [name, value] of Object.entries(fields)) await page.fill(`input[name=${name}]`, value);
    await page.click('.filters button[type=submit]');
  }

  it('wraps an unbroken command, URL or domain inside its cell: a desktop page stays as wide as the window', async () => {
    const { page, context, problems } = await signedIn(1280);
    for (const id of [ids.wide, ids.noSpace]) {
      await page.goto(`${t.url}/ui/#/episodes/${id}`);
      await page.locator('tr[data-step="1"]').waitFor();
      // Shown whole (a long action or result is first shown by its start).
      for (const button of await page.locator('tr[data-step="1"] button.show-all').all())
        await button.click();
      const size = await widths(page);
      expect(size.page, `episode ${id}`).toBe(size.window);
      // Result, success, duration and time are on screen, beside the whole action.
      const rights = await page
        .locator('tr[data-step="1"] td')
        .evaluateAll((cells) => cells.map((cell) => cell.getBoundingClientRect().right));
      expect(Math.max(...rights)).toBeLessThanOrEqual(size.window);
    }
    expect(await page.locator('tr[data-step="1"] code').textContent()).toBe('x'.repeat(4000));

    await filter(page, 'episodes', { domain: longDomain });
    const row = page.locator(`tr[data-episode-id="${ids.longDomain}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(longDomain);
    let size = await widths(page);
    expect(size.page).toBe(size.window);
    const cells = await row
      .locator('td')
      .evaluateAll((all) => all.map((cell) => cell.getBoundingClientRect().right));
    expect(Math.max(...cells)).toBeLessThanOrEqual(size.window);

    // A tool sequence's summary names each step's tool, its action's first word, here cut short at about 200 characters.
    await filter(page, 'patterns', { domain: 'wide' });
    const summary = page.locator('tr[data-pattern-id] summary', { hasText: 'x'.repeat(150) }).first();
    await summary.waitFor();
    expect((await summary.boundingBox())?.width).toBeLessThan(1280);
    size = await widths(page);
    expect(size.page).toBe(size.window);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a phone: the header wraps, tables scroll in their own box, the episode link comes first', async () => {
    for (const width of [320, 375]) {
      const { page, context, problems } = await signedIn(width);
      await page.locator('[data-part=learning]').waitFor();
      const header = await page
        .locator('#nav a, #sign-out')
        .evaluateAll((all) => all.map((element) => element.getBoundingClientRect()));
      expect(header).toHaveLength(5);
      for (const box of header) {
        expect(box.left, `header at ${width} px`).toBeGreaterThanOrEqual(0);
        expect(box.right, `header at ${width} px`).toBeLessThanOrEqual(width);
      }
      // Each view, and what shows it is in.
      const pages: [string, () => Promise<unknown>, string][] = [
        ['overview', async () => undefined, '[data-part=learning] table'],
        ['episodes', () => page.click('a[data-view=episodes]'), 'tr[data-episode-id]'],
        ['episode', () => page.goto(`${t.url}/ui/#/episodes/${ids.wide}`), 'tr[data-step]'],
        ['patterns', () => page.click('a[data-view=patterns]'), 'tr[data-pattern-id]'],
        ['search', () => filter(page, 'search', { text: 'build artifact' }), 'li.hit'],
      ];
      const percentLines: number[] = [];
      for (const [name, go, shown] of pages) {
        await go();
        await page.locator(shown).first().waitFor();
        const size = await widths(page);
        expect(size.page, `${name} at ${width} px`).toBe(width);
        if (name === 'episodes') {
          // The link that opens the episode is on screen, not past a scroll.
          const link = await page.locator('tr[data-episode-id] td.context').first().boundingBox();
          expect(link?.x).toBeGreaterThanOrEqual(0);
          expect((link?.x ?? width) + (link?.width ?? 0)).toBeLessThanOrEqual(width);
        }
        // "100.0 %" on one line, not "100.0" over "%".
        const lines = await page.locator('td').evaluateAll((cells: PageNode[]) =>
          cells
            .filter((cell) => /^\d+\.\d\s%$/.test(cell.textContent ?? ''))
            .map((cell) => {
              const range = cell.ownerDocument.createRange();
              range.selectNodeContents(cell);
              return new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top))).size;
            }),
        );
        percentLines.push(...lines);
      }
      expect(percentLines.length).toBeGreaterThan(0);
      expect(new Set(percentLines), `rates at ${width} px`).toEqual(new Set([1]));
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('cuts a pasted log to a short link in a search hit, and names an episode with a blank context by its id', async () => {
    const { page, context, problems } = await signedIn(1280);
    await filter(page, 'search', { text: 'very long context pasted from a log', domain: 'logs' });
    const hit = page.locator(`li.hit[data-episode-id="${ids.longContext}"]`);
    await hit.waitFor();
    const link = (await hit.locator('.hit-head a').textContent()) ?? '';
    expect(Array.from(link).length).toBeLessThanOrEqual(201);
    expect(link).toMatch(/^A very long context pasted from a log\. .*…$/);
    // The whole hit fits on a screen (a 63 k-character link made it several thousand pixels tall).
    expect((await hit.boundingBox())?.height).toBeLessThan(800);

    await filter(page, 'episodes', { domain: 'blank' });
    const blank = page.locator(`tr[data-episode-id="${ids.blank}"] a`);
    await blank.waitFor();
    expect(await blank.textContent()).toBe(ids.blank);
    const box = await blank.boundingBox();
    expect(box?.width).toBeGreaterThan(0);
    expect(box?.height).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: ids.blank }).count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows each pattern's task type, filters by a minimum success rate, and says when no pattern matches", async () => {
    const memory = t.server.memory;
    const mined = (await memory.patterns.list({ domain: 'wide', limit: 100 })).items;
    // Patterns that differ only by their task type (the store keeps them per task type).
    const summaries = mined.filter((pattern) => pattern.taskType !== null).map((pattern) => pattern.summary);
    expect(new Set(summaries).size).toBeLessThan(summaries.length);
    const { page, context, problems } = await signedIn(1280);
    await filter(page, 'patterns', { domain: 'wide' });
    await expect
      .poll(() => page.locator('tr[data-pattern-id]').count(), { timeout: 30_000 })
      .toBe(mined.length);
    const cells = await page.locator('tr[data-pattern-id]').evaluateAll(cellTexts);
    expect(cells.map((row) => row[3])).toEqual(mined.map((pattern) => pattern.taskType ?? '–'));
    // Summary, type, domain, task type, support and rates: no two rows alike.
    const shown = cells.map((row) => row.slice(0, 7).join(' | '));
    expect(new Set(shown).size).toBe(shown.length);

    const surely = (await memory.patterns.list({ domain: 'wide', minSuccessRate: 1, limit: 100 })).items;
    expect(surely.length).toBeGreaterThan(0);
    expect(surely.length).toBeLessThan(mined.length);
    await page.fill('input[name=minSuccessRate]', '100');
    await page.click('.filters button[type=submit]');
    const shownIds = () =>
      page
        .locator('tr[data-pattern-id]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-pattern-id')));
    await expect.poll(shownIds, { timeout: 30_000 }).toEqual(surely.map((pattern) => pattern.id));

    await page.fill('input[name=minSuccessRate]', '');
    await page.fill('input[name=domain]', 'no-such-domain');
    await page.click('.filters button[type=submit]');
    await expect
      .poll(() => page.locator('.results p.muted').textContent(), { timeout: 30_000 })
      .toBe('No pattern matches these filters.');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lays out right-to-left text from the right, its ellipsis at its end', async () => {
    const { page, context, problems } = await signedIn(1280);
    await filter(page, 'episodes', { domain: 'rtl' });
    await page.locator(`tr[data-episode-id="${ids.arabic}"]`).waitFor();
    const direction = (selector: string) =>
      page
        .locator(selector)
        .evaluate((node: PageNode) => node.ownerDocument.defaultView.getComputedStyle(node).direction);
    expect(await direction(`tr[data-episode-id="${ids.arabic}"] td.context`)).toBe('rtl');
    expect(await direction(`tr[data-episode-id="${ids.english}"] td.context`)).toBe('ltr');

    await page.click(`tr[data-episode-id="${ids.arabic}"] a`);
    const shown = page.locator('.episode-context');
    await shown.waitFor();
    // The sentence starts at the box's right edge, where an Arabic reader looks first.
    const { text, box } = await shown.evaluate((element: PageNode) => {
      const range = element.ownerDocument.createRange();
      range.selectNodeContents(element);
      const inner = element.getBoundingClientRect();
      const style = element.ownerDocument.defaultView.getComputedStyle(element);
      const right =
        inner.right - Number.parseFloat(style.paddingRight) - Number.parseFloat(style.borderRightWidth);
      return { text: range.getBoundingClientRect().right, box: right };
    });
    expect(Math.abs(text - box)).toBeLessThan(2);
    expect(await direction('tr[data-step="1"] td:nth-child(2)')).toBe('rtl');
    expect(await direction('tr[data-step="2"] td:nth-child(2)')).toBe('ltr');
    expect(await direction('tr[data-step="2"] td:nth-child(3)')).toBe('rtl');

    // A search hit's line reads left to right with an Arabic domain first, the domain isolated.
    const { id: arabicDomain } = await t.server.memory.episodes.start({
      domain: 'متجر',
      taskType: 'debugging',
      context: 'quokka checkout fails',
    });
    await filter(page, 'search', { text: 'quokka checkout' });
    const meta = page.locator(`li.hit[data-episode-id="${arabicDomain}"] p.muted`);
    await meta.waitFor();
    expect(await direction(`li.hit[data-episode-id="${arabicDomain}"] p.muted`)).toBe('ltr');
    expect(await meta.locator('bdi').textContent()).toBe('متجر');
    expect(await meta.textContent()).toMatch(/^متجر · debugging · active · /);

    // An empty context is said, not shown as an empty box.
    const { id: empty } = await t.server.memory.episodes.start({
      domain: 'rtl',
      taskType: 'debugging',
      context: '',
    });
    await page.goto(`${t.url}/ui/#/episodes/${empty}`);
    await expect
      .poll(() => page.locator('.episode-context').textContent(), { timeout: 10_000 })
      .toBe('(empty)');
    expect(problems).toEqual([]);
    await context.close();
  });

  it("lays out each page of a long episode's steps alone, lined up as one table, and renders none out of sight", async () => {
    // Three pages at the server's 500 steps a page.
    const steps = Array.from({ length: 1100 }, (_, i) => ({
      action: `step ${i + 1}`,
      result: i % 3 === 0 ? 'a longer line of output from the tool' : 'ok',
      success: i % 7 !== 0,
    }));
    const memory = t.server.memory;
    const { id } = await memory.episodes.start({
      domain: 'long',
      taskType: 'analysis',
      context: 'Many steps',
    });
    // At most 1,000 steps a call.
    await memory.episodes.logSteps(id, steps.slice(0, 600));
    await memory.episodes.logSteps(id, steps.slice(600));
    const { page, context, problems } = await signedIn(1280);
    await page.goto(`${t.url}/ui/#/episodes/${id}`);
    const rows = page.locator('tr[data-step]');
    await rows.first().waitFor();
    const more = page.locator('[data-part=more-steps] button', { hasText: 'Load more steps' });
    while ((await more.count()) > 0) {
      const shown = await rows.count();
      await more.click();
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(shown);
    }
    expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-step')))).toEqual(
      steps.map((_, i) => String(i + 1)),
    );
    // A table per page, each named by its steps, with the same columns at the same places.
    const tables = page.locator('table.steps');
    expect(await tables.evaluateAll((all) => all.map((table) => table.getAttribute('aria-label')))).toEqual([
      'Steps 1–500',
      'Steps 501–1,000',
      'Steps 1,001–1,100',
    ]);
    // Where each column ends, by the header cells of the three tables.
    const ends = await page
      .locator('table.steps th')
      .evaluateAll((cells) => cells.map((cell) => Math.round(cell.getBoundingClientRect().right)));
    expect(ends).toHaveLength(18);
    expect(ends.slice(6, 12)).toEqual(ends.slice(0, 6));
    expect(ends.slice(12)).toEqual(ends.slice(0, 6));
    expect(await widths(page)).toEqual({ page: 1280, window: 1280 });

    // At the end, the first pages are not rendered; back at the top, the first is and the second
    // is not, while the last stays rendered: it holds the focus (its first step, where the last
    // click left it).
    const rendered = (step: number) =>
      page.evaluate(
        `document.querySelector('tr[data-step="${step}"]').checkVisibility({ contentVisibilityAuto: true })`,
      );
    // Polled: the browser decides what is on screen at its next frames.
    const renderedOf = async (numbers: number[]) => Promise.all(numbers.map(rendered));
    await page.locator('tr[data-step="1100"]').scrollIntoViewIfNeeded();
    await expect.poll(() => renderedOf([1, 501, 1100])).toEqual([false, false, true]);
    await page.evaluate('window.scrollTo(0, 0)');
    await expect.poll(() => renderedOf([1, 501, 1100])).toEqual([true, false, true]);
    expect(await page.evaluate('document.activeElement.dataset.step')).toBe('1001');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows hours for a two-hour step, no hit rate before a lookup, and "in step n" once', async () => {
    const { page, context, problems } = await signedIn(1280);
    await page.locator('[data-part=stats] tbody tr').first().waitFor();
    const keyspaces = await page.locator('[data-part=stats] tbody tr').evaluateAll(cellTexts);
    const unused = keyspaces.filter(([, , hits, misses]) => hits === '0' && misses === '0');
    expect(unused.length, 'a keyspace with no lookup yet').toBeGreaterThan(0);
    for (const [name, rate, hits, misses] of keyspaces)
      expect(rate, name).toEqual(
        hits === '0' && misses === '0' ? '–' : expect.stringMatching(/^\d+\.\d\u00a0%$/),
      );

    await page.goto(`${t.url}/ui/#/episodes/${ids.wide}`);
    await page.locator('tr[data-step="3"]').waitFor();
    expect(await page.locator('tr[data-step="3"] td:nth-child(5)').textContent()).toBe('2.0 h');
    expect(await page.locator('tr[data-step="1"] td:nth-child(5)').textContent()).toBe('300 ms');

    await filter(page, 'search', { text: 'zeppelin quota', domain: 'why' });
    const why = page.locator(`li.hit[data-episode-id="${ids.why}"] tr[data-signal=text] td:nth-child(2)`);
    await why.waitFor();
    expect(await why.textContent()).toMatch(/^rank 1, BM25 \d+(\.\d+)? in step 2$/);
    expect(problems).toEqual([]);
    await context.close();
  });
});
