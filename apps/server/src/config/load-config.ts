import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { learningOptionsSchema } from '@episodic/core';
import { ServerError } from '../errors/server-error.js';
import { configFileNames, findConfigFile, nearConfigFiles, readConfigFile } from './config-file.js';
import { loadPlugins } from './load-plugins.js';
import { providerKeyMisfit, providerKeys } from './provider-keys.js';
import { parseServerConfig, type ServerConfig } from './server-config.js';

type Source = 'flag' | 'environment' | 'config file';
type Layer = Record<string, unknown>;

/** Settings that may come from flags and the environment, with the name each uses there. */
const settings = [
  { key: 'host', flag: 'host', env: 'EPISODIC_HOST', kind: 'text' },
  { key: 'port', flag: 'port', env: 'EPISODIC_PORT', kind: 'number' },
  { key: 'dataDir', flag: 'data-dir', env: 'EPISODIC_DATA_DIR', kind: 'path' },
  { key: 'databaseUrl', flag: 'database-url', env: 'EPISODIC_DATABASE_URL', kind: 'database' },
  { key: 'databaseAuthToken', flag: undefined, env: 'EPISODIC_DATABASE_AUTH_TOKEN', kind: 'text' },
  { key: 'tlsCert', flag: 'tls-cert', env: 'EPISODIC_TLS_CERT', kind: 'path' },
  { key: 'tlsKey', flag: 'tls-key', env: 'EPISODIC_TLS_KEY', kind: 'path' },
  { key: 'maxBodyBytes', flag: 'max-body-bytes', env: 'EPISODIC_MAX_BODY_BYTES', kind: 'number' },
  {
    key: 'maxCallsPerToken',
    flag: 'max-calls-per-token',
    env: 'EPISODIC_MAX_CALLS_PER_TOKEN',
    kind: 'number',
  },
  {
    key: 'maxSubscriptionsPerToken',
    flag: 'max-subscriptions-per-token',
    env: 'EPISODIC_MAX_SUBSCRIPTIONS_PER_TOKEN',
    kind: 'number',
  },
  { key: 'maxConnections', flag: 'max-connections', env: 'EPISODIC_MAX_CONNECTIONS', kind: 'number' },
  { key: 'drainTimeoutMs', flag: 'drain-timeout-ms', env: 'EPISODIC_DRAIN_TIMEOUT_MS', kind: 'number' },
  { key: 'metricsAccess', flag: 'metrics-access', env: 'EPISODIC_METRICS_ACCESS', kind: 'text' },
  // The flag names the variable that holds the key: a key on the command line would show in `ps`.
  { key: 'encryptionKey', flag: 'encryption-key-env', env: 'EPISODIC_ENCRYPTION_KEY', kind: 'secret' },
  { key: 'embeddings', flag: 'embeddings', env: 'EPISODIC_EMBEDDINGS', kind: 'text' },
  { key: 'embeddingsUrl', flag: 'embeddings-url', env: 'EPISODIC_EMBEDDINGS_URL', kind: 'text' },
  // A model name, or a folder when it starts with `.` or `/` (`static`).
  { key: 'embeddingsModel', flag: 'embeddings-model', env: 'EPISODIC_EMBEDDINGS_MODEL', kind: 'model' },
  {
    key: 'embeddingsDimensions',
    flag: 'embeddings-dimensions',
    env: 'EPISODIC_EMBEDDINGS_DIMENSIONS',
    kind: 'number',
  },
  {
    key: 'embeddingsApiKeyEnv',
    flag: 'embeddings-api-key-env',
    env: 'EPISODIC_EMBEDDINGS_API_KEY_ENV',
    kind: 'text',
  },
  { key: 'miners', flag: 'miners', env: 'EPISODIC_MINERS', kind: 'list' },
  {
    key: 'retentionIntervalMs',
    flag: 'retention-interval-ms',
    env: 'EPISODIC_RETENTION_INTERVAL_MS',
    kind: 'number',
  },
] as const;

type Kind = (typeof settings)[number]['kind'];

/** The flags `serve` and `tokens` accept, for `util.parseArgs`. */
export const configFlags = Object.fromEntries([
  ['config', { type: 'string' as const }],
  ...settings.flatMap((setting) =>
    setting.flag === undefined ? [] : [[setting.flag, { type: 'string' as const }]],
  ),
]) as Record<string, { type: 'string' }>;

