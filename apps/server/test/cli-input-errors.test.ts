import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../src/testing/self-signed-certificate.js';
import { runCli } from './__fixtures__/cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'episodic-cli-input-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Exit 1 with one line on stderr, `episodic: ` and what matches `pattern`: no stack, no usage text. */
function refusedInOneLine(result: Awaited<ReturnType<typeof runCli>>, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^episodic: [^\n]*\n$/);
  expect(result.stderr).toMatch(pattern);
}

function folder(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Several CLI processes at once: room for a loaded machine.
describe('the CLI on wrong files', { timeout: 180_000 }, () => {
  const ours = createSelfSignedCertificate(folder('ours'));
  const theirs = createSelfSignedCertificate(folder('theirs'));
  const skipped = 'skipped' in ours ? ours.skipped : 'skipped' in theirs ? theirs.skipped : null;

  it.skipIf(skipped !== null)(
    'serve names the TLS file that is not PEM, swapped, or not of the pair',
    async () => {
      if ('skipped' in ours || 'skipped' in theirs) return;
      const text = join(root, 'not-pem.txt');
      writeFileSync(text, 'hello\n');
      const serve = (cert: string, key: string) =>
        runCli([
          'serve',
          '--port',
          '0',
          '--data-dir',
          folder('tls-data'),
          '--tls-cert',
          cert,
          '--tls-key',
          key,
        ]);
      const [notPem, swapped, notPair] = await Promise.all([
        serve(text, ours.keyPath),
        serve(ours.keyPath, ours.certPath),
        serve(ours.certPath, theirs.keyPath),
      ]);
      refusedInOneLine(notPem, /--tls-cert \(EPISODIC_TLS_CERT\) .*not-pem\.txt: not a PEM certificate/);
      refusedInOneLine(swapped, /--tls-cert \(EPISODIC_TLS_CERT\) .*key\.pem: not a PEM certificate/);
      refusedInOneLine(
        notPair,
        /--tls-key \(EPISODIC_TLS_KEY\) .*theirs\/key\.pem: not the private key of the certificate in .*ours\/cert\.pem/,
      );
    },
  );

  it('verify and restore refuse a folder as FILE, naming it', async () => {
    const dir = folder('a-folder');
    const [verified, restored] = await Promise.all([
      runCli(['verify', dir, '--data-dir', folder('verify-data')]),
      runCli(['restore', dir, '--data-dir', folder('restore-data')]),
    ]);
    refusedInOneLine(verified, new RegExp(`${dir} is a folder, not a database file`));
    refusedInOneLine(restored, new RegExp(`${dir} is a folder, not a database file`));
  });

  it('every command refuses a --data-dir that is a file, naming the setting', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const [serve, tokens, pull] = await Promise.all([
      runCli(['serve', '--port', '0', '--data-dir', file]),
      runCli(['tokens', 'list', '--data-dir', join(file, 'below')]),
      // Refused before the hub is asked: this needs no network.
      runCli(['models', 'pull', 'owner/model', '--data-dir', file]),
    ]);
    refusedInOneLine(serve, new RegExp(`--data-dir \\(EPISODIC_DATA_DIR\\) ${file}: a file, not a folder`));
    refusedInOneLine(pull, new RegExp(`--data-dir \\(EPISODIC_DATA_DIR\\) ${file}: a file, not a folder`));
    refusedInOneLine(
      tokens,
      /--data-dir \(EPISODIC_DATA_DIR\) .*below: part of the path is a file, not a folder/,
    );
  });
});
