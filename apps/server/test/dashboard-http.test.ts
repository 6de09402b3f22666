import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dashboardFiles, dashboardFolder } from '../src/dashboard/dashboard-assets.js';
import { routeOf } from '../src/http/request-handler.js';
import { startTestServer } from './__fixtures__/test-server.js';

/** A raw request: `fetch` would normalise `/ui/../x` before sending it. */
function rawGet(url: string, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path, method });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)));
}

describe('dashboard over HTTP', () => {
  it('serves every asset with its content type, no-cache with an ETag, and the security headers', async () => {
    await using t = await startTestServer();
    const redirect = await fetch(`${t.url}/ui`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('ui/');

    for (const [name, type] of Object.entries(dashboardFiles)) {
      const res = await fetch(`${t.url}/ui/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toBe(type);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe');
      const etag = res.headers.get('etag') as string;
      expect((await fetch(`${t.url}/ui/${name}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    }
    const index = await fetch(`${t.url}/ui/`);
    expect(await index.text()).toMatch(/<script type="module" src="app\.js"><\/script>/);
    const head = await rawGet(t.url, '/ui/app.js', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
    expect((await fetch(`${t.url}/ui/app.js`, { method: 'POST' })).status).toBe(405);
  });

  it('serves nothing outside its fixed list: traversal, encoded or not, is 404', async () => {
    await using t = await startTestServer();
    const paths = [
      '/ui/../package.json',
      // Sent as is (a normalising client would ask for /ui/app.js): proves the paths reach the server raw.
      '/ui/../ui/app.js',
      '/ui/%2e%2e/package.json',
      '/ui/..%2fpackage.json',
      '/ui/views/../../package.json',
      '/ui//etc/passwd',
      '/ui/../../../../etc/passwd',
      '/ui/__proto__',
      '/ui/app.js/',
      '/ui/App.js',
      '/uix',
    ];
    for (const path of paths) {
      const res = await rawGet(t.url, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toMatch(/"name"|root:/);
    }
  });

  it('keeps the /metrics route label bounded', () => {
    expect(routeOf('/ui')).toBe('ui');
    expect(routeOf('/ui/views/search.js?x=1')).toBe('ui');
    expect(routeOf('/ui/anything/at/all')).toBe('ui');
    expect(routeOf('/uix')).toBe('other');
  });

  it('lists exactly the files of ui/, and no script writes markup from strings', () => {
    const folder = fileURLToPath(dashboardFolder);
    expect(filesUnder(folder).sort()).toEqual(Object.keys(dashboardFiles).sort());
    for (const name of Object.keys(dashboardFiles).filter((file) => file.endsWith('.js'))) {
      const source = readFileSync(join(folder, name), 'utf8');
      expect(source, name).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    }
  });
});
