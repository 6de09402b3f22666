import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFailure as failure } from './__fixtures__/config-failure.js';
import { loadConfig } from './load-config.js';
import { parseServerConfig } from './server-config.js';

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

describe('server settings', async () => {
  it('defaults to loopback, port 7777 and ./data', async () => {
    const config = await loadConfig({ flags: {}, env: {}, cwd: '/srv/app' });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 7777,
      dataDir: './data',
      maxBodyBytes: 8 * 1024 * 1024,
    });
  });

  it('takes flags over environment over config file over defaults', async () => {
    const file = configFile({ host: '0.0.0.0', port: 1000, dataDir: 'from-file', maxBodyBytes: 1234 });
    const env = { EPISODIC_CONFIG: file.path, EPISODIC_PORT: '2000', EPISODIC_DATA_DIR: 'from-env' };
    const config = await loadConfig({ flags: { 'data-dir': 'from-flag' }, env, cwd: '/srv/app' });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 2000,
      dataDir: '/srv/app/from-flag',
      maxBodyBytes: 1234,
      drainTimeoutMs: 10_000,
    });
    expect((await loadConfig({ flags: { config: file.path }, env: {}, cwd: '/srv/app' })).dataDir).toBe(
      join(file.dir, 'from-file'),
    );
  });

  it('reads metricsAccess from its flag and variable, and names them when the value is neither', async () => {
    expect((await loadConfig({ flags: {}, env: {} })).metricsAccess).toBe('public');
    const env = { EPISODIC_METRICS_ACCESS: 'admin' };
    expect((await loadConfig({ flags: {}, env })).metricsAccess).toBe('admin');
    await expect(loadConfig({ flags: { 'metrics-access': 'tokens' }, env })).rejects.toThrow(
      'Invalid server settings: metricsAccess (from --metrics-access): Invalid option: expected one of "public"|"admin"',
    );
  });

  it('reads a relative file: database url in the config file relative to the file, like dataDir', async () => {
    const file = configFile({ databaseUrl: 'file:state/memory.db?mode=rwc' });
    expect((await loadConfig({ flags: { config: file.path }, env: {}, cwd: '/srv/app' })).databaseUrl).toBe(
      `file:${join(file.dir, 'state/memory.db')}?mode=rwc`,
    );
    for (const databaseUrl of ['file:/var/lib/memory.db', 'file::memory:', 'libsql://db.example.com']) {
      const given = configFile({ databaseUrl });
      expect((await loadConfig({ flags: { config: given.path }, env: {} })).databaseUrl).toBe(databaseUrl);
    }
  });

  it('reads the cache folder in the config file relative to the file, at the top or under memory', async () => {
    for (const content of [
      { cache: { path: 'state/cache' } },
      { memory: { cache: { path: 'state/cache' } } },
    ]) {
      const file = configFile(content);
      const config = await loadConfig({ flags: { config: file.path }, env: {}, cwd: '/srv/app' });
      expect(config.memory.cache).toEqual({ path: join(file.dir, 'state/cache') });
    }
    const absolute = configFile({ cache: { path: '/var/cache/episodic', ttl: { query: 60 } } });
    expect((await loadConfig({ flags: { config: absolute.path }, env: {} })).memory.cache).toEqual({
      path: '/var/cache/episodic',
      ttl: { query: 60 },
    });
  });

  it('reads a model folder in the config file relative to the file, and a model name as given', async () => {
    const folder = configFile({ embeddings: 'static', embeddingsModel: './models/tiny' });
    expect(
      (await loadConfig({ flags: { config: folder.path }, env: {}, cwd: '/srv/app' })).embeddingsModel,
    ).toBe(join(folder.dir, 'models/tiny'));
    const name = configFile({ embeddings: 'static', embeddingsModel: 'minishlab/potion-base-8M' });
    expect(
      (await loadConfig({ flags: { config: name.path }, env: {}, cwd: '/srv/app' })).embeddingsModel,
    ).toBe('minishlab/potion-base-8M');
    // From a flag or the environment, relative to where the command runs.
    const flags = { embeddings: 'static', 'embeddings-model': './tiny' };
    expect((await loadConfig({ flags, env: {}, cwd: '/srv/app' })).embeddingsModel).toBe('/srv/app/tiny');
  });

  it("lets a flag or variable replace the file's provider, and drops the file's settings for the one replaced", async () => {
    const file = configFile({
      embeddings: 'openai',
      embeddingsUrl: 'http://127.0.0.1:11434/v1',
      embeddingsModel: 'nomic-embed-text',
      embeddingsDimensions: 768,
    }).path;
    const off = await loadConfig({ flags: { config: file, embeddings: 'none' }, env: {}, cwd: '/srv/app' });
    expect([off.embeddings, off.embeddingsUrl, off.embeddingsModel, off.embeddingsDimensions]).toEqual([
      'none',
      undefined,
      undefined,
      768,
    ]);
    // From the environment too; a setting that still applies (local's dimensions) is kept.
    const local = await loadConfig({
      flags: { config: file },
      env: { EPISODIC_EMBEDDINGS: 'local' },
      cwd: '/srv/app',
    });
    expect([local.embeddings, local.embeddingsUrl, local.embeddingsDimensions]).toEqual([
      'local',
      undefined,
      768,
    ]);
    // The same provider again keeps the file's settings for it.
    const same = await loadConfig({
      flags: { config: file, embeddings: 'openai' },
      env: {},
      cwd: '/srv/app',
    });
    expect(same.embeddingsUrl).toBe('http://127.0.0.1:11434/v1');
    // Given as high as the provider, a setting that does not apply is still refused.
    const flags = { config: file, embeddings: 'none', 'embeddings-url': 'http://127.0.0.1:1/v1' };
    expect((await failure(() => loadConfig({ flags, env: {}, cwd: '/srv/app' }))).message).toMatch(
      /embeddingsUrl \(from --embeddings-url\): applies only with embeddings "openai"/,
    );
  });

  it('passes engine settings from the config file through to the store', async () => {
    const file = configFile({ memory: { limits: { maxStepsPerCall: 10 }, taskTypes: ['deployment'] } });
    expect((await loadConfig({ flags: { config: file.path }, env: {} })).memory).toEqual({
      limits: { maxStepsPerCall: 10 },
      taskTypes: ['deployment'],
    });
  });

  it('refuses unknown and misplaced engine settings, naming each with its path', async () => {
    const message = async (content: unknown) =>
      (await failure(() => loadConfig({ flags: { config: configFile(content).path }, env: {} }))).message;
    // A typo must stop the start, not leave the engine's default silently in force.
    expect(await message({ limits: { maxStepPerCall: 10 } })).toMatch(
      /limits\.maxStepPerCall \(from .*episodic\.json\): unknown setting/,
    );
    expect(await message({ memory: { learnin: { run: false } } })).toMatch(
      /memory\.learnin \(from .*episodic\.json\): unknown setting/,
    );
    expect(await message({ memory: { limits: { maxStepPerCall: 10 } } })).toMatch(
      /memory\.limits\.maxStepPerCall \(from .*\): unknown setting/,
    );
    expect(await message({ memory: { busyTimeoutMs: -5 } })).toMatch(
      /^Invalid server settings: memory\.busyTimeoutMs \(from .*\): Too small/,
    );
    // Settings the server composes itself would be overridden without a word.
    expect(await message({ memory: { url: 'file:/elsewhere/memory.db', miners: [] } })).toMatch(
      /memory\.url \(from .*\): set by the server: use databaseUrl.*; memory\.miners \(from .*\): set by the server: use miners/,
    );
  });

  it('reads an empty EPISODIC_CONFIG as unset, and names the setting that points at a folder', async () => {
    const cwd = configFile({}).dir;
    writeFileSync(join(cwd, 'episodic.config.mjs'), 'export default { port: 1234 };\n');
    // As for every other variable (`EPISODIC_CONFIG=` in a compose file): the usual search runs.
    expect((await loadConfig({ flags: {}, env: { EPISODIC_CONFIG: '' }, cwd })).port).toBe(1234);
    expect((await failure(() => loadConfig({ flags: {}, env: { EPISODIC_CONFIG: cwd } }))).message).toBe(
      `EPISODIC_CONFIG ${cwd}: a folder, not a config file.`,
    );
    expect((await failure(() => loadConfig({ flags: { config: '' }, env: {}, cwd }))).message).toBe(
      '--config: expected a FILE, got an empty value.',
    );
  });

  it('refuses an empty folder setting, flag or file, instead of taking the current folder', async () => {
    expect((await failure(() => loadConfig({ flags: { 'data-dir': '' }, env: {} }))).message).toMatch(
      /^Invalid server settings: dataDir \(from --data-dir\): Too small/,
    );
    const file = configFile({ dataDir: '' });
    expect((await failure(() => loadConfig({ flags: { config: file.path }, env: {} }))).message).toMatch(
      /dataDir \(from .*episodic\.json\): Too small/,
    );
    // An empty variable is unset, as for every setting.
    expect((await loadConfig({ flags: {}, env: { EPISODIC_DATA_DIR: '' } })).dataDir).toMatch(/\/data$/);
  });

  it('names the setting and where it came from when a value is wrong', async () => {
    expect((await failure(() => loadConfig({ flags: { port: 'eighty' }, env: {} }))).message).toMatch(
      /^Invalid server settings: port \(from --port\): /,
    );
    expect((await failure(() => loadConfig({ flags: {}, env: { EPISODIC_PORT: '70000' } }))).message).toMatch(
      /port \(from EPISODIC_PORT\): Too big/,
    );
    expect(
      (await failure(() => loadConfig({ flags: { 'max-calls-per-token': '0' }, env: {} }))).message,
    ).toMatch(/maxCallsPerToken \(from --max-calls-per-token\): Too small/);
    expect(
      (await loadConfig({ flags: {}, env: { EPISODIC_MAX_CALLS_PER_TOKEN: '16' } })).maxCallsPerToken,
    ).toBe(16);
    const file = configFile({ prot: 1 });
    expect((await failure(() => loadConfig({ flags: { config: file.path }, env: {} }))).message).toMatch(
      /prot \(from .*episodic\.json\): unknown setting/,
    );
    const broken = configFile('{ not json');
    const error = await failure(() => loadConfig({ flags: { config: broken.path }, env: {} }));
    expect([error.code, error.message]).toEqual(['CONFIG', expect.stringMatching(/is not valid JSON/)]);
    expect(
      (await failure(() => loadConfig({ flags: { config: '/nonexistent/episodic.json' }, env: {} }))).message,
    ).toMatch(/Cannot read config file \/nonexistent\/episodic\.json/);
  });

  it('composes the local embeddings and all four miners unless told otherwise', async () => {
    const config = await loadConfig({ flags: {}, env: {} });
    expect(config).toMatchObject({
      embeddings: 'local',
      miners: ['tool_sequence', 'error_resolution', 'optimization', 'testing_strategy'],
      retention: {},
      retentionIntervalMs: 3_600_000,
    });
    expect(config.encryptionKey).toBeUndefined();
    const file = configFile({
      embeddings: 'openai',
      embeddingsModel: 'nomic-embed-text',
      embeddingsDimensions: 768,
      miners: ['optimization'],
    });
    const env = {
      EPISODIC_EMBEDDINGS_URL: 'http://127.0.0.1:11434/v1',
      EPISODIC_MINERS: 'tool_sequence, error_resolution',
    };
    expect(await loadConfig({ flags: { config: file.path }, env })).toMatchObject({
      embeddings: 'openai',
      embeddingsUrl: 'http://127.0.0.1:11434/v1',
      embeddingsModel: 'nomic-embed-text',
      embeddingsDimensions: 768,
      miners: ['tool_sequence', 'error_resolution'],
    });
    expect((await loadConfig({ flags: { miners: 'none', embeddings: 'none' }, env: {} })).miners).toEqual([]);
    expect(
      (await failure(() => loadConfig({ flags: { miners: 'tool_sequence,astrology' }, env: {} }))).message,
    ).toMatch(
      /miners\.1 \(package astrology\) \(from --miners\): no package astrology is installed .*not a built-in name/,
    );
    // A misspelt built-in is not a package to install (someone may publish one under that name).
    const misspelt = (await failure(() => loadConfig({ flags: { miners: 'tool_sequnce' }, env: {} })))
      .message;
    expect(misspelt).toMatch(
      /miners\.0 \(package tool_sequnce\) \(from --miners\): tool_sequnce is not a built-in name: did you mean tool_sequence\?/,
    );
    expect(misspelt).not.toContain('npm install');
    expect((await failure(() => loadConfig({ flags: { embeddings: 'opnai' }, env: {} }))).message).toMatch(
      /opnai is not a built-in name: did you mean openai\?/,
    );
    expect(
      (await failure(() => loadConfig({ flags: { 'embeddings-model': 'x' }, env: {} }))).message,
    ).toMatch(/embeddingsModel \(from --embeddings-model\): applies only with embeddings "openai"/);
    // Given to startServer or parseServerConfig directly, a name must be a built-in: nothing is imported there.
    expect(() => parseServerConfig({ miners: ['astrology'], embeddings: 'cohere' })).toThrow(
      /embeddings: "cohere" is not a built-in provider \(local, openai, static, none\).*; miners\.0: "astrology" is not a built-in miner/,
    );
  });

  it('takes the encryption key from a variable named by the flag, the environment or the file, and never prints it', async () => {
    const file = configFile({ encryptionKey: 'from-file-key' });
    expect((await loadConfig({ flags: { config: file.path }, env: {} })).encryptionKey).toBe('from-file-key');
    const env = {
      EPISODIC_CONFIG: file.path,
      EPISODIC_ENCRYPTION_KEY: 'from-env-key',
      MY_KEY: 'from-flag-key',
    };
    expect((await loadConfig({ flags: {}, env })).encryptionKey).toBe('from-env-key');
    expect((await loadConfig({ flags: { 'encryption-key-env': 'MY_KEY' }, env })).encryptionKey).toBe(
      'from-flag-key',
    );
    const missing = await failure(() => loadConfig({ flags: { 'encryption-key-env': 'NOT_SET' }, env }));
    expect(missing.message).toBe(
      '--encryption-key-env NOT_SET: the environment variable NOT_SET is not set.',
    );
    const empty = await failure(() =>
      loadConfig({ flags: {}, env: { EPISODIC_CONFIG: configFile({ encryptionKey: '' }).path } }),
    );
    expect(empty.message).toMatch(/encryptionKey/);
  });

  it('validates retention policies per domain', async () => {
    const good = configFile({
      retention: { web: { archiveAfterDays: 7, deleteAfterDays: 90 } },
      retentionIntervalMs: 60_000,
    });
    expect((await loadConfig({ flags: { config: good.path }, env: {} })).retention).toEqual({
      web: { archiveAfterDays: 7, deleteAfterDays: 90 },
    });
    const bad = configFile({ retention: { web: { archiveAfterDays: 30, deleteAfterDays: 7 }, ops: {} } });
    const message = (await failure(() => loadConfig({ flags: { config: bad.path }, env: {} }))).message;
    expect(message).toMatch(/retention\.web\.deleteAfterDays .*must not be shorter than archiveAfterDays/);
    expect(message).toMatch(/retention\.ops .*set archiveAfterDays, deleteAfterDays or both/);
  });
});
