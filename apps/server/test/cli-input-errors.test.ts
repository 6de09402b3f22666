import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../src/testing/self-signed-certificate.js';
import { runCli } from './__fixtures__/cli-process.js';
import { takenPort } from './__fixtures__/taken-port.js';

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

  it('serve on a port another program holds says how to choose another', async () => {
    const taken = await takenPort();
    let serve: Awaited<ReturnType<typeof runCli>>;
    try {
      serve = await runCli(['serve', '--port', String(taken.port), '--data-dir', folder('taken-port')]);
    } finally {
      await taken.release();
    }
    // One line, no stack.
    expect([serve.code, serve.stderr]).toEqual([
      1,
      `episodic: Cannot listen on 127.0.0.1:${taken.port}: EADDRINUSE: another program listens on that port ` +
        '(an Episodic server already running?). Serve on another port with --port PORT, EPISODIC_PORT or "port" ' +
        'in the config file.\n',
    ]);
  });

  it('says where a JavaScript config file stops parsing, as Node alone does not', async () => {
    const unfinished = join(root, 'unfinished.config.mjs');
    writeFileSync(unfinished, 'export default {\n  port: 7790,\n  plugins: [\n');
    const missingComma = join(root, 'comma.config.mjs');
    writeFileSync(missingComma, 'export default {\n  port: 7790\n  dataDir: "x",\n};\n');
    const data = folder('config-syntax');
    const [atEnd, inside] = await Promise.all([
      runCli(['tokens', 'list', '--config', unfinished, '--data-dir', data]),
      runCli(['tokens', 'list', '--config', missingComma, '--data-dir', data]),
    ]);
    refusedInOneLine(atEnd, /unfinished\.config\.mjs: Unexpected end of input \(line 4\)$/m);
    refusedInOneLine(
      inside,
      /comma\.config\.mjs: Unexpected identifier 'dataDir' \(line 3: dataDir: "x",\)$/m,
    );
  });

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

  it('audit refuses a --limit that is not a whole number from 1 to 1000 as a usage error naming the flag', async () => {
    const data = folder('audit-data');
    const results = await Promise.all(
      ['abc', '0', '1.5', '5000', ''].map((limit) => runCli(['audit', '--limit', limit, '--data-dir', data])),
    );
    for (const [i, limit] of ['abc', '0', '1.5', '5000', ''].entries()) {
      const { code, stderr } = results[i] as (typeof results)[number];
      expect([code, stderr.split('\n')[0]]).toEqual([
        1,
        `episodic: --limit ${limit}: expected a whole number from 1 to 1000.`,
      ]);
      expect(stderr).toMatch(/\n\nUsage: episodic/);
    }
  });

  it('refuses a flag the command does not take, rather than run without it', async () => {
    const data = folder('flags-data');
    const [dryForget, dryRetention, olderByMetadata, olderById] = await Promise.all([
      // Each of these used to delete at once, with the restriction the operator asked for ignored.
      runCli(['forget', '--domain', 'web', '--dry-run', '--data-dir', data]),
      runCli(['retention', 'apply', '--dry-run', '--data-dir', data]),
      runCli(['forget', '--metadata', 'user=1', '--before', '30d', '--data-dir', data]),
      runCli([
        'forget',
        '--episode',
        '01a246ac-3086-7000-8a12-26f71ce9fdc5',
        '--before',
        '30d',
        '--data-dir',
        data,
      ]),
    ]);
    expect([dryForget.code, dryForget.stderr.split('\n')[0]]).toEqual([
      1,
      'episodic: forget takes no --dry-run.',
    ]);
    expect([dryRetention.code, dryRetention.stderr.split('\n')[0]]).toEqual([
      1,
      'episodic: retention takes no --dry-run.',
    ]);
    for (const { code, stderr } of [olderByMetadata, olderById])
      expect([code, stderr.split('\n')[0]]).toEqual([
        1,
        'episodic: forget --before applies only with --domain D.',
      ]);
    expect(dryForget.stderr).toMatch(/\n\nUsage: episodic/);
  });

  it('takes an ISO time or a span for --since, --until and --before, not what Date.parse guesses', async () => {
    const data = folder('times-data');
    // A store to read the audit log of (`audit` creates none).
    expect((await runCli(['tokens', 'list', '--data-dir', data])).code).toBe(0);
    // `90` (days, meant) read as the year 1990, `Dec 5` as 2001-12-05: refused, not guessed.
    const [bare, month, us, iso, span] = await Promise.all([
      runCli(['forget', '--domain', 'web', '--before', '90', '--data-dir', data]),
      runCli(['audit', '--since', 'Dec 5', '--data-dir', data]),
      runCli(['audit', '--until', '12/01/2026', '--data-dir', data]),
      runCli([
        'audit',
        '--since',
        '2026-01-31T12:00:00Z',
        '--until',
        '2026-02-01',
        '--json',
        '--data-dir',
        data,
      ]),
      runCli(['audit', '--since', '7d', '--json', '--data-dir', data]),
    ]);
    for (const [result, text] of [
      [bare, '--before 90'],
      [month, '--since Dec 5'],
      [us, '--until 12/01/2026'],
    ] as const)
      expect([result.code, result.stderr.split('\n')[0]]).toEqual([
        1,
        `episodic: ${text}: expected an ISO time (2026-01-31T12:00:00Z) or a span (30m, 24h, 7d).`,
      ]);
    expect([iso.code, span.code]).toEqual([0, 0]);
  });

  it('refuses a day that is not on the calendar and a span back past the year 0, naming the flag', async () => {
    const data = folder('days-data');
    // 2026-02-30 was read as 2 March; 99999999d went to the engine, which named no flag.
    const [day, span] = await Promise.all([
      runCli(['audit', '--since', '2026-02-30', '--data-dir', data]),
      runCli(['forget', '--domain', 'web', '--before', '99999999d', '--data-dir', data]),
    ]);
    expect([day.code, day.stderr.split('\n')[0]]).toEqual([
      1,
      'episodic: --since 2026-02-30: expected an ISO time (2026-01-31T12:00:00Z) or a span (30m, 24h, 7d).',
    ]);
    expect([span.code, span.stderr.split('\n')[0]]).toEqual([
      1,
      'episodic: --before 99999999d: expected an ISO time (2026-01-31T12:00:00Z) or a span (30m, 24h, 7d), at most back to the year 0.',
    ]);
  });

  it('refuses a mistyped tokens action, a missing flag or an empty FILE before it creates a store', async () => {
    const data = join(root, 'never-created');
    const results = await Promise.all([
      runCli(['tokens', 'crate', '--name', 'agent', '--data-dir', data]),
      runCli(['tokens', 'create', '--data-dir', data]),
      runCli(['tokens', 'create', '--name', 'agent', '--scopes', 'reads', '--data-dir', data]),
      runCli(['tokens', 'revoke', '--data-dir', data]),
      runCli(['backup', '', '--data-dir', data]),
    ]);
    expect(results.map((result) => [result.code, result.stderr.split('\n')[0]])).toEqual([
      [1, 'episodic: Unknown tokens action "crate": use create, list or revoke.'],
      [1, 'episodic: tokens create needs --name NAME.'],
      [1, 'episodic: Unknown scope reads: use read, write, admin.'],
      [1, 'episodic: tokens revoke needs the token ID (see `episodic tokens list`).'],
      [1, 'episodic: backup needs a FILE.'],
    ]);
    expect(existsSync(data)).toBe(false);
  });

  it('refuses to create the store a command means to work on, naming the file and the flags to give', async () => {
    // A second server's data dir, given without its --database-url: no store of its own.
    const data = folder('second-server-data');
    const results = await Promise.all([
      runCli(['forget', '--episode', '01a246ac-3086-7000-8a12-26f71ce9fdc5', '--data-dir', data]),
      runCli(['backup', join(root, 'nightly.db'), '--data-dir', data]),
      runCli(['audit', '--data-dir', data]),
      runCli(['retention', 'apply', '--data-dir', data]),
      runCli(['remine', '--data-dir', data]),
    ]);
    for (const result of results)
      refusedInOneLine(
        result,
        new RegExp(
          `No store at ${join(data, 'memory.db')}: \\w+ works on the store a server uses.*--database-url`,
        ),
      );
    expect(existsSync(join(data, 'memory.db'))).toBe(false);
    expect(existsSync(join(root, 'nightly.db'))).toBe(false);
  });

  it('refuses words a command does not take, rather than act on the first ones only', async () => {
    const data = folder('words-data');
    const [revokeTwo, forgetTwo, backupTwo, listExtra] = await Promise.all([
      // The second token would stay valid, the second episode stored: with exit 0.
      runCli([
        'tokens',
        'revoke',
        '01a246ac-3086-7000-8a12-26f71ce9fdc5',
        '01a246ac-3086-7000-8a12-26f71ce9fdc6',
        '--data-dir',
        data,
      ]),
      runCli([
        'forget',
        '--episode',
        '01a246ac-3086-7000-8a12-26f71ce9fdc5',
        '01a246ac-3086-7000-8a12-26f71ce9fdc6',
        '--data-dir',
        data,
      ]),
      runCli(['backup', join(root, 'one.db'), join(root, 'two.db'), '--data-dir', data]),
      runCli(['tokens', 'list', 'extra', '--data-dir', data]),
    ]);
    for (const [result, line] of [
      [revokeTwo, 'tokens revoke takes no argument "01a246ac-3086-7000-8a12-26f71ce9fdc6".'],
      [
        forgetTwo,
        'forget takes no argument "01a246ac-3086-7000-8a12-26f71ce9fdc6" (repeat the flag: --episode A --episode B).',
      ],
      [backupTwo, `backup takes no argument "${join(root, 'two.db')}".`],
      [listExtra, 'tokens list takes no argument "extra".'],
    ] as const) {
      expect([result.code, result.stderr.split('\n')[0]]).toEqual([1, `episodic: ${line}`]);
      expect(result.stderr).toMatch(/\n\nUsage: episodic/);
    }
  });

  it('names the flag, not the engine field, when the store refuses a value', async () => {
    const data = folder('flag-names-data');
    // A store for the engine to refuse values in (`forget` and `audit` create none).
    expect((await runCli(['tokens', 'list', '--data-dir', data])).code).toBe(0);
    const results = await Promise.all([
      runCli(['tokens', 'create', '--name', '', '--data-dir', data]),
      runCli(['tokens', 'create', '--name', 'ci', '--domains', 'web\u202e', '--data-dir', data]),
      runCli([
        'forget',
        '--episode',
        '01a246ac-3086-7000-8a12-26f71ce9fdc5',
        '--episode',
        'nope',
        '--data-dir',
        data,
      ]),
      runCli(['forget', '--domain', '', '--data-dir', data]),
      runCli(['audit', '--actor', '', '--data-dir', data]),
    ]);
    // They read `name: …`, `domains.0: …`, `episodeIds.1: …`: fields the operator never typed.
    expect(results.map((result) => [result.code, result.stderr.split('\n')[0]])).toEqual([
      [1, 'episodic: --name "": Too small: expected string to have >=1 characters'],
      [
        1,
        'episodic: --domains "web\\u202e": must not contain control, line-separator, bidirectional or zero-width characters',
      ],
      [1, 'episodic: --episode nope: must be a UUID'],
      [1, 'episodic: --domain "": Too small: expected string to have >=1 characters'],
      [1, 'episodic: --actor "": Too small: expected string to have >=1 characters'],
    ]);
  });
});
