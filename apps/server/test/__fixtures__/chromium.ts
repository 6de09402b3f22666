import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser; `EPISODIC_TEST_CHROMIUM` names another. */
const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export type ChromiumLookup =
  | { executablePath: string; skipped: null }
  | { executablePath: null; skipped: string };

/**
 * The Chromium executable the browser tests drive. Playwright's own browser download is not
 * used: it fetches a build from outside the package registries, which CI cannot reach.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const named = env.EPISODIC_TEST_CHROMIUM;
  if (named !== undefined && named !== '') {
    return existsSync(named)
      ? { executablePath: named, skipped: null }
      : { executablePath: null, skipped: `EPISODIC_TEST_CHROMIUM=${named} does not exist` };
  }
  const found = candidates.find((path) => existsSync(path));
  return found === undefined
    ? {
        executablePath: null,
        skipped: `no Chromium at ${candidates.join(' or ')} (apt-get install chromium, or set EPISODIC_TEST_CHROMIUM)`,
      }
    : { executablePath: found, skipped: null };
}

/** Launch flags: Chromium refuses to start as root with its sandbox (CI runs as root). */
export function chromiumArgs(): string[] {
  const root = process.getuid?.() === 0;
  return root ? ['--no-sandbox', '--disable-dev-shm-usage'] : ['--disable-dev-shm-usage'];
}

/** Launches the Chromium `findChromium` found; CI must have one (`.ci/run` installs it). */
export async function launchChromium(found: ChromiumLookup): Promise<Browser> {
  if (found.executablePath === null)
    throw new Error(`CI=true and the dashboard's browser test cannot run: ${found.skipped}`);
  return chromium.launch({ executablePath: found.executablePath, args: chromiumArgs(), timeout: 60_000 });
}

/**
 * What must fail a test on `page`, as it happens: script errors, dialogs (a script run from
 * stored text), console errors other than Chromium's own lines for calls the page was refused
 * (`refusals`), which the page shows itself.
 */
export function watchProblems(page: Page, refusals: RegExp): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !refusals.test(message.text())) problems.push(message.text());
  });
  return problems;
}

/** A fresh tab (its own sessionStorage) on the dashboard at `url`, signed in with `token`. */
export async function signedInTab(
  browser: Browser,
  options: { url: string; token: string; refusals: RegExp; viewport?: { width: number; height: number } },
): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext(
    options.viewport === undefined ? {} : { viewport: options.viewport },
  );
  const page = await context.newPage();
  const problems = watchProblems(page, options.refusals);
  await page.goto(`${options.url}/ui/`);
  await page.fill('#token', options.token);
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#nav:not([hidden])').waitFor();
  return { page, context, problems };
}
