import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DashboardAsset, loadDashboardAssets } from './dashboard-assets.js';

export const dashboardPrefix = '/ui';

/**
 * Same-origin everything, no inline script or style (the page sets none; text from the store can
 * then never run), no plugins, no `<base>`, no form submission (a sign-in form posted without its
 * script would put the token in a URL), and no framing (clickjacking).
 */
export const dashboardCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = {
  'content-security-policy': dashboardCsp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** A browser asking for a page: its `Accept` names `text/html`, where an API client's does not. */
export function wantsHtml(req: IncomingMessage): boolean {
  return /\btext\/html\b/i.test(req.headers.accept ?? '');
}

/**
 * `GET /` from a browser (the address `serve` prints) goes to the dashboard; relative, as `/ui`'s,
 * so it resolves behind a proxy's path prefix too. Temporary: the same URL answers an API client
 * with JSON.
 */
export function redirectToDashboard(res: ServerResponse): void {
  res.writeHead(302, { location: `${dashboardPrefix.slice(1)}/`, 'content-length': 0 });
  res.end();
}

/**
 * A short page for a browser that asked for a dashboard file there is not (`/ui/episodes`, a
 * natural guess), linking to the dashboard. The link is relative to the path asked for (`./`
 * from `/ui/episodes`, `../` from `/ui/views/x`); nothing of the path is written in the page.
 */
function notFoundPage(path: string): string {
  const depth = path.slice(dashboardPrefix.length + 1).split('/').length - 1;
  const home = depth === 0 ? './' : '../'.repeat(depth);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Not found — Episodic</title></head>',
    '<body>',
    '<h1>Not found</h1>',
    `<p>The dashboard has no page at this address. <a href="${home}">Open the dashboard</a>.</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** True for `/ui` and anything under `/ui/`: the `/metrics` route label `ui`. */
export function isDashboardPath(path: string): boolean {
  return path === dashboardPrefix || path.startsWith(`${dashboardPrefix}/`);
}

/**
 * Serves the dashboard's fixed files under `/ui/` (GET and HEAD; the caller refuses other
 * methods). `/ui` redirects to `/ui/` so the page's relative URLs (`app.js`, `../trpc/`) resolve
 * the same behind a proxy that mounts the server under a prefix.
 */
export function createDashboardEndpoint(assets: Map<string, DashboardAsset> = loadDashboardAssets()) {
  return (req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (path === dashboardPrefix) {
      res.writeHead(301, { ...securityHeaders, location: 'ui/', 'content-length': 0 });
      res.end();
      return;
    }
    const name = path.slice(dashboardPrefix.length + 1) || 'index.html';
    const asset = assets.get(name);
    if (asset === undefined) {
      const html = wantsHtml(req);
      const text = html ? notFoundPage(path) : JSON.stringify({ error: 'not found' });
      res.writeHead(404, {
        ...securityHeaders,
        'content-type': html ? 'text/html; charset=utf-8' : 'application/json',
        vary: 'accept',
        'content-length': Buffer.byteLength(text),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    // Unversioned file names: a browser revalidates each time and gets 304 while nothing changed.
    const headers = { ...securityHeaders, 'cache-control': 'no-cache', etag: asset.etag };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': asset.contentType,
      'content-length': asset.body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };
}
