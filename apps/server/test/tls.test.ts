import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerError } from '../src/errors/server-error.js';
import { createSelfSignedCertificate } from '../src/testing/self-signed-certificate.js';
import { startTestServer } from './__fixtures__/test-server.js';

const dir = mkdtempSync(join(tmpdir(), 'episodic-tls-'));
const certificate = createSelfSignedCertificate(dir);
const skipped = 'skipped' in certificate ? certificate.skipped : null;
if (skipped !== null) console.warn(`TLS tests skipped: ${skipped}`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function httpsJson(url: string, ca: Buffer, token: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(skipped !== null)('HTTPS', () => {
  it('serves the API over TLS with the given certificate and key, and no plain HTTP', async () => {
    if ('skipped' in certificate) return;
    await using t = await startTestServer({ tlsCert: certificate.certPath, tlsKey: certificate.keyPath });
    expect(t.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(certificate.certPath);
    const input = encodeURIComponent(JSON.stringify({}));
    const listed = await httpsJson(`${t.url}/trpc/episodes.list?input=${input}`, ca, t.adminToken);
    expect(listed).toEqual({ status: 200, body: { result: { data: { items: [], nextCursor: null } } } });

    // An untrusted certificate is refused by the client: the connection really is TLS.
    await expect(httpsJson(`${t.url}/healthz`, Buffer.from(''), t.adminToken)).rejects.toThrow(
      /certificate/i,
    );
    const plain = await new Promise<string>((resolve) => {
      httpGet(`${t.url.replace('https:', 'http:')}/healthz`, (res) => resolve(String(res.statusCode))).on(
        'error',
        (error) => resolve(error.message),
      );
    });
    expect(plain).not.toBe('200');
  });
});

describe('TLS settings', () => {
  it('needs both a certificate and a key, and says which file it cannot read', async () => {
    await expect(startTestServer({ tlsCert: join(dir, 'cert.pem') })).rejects.toThrow(
      /tlsKey: HTTPS needs both/,
    );
    const missing = await startTestServer({
      tlsCert: join(dir, 'absent.pem'),
      tlsKey: join(dir, 'absent-key.pem'),
    }).catch((error: unknown) => error);
    expect(ServerError.isInstance(missing) && missing.code).toBe('TLS');
    expect((missing as Error).message).toMatch(/absent\.pem/);
  });
});