function fromText(kind: Kind, text: string, cwd: string): unknown {
  switch (kind) {
    case 'number':
      // Left as text when it is not a number, so the schema names the setting in its error.
      return /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text;
    case 'path':
      // Left empty for the schema to refuse, naming the setting: resolved, "" was the current
      // folder, and `--data-dir "$UNSET"` scattered a store over it.
      return text === '' ? text : resolve(cwd, text);
    case 'model':
      return relativeFolder(text) ? resolve(cwd, text) : text;
    case 'list':
      return text.trim() === 'none'
        ? []
        : text
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item !== '');
    default:
      return text;
  }
}

/** A `secret` flag names an environment variable; its value is the setting. */
function fromSecretFlag(flag: string, name: string, env: Record<string, string | undefined>): string {
  const value = env[name];
  if (value === undefined || value === '')
    throw new ServerError('CONFIG', `--${flag} ${name}: the environment variable ${name} is not set.`);
  return value;
}

const isObject = (value: unknown): value is Layer =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `cache` (or `memory.cache`) with its `path` resolved against `folder`; copied, not changed in place. */
function withCacheFolder(cache: unknown, folder: string): unknown {
  if (!isObject(cache) || typeof cache.path !== 'string' || isAbsolute(cache.path)) return cache;
  return { ...cache, path: resolve(folder, cache.path) };
}

/** Paths in a config file are relative to the file, so it can be moved together with its data. */
function resolvePaths(layer: Layer, folder: string): Layer {
  for (const setting of settings) {
    const current = layer[setting.key];
    if (typeof current !== 'string') continue;
    if (
      (setting.kind === 'path' && current !== '' && !isAbsolute(current)) ||
      (setting.kind === 'model' && relativeFolder(current))
    ) {
      layer[setting.key] = resolve(folder, current);
    }
    // `file:memory.db` is a path too; the engine would read it against the current folder.
    const local = setting.kind === 'database' ? /^file:([^?]*)(.*)$/s.exec(current) : null;
    const path = local?.[1] ?? '';
    if (path !== '' && !isAbsolute(path) && !path.startsWith(':memory:'))
      layer[setting.key] = `file:${resolve(folder, path)}${local?.[2] ?? ''}`;
  }
  if (layer.cache !== undefined) layer.cache = withCacheFolder(layer.cache, folder);
  if (isObject(layer.memory) && layer.memory.cache !== undefined)
    layer.memory = { ...layer.memory, cache: withCacheFolder(layer.memory.cache, folder) };
  return layer;
}

/** A model setting names a folder, not a model, when it starts with `.` (`./tiny`, `../models/x`). */
const relativeFolder = (model: string): boolean => model.startsWith('.');

export interface LoadConfigOptions {
  flags: Record<string, string | undefined>;
  env: Record<string, string | undefined>;
  cwd?: string;
}

/**
 * The config file named by `--config` or `EPISODIC_CONFIG`: as given, and resolved. An
 * empty variable counts as unset, as every other `EPISODIC_*` does (`EPISODIC_CONFIG=` in a compose
 * file); an empty flag is a mistake on the command line.
 */
function namedConfigFile({
  flags,
  env,
  cwd,
}: Required<LoadConfigOptions>): { given: string; path: string } | undefined {
  if (flags.config === '') throw new ServerError('CONFIG', '--config: expected a FILE, got an empty value.');
  const name = flags.config === undefined ? 'EPISODIC_CONFIG' : '--config';
  const given = flags.config ?? env.EPISODIC_CONFIG;
  if (given === undefined || given === '') return undefined;
  const path = resolve(cwd, given);
  // Imported, a folder fails with a module resolution error that names no setting.
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory())
    throw new ServerError('CONFIG', `${name} ${given}: a folder, not a config file.`);
  return { given, path };
}

/**
 * `learning.mineTimeoutMs` (or `memory.learning.…`) as given, for the miners' start check, which
 * runs before the settings are parsed: plugins must be loaded first. A bad value is reported by
 * that parse; the check meanwhile uses the default.
 */
function startCheckDeadline(merged: Layer): number {
  const learning = (merged.learning ?? (merged.memory as Layer | undefined)?.learning) as Layer | undefined;
  const setting = learningOptionsSchema.shape.mineTimeoutMs;
  const given = setting.safeParse(learning?.mineTimeoutMs);
  return given.success ? given.data : setting.parse(undefined);
}

