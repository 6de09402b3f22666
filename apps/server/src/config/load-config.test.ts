import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerError } from '../errors/server-error.js';
import { loadConfig } from './load-config.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configFile(content: unknown): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'episodic-config-'));
  dirs.push(dir);
  const path = join(dir, 'episodic.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return { dir, path };
}

function failure(run: () => unknown): ServerError {
  try {
    run();
  } catch (error) {
    if (ServerError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ServerError');
}

describe('server settings', () => {
  it('defaults to loopback, port 7777 and ./data', () => {
    const config = loadConfig({ flags: {}, env: {}, cwd: '/srv/app' });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 7777, dataDir: './data', maxBodyBytes: 8 * 1024 * 1024 });
  });

  it('takes flags over environment over config file over defaults', () => {
    const file = configFile({ host: '0.0.0.0', port: 1000, dataDir: 'from-file', maxBodyBytes: 1234 });
    const env = { EPISODIC_CONFIG: file.path, EPISODIC_PORT: '2000', EPISODIC_DATA_DIR: 'from-env' };
    const config = loadConfig({ flags: { 'data-dir': 'from-flag' }, env, cwd: '/srv/app' });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 2000,
      dataDir: '/srv/app/from-flag',
      maxBodyBytes: 1234,
      drainTimeoutMs: 10_000,
    });
    expect(loadConfig({ flags: { config: file.path }, env: {}, cwd: '/srv/app' }).dataDir).toBe(join(file.dir, 'from-file'));
  });

  it('passes engine settings from the config file through to the store', () => {
    const file = configFile({ memory: { limits: { maxStepsPerCall: 10 }, taskTypes: ['deployment'] } });
    expect(loadConfig({ flags: { config: file.path }, env: {} }).memory).toEqual({
      limits: { maxStepsPerCall: 10 },
      taskTypes: ['deployment'],
    });
  });

  it('names the setting and where it came from when a value is wrong', () => {
    expect(failure(() => loadConfig({ flags: { port: 'eighty' }, env: {} })).message).toMatch(
      /^Invalid server settings: port \(from --port\): /,
    );
    expect(failure(() => loadConfig({ flags: {}, env: { EPISODIC_PORT: '70000' } })).message).toMatch(
      /port \(from EPISODIC_PORT\): Too big/,
    );
    const file = configFile({ prot: 1 });
    expect(failure(() => loadConfig({ flags: { config: file.path }, env: {} })).message).toMatch(/Unrecognized key.*"prot"/);
    const broken = configFile('{ not json');
    const error = failure(() => loadConfig({ flags: { config: broken.path }, env: {} }));
    expect([error.code, error.message]).toEqual(['CONFIG', expect.stringMatching(/is not valid JSON/)]);
    expect(failure(() => loadConfig({ flags: { config: '/nonexistent/episodic.json' }, env: {} })).message).toMatch(
      /Cannot read config file \/nonexistent\/episodic\.json/,
    );
  });
});
