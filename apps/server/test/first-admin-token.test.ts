import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './__fixtures__/cli-process.js';
import { takenPort } from './__fixtures__/taken-port.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-first-token-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Several CLI processes one after another: room for a loaded machine.
describe('the first-start admin token', { timeout: 180_000 }, () => {
  it('is created by the first start that listens, which prints its path', async () => {
    const dataDir = join(root, 'taken-port');
    const taken = await takenPort();
    let failed: Awaited<ReturnType<typeof runCli>>;
    try {
      failed = await runCli(['serve', '--port', String(taken.port), '--data-dir', dataDir]);
    } finally {
      await taken.release();
    }
    expect([failed.code, failed.stderr]).toEqual([1, expect.stringMatching(/Cannot listen on .*EADDRINUSE/)]);
    expect(existsSync(join(dataDir, 'admin-token'))).toBe(false);

    const serve = spawnCli(['serve', '--port', '0', '--data-dir', dataDir]);
    const [, file, url] = await serve.waitFor(
      /First start: created an admin token in (.+) \(readable only by you\)\. Sign in to the dashboard at (\S+) with it/,
    );
    expect(file).toBe(join(dataDir, 'admin-token'));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ui\/$/);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });

  it('is deleted when its own token is revoked, saying so and that no admin token is left', async () => {
    const dataDir = join(root, 'revoked');
    const serve = spawnCli(['serve', '--port', '0', '--data-dir', dataDir]);
    await serve.waitFor(/First start: created an admin token/);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    const file = join(dataDir, 'admin-token');
    const id = readFileSync(file, 'utf8').trim().split('_')[1] as string;

    const revoked = await runCli(['tokens', 'revoke', id, '--data-dir', dataDir]);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toContain(
      `Deleted the first-start admin token file ${file}: its token is revoked. No admin token is left: create one with`,
    );
    expect(revoked.stderr).not.toMatch(/another admin token exists/);
    expect(existsSync(file)).toBe(false);
  });
});
