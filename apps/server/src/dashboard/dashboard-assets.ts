import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Every file the dashboard is made of, with its content type. Only these are served: a request
 * path is looked up here, never joined to a folder, so no path can reach another file.
 */
export const dashboardFiles = {
  'index.html': 'text/html; charset=utf-8',
  'styles.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
  'app.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'session.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'views/overview.js': 'text/javascript; charset=utf-8',
  'views/episodes.js': 'text/javascript; charset=utf-8',
  'views/episode.js': 'text/javascript; charset=utf-8',
  'views/episode-steps.js': 'text/javascript; charset=utf-8',
  'views/search.js': 'text/javascript; charset=utf-8',
  'views/patterns.js': 'text/javascript; charset=utf-8',
} as const satisfies Record<string, string>;

export type DashboardFile = keyof typeof dashboardFiles;

export interface DashboardAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/**
 * The package's `ui/` folder: two levels up from this module both in `src/dashboard/` (tests)
 * and in `dist/dashboard/` (the installed package, whose `files` include `ui`).
 */
export const dashboardFolder = new URL('../../ui/', import.meta.url);

/** Reads every file once, at start: a few tens of kB, and a missing file fails the start, not a request. */
export function loadDashboardAssets(folder: URL = dashboardFolder): Map<string, DashboardAsset> {
  const assets = new Map<string, DashboardAsset>();
  for (const [name, contentType] of Object.entries(dashboardFiles)) {
    const body = readFileSync(new URL(name, folder));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { body, contentType, etag });
  }
  return assets;
}
