import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from './__fixtures__/cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-keep-alive-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('kept-alive connections', () => {
  it('answers a request sent on an idle connection while the server was stalled past the advertised timeout', async () => {
    const serve = spawnCli(['serve', '--data-dir', join(root, 'data'), '--port', '0']);
    try {
      const [, url] = (await serve.waitFor(/listening on (\S+)/)) as unknown as [string, string];
      const first = await fetch(`${url}/healthz`);
      expect(first.headers.get('keep-alive')).toBe('timeout=5');
      await first.text();
      // The client trusts the idle connection for 4 s more; the server stalls (a long
      // synchronous task) before the request arrives and until after the advertised 5 s.
      await sleep(500);
      serve.child.kill('SIGSTOP');
      const second = fetch(`${url}/healthz`).then(
        (response) => response.status,
        (error: Error) => `${error.message} <- ${(error.cause as Error)?.message}`,
      );
      await sleep(6_000);
      serve.child.kill('SIGCONT');
      expect(await second).toBe(200);
    } finally {
      serve.child.kill('SIGCONT');
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });
});
