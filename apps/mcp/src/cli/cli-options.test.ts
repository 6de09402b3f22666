import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
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
  it('defaults to stdio on the embedded store in $EPISODIC_DATA_DIR, else ~/.episodic', () => {
    expect(parseCliOptions([], {})).toEqual({
      kind: 'serve',
      target: { dataDir: join(homedir(), '.episodic') },
      transport: { kind: 'stdio' },
    });
    expect(parseCliOptions([], { EPISODIC_DATA_DIR: 'mem' })).toMatchObject({
      target: { dataDir: resolve('mem') },
    });
    expect(parseCliOptions(['--data-dir', 'x'], { EPISODIC_DATA_DIR: 'mem' })).toMatchObject({
      target: { dataDir: resolve('x') },
    });
  });

  it('serves Streamable HTTP on loopback, and a server with the token from the environment', () => {
    expect(parseCliOptions(['--http', '--url', 'http://127.0.0.1:7777'], { EPISODIC_TOKEN: 'ep_t' })).toEqual(
      {
        kind: 'serve',
        target: { url: 'http://127.0.0.1:7777', token: 'ep_t' },
        transport: { kind: 'http', host: '127.0.0.1', port: 7778 },
      },
    );
    expect(parseCliOptions(['--http', '--port', '0'], {})).toMatchObject({ transport: { port: 0 } });
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
