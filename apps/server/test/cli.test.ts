import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, runCli, spawnCli } from './__fixtures__/cli-process.js';
import { createTestClient, rejection } from './__fixtures__/test-server.js';

const dir = mkdtempSync(join(tmpdir(), 'episodic-cli-'));
let serve: CliProcess;
let url: string;

beforeAll(async () => {
  serve = spawnCli(['serve', '--port', '0', '--data-dir', dir]);
  url = (await serve.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
  await serve.waitFor(/admin token in (.+) \(readable only by you\)/);
});

afterAll(async () => {
  serve.child.kill('SIGTERM');
  await serve.exited;
  rmSync(dir, { recursive: true, force: true });
});

// Several CLI processes per test beside a server: room for a loaded machine.
describe('episodic CLI', { timeout: 180_000 }, () => {
  it('on first start writes an admin token to a 0600 file and prints only its path', async () => {
    const tokenFile = join(dir, 'admin-token');
    expect(serve.stdout()).toContain(`admin token in ${tokenFile} `);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(serve.stdout() + serve.stderr()).not.toContain(token);
    expect((await createTestClient(url, token).admin.health.query()).status).toBe('ok');
  });

  it('creates, lists and revokes tokens beside a running server', async () => {
    const created = await runCli([
      'tokens',
      'create',
      '--name',
      'ci reader',
      '--scopes',
      'read',
      '--domains',
      'web,ops',
      '--data-dir',
      dir,
    ]);
    expect(created.code).toBe(0);
    const bearer = created.stdout.trim();
    expect(bearer).toMatch(/^ep_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/shown only now/);
    const reader = createTestClient(url, bearer);
    expect(await reader.episodes.list.query({})).toEqual({ items: [], nextCursor: null });
    expect(
      (await rejection(reader.episodes.start.mutate({ taskType: 'testing', domain: 'web' }))).data?.code,
    ).toBe('FORBIDDEN');

    const [table, json] = await Promise.all([
      runCli(['tokens', 'list', '--data-dir', dir]),
      runCli(['tokens', 'list', '--json', '--data-dir', dir]),
    ]);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+SCOPES\s+DOMAINS/);
    expect(table.stdout).toMatch(/ci reader\s+read\s+web,ops/);
    // Every domain, and only a domain literally named "*", read differently.
    expect(table.stdout).toMatch(/first admin\s+read,write,admin\s+all\s/);
    await runCli(['tokens', 'create', '--name', 'star', '--domains', '*, all', '--data-dir', dir]);
    expect((await runCli(['tokens', 'list', '--data-dir', dir])).stdout).toMatch(
      /star\s+read,write\s+"\*","all"\s/,
    );
    expect(table.stdout + json.stdout).not.toContain(bearer.slice(-43));
    const listed = JSON.parse(json.stdout) as { id: string; name: string }[];
    const id = listed.find((token) => token.name === 'ci reader')?.id as string;
    expect(bearer).toContain(id);

    const revoked = await runCli(['tokens', 'revoke', id, '--data-dir', dir]);
    expect([revoked.code, revoked.stdout]).toEqual([0, expect.stringMatching(/^Revoked token /)]);
    // The server rechecks a trusted token at least every second, so revocation reaches it.
    await expect
      .poll(async () => (await rejection(reader.episodes.list.query({}))).data?.code, {
        timeout: 30_000,
        interval: 100,
      })
      .toBe('UNAUTHORIZED');
  });

  it('answers --json with one JSON value from tokens create and revoke', async () => {
    const created = await runCli(['tokens', 'create', '--name', 'json reader', '--json', '--data-dir', dir]);
    expect(created.code).toBe(0);
    const { token, bearer } = JSON.parse(created.stdout) as { token: { id: string }; bearer: string };
    expect(bearer).toMatch(new RegExp(`^ep_${token.id}_`));

    const revoked = await runCli(['tokens', 'revoke', token.id, '--json', '--data-dir', dir]);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({
      id: token.id,
      name: 'json reader',
      revokedAt: expect.any(String),
    });
  });

  it('refuses --json for serve and worker, which run until stopped', async () => {
    /** Stops the command once it says it started, in case it ignores the flag and keeps running. */
    const runUntilStarted = async (args: string[], started: RegExp) => {
      const command = spawnCli(args);
      const outcome = await Promise.race([
        command.exited.then(() => 'exited'),
        command.waitFor(started).then(
          () => 'started',
          () => 'exited',
        ),
      ]);
      if (outcome === 'started') command.child.kill('SIGTERM');
      return { code: await command.exited, stderr: command.stderr() };
    };
    const [serveJson, workerJson] = await Promise.all([
      runUntilStarted(['serve', '--json', '--port', '0', '--data-dir', join(dir, 'json-serve')], /listening/),
      runUntilStarted(['worker', '--json', '--data-dir', dir], /Episodic worker/),
    ]);
    for (const [command, result] of [
      ['serve', serveJson],
      ['worker', workerJson],
    ] as const)
      expect([result.code, result.stderr]).toEqual([
        1,
        expect.stringContaining(
          `episodic: ${command} runs until stopped and prints no result to parse, so it takes no --json.`,
        ),
      ]);
  });

  it("prints one command's usage for `COMMAND --help` and `help COMMAND`, the whole text for none", async () => {
    const [forget, helpTokens, all] = await Promise.all([
      runCli(['forget', '--help']),
      runCli(['help', 'tokens']),
      runCli(['--help']),
    ]);
    // It printed the whole text, every command's lines, for each.
    expect([forget.code, forget.stdout.split('\n')[0]]).toEqual([0, 'Usage: episodic forget [options]']);
    expect(forget.stdout).toContain('  forget --episode ID [--episode ID]...');
    expect(forget.stdout).toContain('`episodic --help` lists them.');
    expect(forget.stdout).not.toContain('tokens create');
    expect(helpTokens.stdout.match(/^ {2}tokens \w+/gm)).toEqual([
      '  tokens create',
      '  tokens list',
      '  tokens revoke',
    ]);
    expect(all.stdout).toContain('Commands:');
    expect(all.stdout).toContain('  forget --episode ID');
    expect(all.stdout).toContain('  tokens create --name NAME');
  });

  it('explains bad usage and bad settings and exits 1', async () => {
    const [noName, badScope, adminInDomain, port] = await Promise.all([
      runCli(['tokens', 'create', '--data-dir', dir]),
      runCli(['tokens', 'create', '--name', 'x', '--scopes', 'root', '--data-dir', dir]),
      runCli(['tokens', 'create', '--name', 'x', '--scopes', 'admin', '--domains', 'web', '--data-dir', dir]),
      runCli(['serve', '--port', 'abc', '--data-dir', dir]),
    ]);
    expect([noName.code, noName.stderr]).toEqual([
      1,
      expect.stringMatching(/tokens create needs --name NAME/),
    ]);
    expect([badScope.code, badScope.stderr]).toEqual([1, expect.stringMatching(/Unknown scope root/)]);
    expect(adminInDomain.stderr).toMatch(/--domains web: an admin token must cover every domain/);
    expect([port.code, port.stderr]).toEqual([1, expect.stringMatching(/port \(from --port\)/)]);
  });

  it('names a mistyped or valueless flag in one line, refuses settings without a command, and prints its version', async () => {
    const [typo, dashed, noCommand, version] = await Promise.all([
      runCli(['serve', '--prot', '7790', '--data-dir', dir]),
      runCli(['serve', '--port', '-1', '--data-dir', dir]),
      runCli(['--data-dir', dir]),
      runCli(['--version']),
    ]);
    const firstLine = (text: string) => text.split('\n', 1)[0];
    expect([typo.code, firstLine(typo.stderr)]).toEqual([
      1,
      'episodic: Unknown option --prot (did you mean --port?).',
    ]);
    expect([dashed.code, firstLine(dashed.stderr), dashed.stderr.split('\n')[1]]).toEqual([
      1,
      'episodic: --port needs a value (a value starting with a dash is written --port=-1).',
      '',
    ]);
    expect([noCommand.code, firstLine(noCommand.stderr), noCommand.stdout]).toEqual([
      1,
      'episodic: No command given: name one, e.g. `episodic serve`.',
      '',
    ]);
    const { version: packageVersion } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect([version.code, version.stdout]).toEqual([0, `${packageVersion}\n`]);
  });
});
