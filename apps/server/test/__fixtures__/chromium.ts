import { existsSync } from 'node:fs';

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