/**
 * The server's settings, from (highest first) command-line flags, environment variables, the
 * config file (`--config`, `EPISODIC_CONFIG`, or `episodic.config.{ts,mts,mjs,js}` in `cwd`) and
 * the defaults; plugins named in them are imported and checked against their contracts.
 */
export async function loadConfig({
  flags,
  env,
  cwd = process.cwd(),
}: LoadConfigOptions): Promise<ServerConfig> {
  const merged: Layer = {};
  const sources = new Map<string, Source>();
  const named = namedConfigFile({ flags, env, cwd });
  const configPath = named?.path ?? findConfigFile(cwd);
  const configFolder = configPath === undefined ? cwd : dirname(configPath);
  const shownPath = configPath === undefined ? '' : (named?.given ?? `./${relative(cwd, configPath)}`);
  if (configPath !== undefined) {
    const layer = resolvePaths(await readConfigFile(configPath, configFolder), configFolder);
    for (const [key, value] of Object.entries(layer)) {
      merged[key] = value;
      sources.set(key, 'config file');
    }
  }
  for (const setting of settings) {
    const text = env[setting.env];
    if (text === undefined || text === '') continue;
    merged[setting.key] = fromText(setting.kind, text, cwd);
    sources.set(setting.key, 'environment');
  }
  for (const setting of settings) {
    const text = setting.flag === undefined ? undefined : flags[setting.flag];
    if (text === undefined) continue;
    merged[setting.key] =
      setting.kind === 'secret' ? fromSecretFlag(setting.flag, text, env) : fromText(setting.kind, text, cwd);
    sources.set(setting.key, 'flag');
  }
  dropReplacedProviderKeys(merged, sources);

  const origin = (key: string) => {
    const setting = settings.find((candidate) => candidate.key === key);
    const source = sources.get(key);
    if (source === 'flag' && setting?.flag !== undefined) return ` (from --${setting.flag})`;
    if (source === 'environment' && setting !== undefined) return ` (from ${setting.env})`;
    if (source === 'config file') return ` (from ${shownPath})`;
    return '';
  };
  // A package named in the file is installed beside the file; one named on the command line, here.
  await loadPlugins(
    merged,
    (key) =>
      sources.get(key) === 'config file'
        ? { folder: configFolder, origin: origin(key), file: configPath }
        : { folder: cwd, origin: origin(key) },
    startCheckDeadline(merged),
  );
  const config = parseServerConfig(merged, origin);
  settingsNotes.set(config, settingsNote(shownPath, cwd));
  return config;
}

const rank: Record<Source, number> = { 'config file': 0, environment: 1, flag: 2 };

/**
 * A provider chosen over the config file's (`--embeddings none` for a file that sets `openai` and
 * its `embeddingsUrl`) takes the file's settings for the provider it replaced with it: they were
 * refused as not applying, so no flag could turn the file's provider off. A setting given as high
 * as the provider, or higher, is still checked against it.
 */
function dropReplacedProviderKeys(merged: Layer, sources: Map<string, Source>): void {
  const chosen = sources.get('embeddings');
  if (chosen === undefined) return;
  for (const key of providerKeys) {
    const source = sources.get(key);
    if (source === undefined || rank[source] >= rank[chosen]) continue;
    if (providerKeyMisfit(key, merged.embeddings) === null) continue;
    delete merged[key];
    sources.delete(key);
  }
}

/** Where each loaded config's settings came from, as `serve` says it at start. */
const settingsNotes = new WeakMap<ServerConfig, string>();

function settingsNote(shownPath: string, cwd: string): string {
  if (shownPath !== '') return `Settings: ${shownPath}, with the flags and environment variables given.`;
  const near = nearConfigFiles(cwd);
  const unread =
    near.length === 0
      ? ''
      : ` Not read: ${near.join(', ')} (a config file is named ${configFileNames.join(', ')}, or given with --config FILE).`;
  return `Settings: no config file in ${cwd}; the defaults, with the flags and environment variables given.${unread}`;
}

/**
 * Which config file `config`'s settings came from, or that none was found (and any file beside
 * that looks meant as one): a misspelt file name started the server on its defaults, its plugins
 * not loaded, without a word. `null` for settings `loadConfig` did not make.
 */
export function settingsSource(config: ServerConfig): string | null {
  return settingsNotes.get(config) ?? null;
}
