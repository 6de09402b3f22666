import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliOptions } from './cli-options.js';

const usageError = (args: string[], env: Record<string, string> = {}) => {
  try {
    parseCliOptions(args, env);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a usage error');
};

describe('episodic-mcp command line', () => {
  it('defaults to stdio on the embedded store, found as `episodic serve` finds its own unless --data-dir names it', () => {
    // $EPISODIC_DATA_DIR, a config file's dataDir and ~/.episodic are weighed when the store opens.
    expect(parseCliOptions([], { EPISODIC_DATA_DIR: 'mem' })).toEqual({
      kind: 'serve',
      target: {},
      transport: { kind: 'stdio' },
    });
    expect(parseCliOptions(['--data-dir', 'x'], { EPISODIC_DATA_DIR: 'mem' })).toMatchObject({
      target: { dataDir: resolve('x') },
    });
  });

  it('serves Streamable HTTP on loopback, and a server with the token from the environment', () => {
    expect(parseCliOptions(['--http', '--url', 'http://127.0.0.1:7777'], { EPISODIC_TOKEN: 'ep_t' })).toEqual(
      {
        kind: 'serve',
        target: { url: 'http://127.0.0.1:7777', token: 'ep_t', timeoutMs: 30_000 },
        transport: { kind: 'http', host: '127.0.0.1', port: 7778 },
      },
    );
    expect(parseCliOptions(['--http', '--port', '0'], {})).toMatchObject({ transport: { port: 0 } });
  });

  it('takes the remote timeout from --timeout-ms, else EPISODIC_TIMEOUT_MS, else 30 s', () => {
    const remote = ['--url', 'http://127.0.0.1:7777'];
    const env = { EPISODIC_TOKEN: 'ep_t', EPISODIC_TIMEOUT_MS: '45000' };
    expect(parseCliOptions(remote, env)).toMatchObject({ target: { timeoutMs: 45_000 } });
    expect(parseCliOptions([...remote, '--timeout-ms', '5000'], env)).toMatchObject({
      target: { timeoutMs: 5000 },
    });
    expect(parseCliOptions(remote, { ...env, EPISODIC_TIMEOUT_MS: '' })).toMatchObject({
      target: { timeoutMs: 30_000 },
    });
    expect(usageError([...remote, '--timeout-ms', '2s'], env).message).toMatch(
      /^--timeout-ms: must be a whole number of milliseconds/,
    );
    expect(usageError(remote, { ...env, EPISODIC_TIMEOUT_MS: 'soon' }).message).toMatch(
      /^EPISODIC_TIMEOUT_MS: must be a whole number of milliseconds/,
    );
    expect(usageError(['--timeout-ms', '5000']).message).toMatch(/^--timeout-ms applies only with --url/);
  });

  it('refuses a wrong command line with the flag at fault', () => {
    expect(usageError(['--url', 'http://127.0.0.1:7777'])).toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/^--url needs a token in EPISODIC_TOKEN/),
    });
    expect(usageError(['--data-dir', 'a', '--url', 'http://h'], { EPISODIC_TOKEN: 't' }).message).toMatch(
      /^--url: give --data-dir \(embedded\) or --url \(remote\), not both/,
    );
    expect(usageError(['--http', '--port', '70000']).message).toMatch(/^--port: /);
    expect(usageError(['--url', 'ftp://h'], { EPISODIC_TOKEN: 't' }).message).toMatch(/^--url: /);
    expect(usageError(['--port', '80']).message).toMatch(/^--port and --host apply only with --http/);
    expect(usageError(['--verbose']).message).toMatch(/Unknown option '--verbose'/);
  });
});
