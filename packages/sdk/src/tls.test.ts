import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSelfSignedCertificate, startTestServer } from '@episodic/server/testing';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'episodic-sdk-tls-'));
const certificate = createSelfSignedCertificate(dir);
const skipped = 'skipped' in certificate ? certificate.skipped : null;
if (skipped !== null) console.warn(`SDK over HTTPS skipped: ${skipped}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sdk = new URL('../dist/index.js', import.meta.url).href;

describe.skipIf(skipped !== null)('the SDK over HTTPS', () => {
  it('records and reads back an episode from a server with a certificate the client was told to trust', async () => {
    if ('skipped' in certificate) return;
    await using t = await startTestServer({ tlsCert: certificate.certPath, tlsKey: certificate.keyPath });
    const token = await t.token({ name: 'tls agent' });
    // A separate process, because Node reads the extra CA only at start: as a user would deploy it.
    const program = `
      import { createEpisodicClient } from ${JSON.stringify(sdk)};
      const client = createEpisodicClient({ url: process.env.URL, token: process.env.TOKEN });
      const episode = await client.startEpisode({ taskType: 'testing', domain: 'tls' });
      episode.step({ action: 'handshake' });
      await episode.complete({ status: 'completed' });
      const read = await client.episodes.get.query({ episodeId: episode.id });
      console.log(JSON.stringify({ status: read.status, actions: read.steps.map((step) => step.action) }));
    `;
    const env = { ...process.env, URL: t.url, TOKEN: token, NODE_EXTRA_CA_CERTS: certificate.certPath };
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], { env });
    expect(JSON.parse(stdout)).toEqual({ status: 'completed', actions: ['handshake'] });

    const untrusted = await run(process.execPath, ['--input-type=module', '-e', program], {
      env: { ...env, NODE_EXTRA_CA_CERTS: '' },
    }).catch((error: { stderr: string }) => error);
    expect((untrusted as { stderr: string }).stderr).toMatch(/certificate|fetch failed/i);
  });
});
