import { join, resolve } from 'node:path';
import { retentionPolicySchema } from '@episodic/core';
import type { EmbeddingProviderV1, PatternMinerV1 } from '@episodic/plugin';
import { z } from 'zod';
import { ServerError } from '../errors/server-error.js';
import { minerNames } from '../store/default-miners.js';
import { engineKeys, engineSetting, memorySettings } from './engine-settings.js';
import { builtinEmbeddings } from './load-plugins.js';
import { embeddingProviderProblems, patternMinerProblemsWithoutRunning } from './plugin-contract.js';
import { providerKeyMisfit, providerKeys } from './provider-keys.js';

/**
 * A built-in name or a plugin object that fits its contract. Package names never reach here:
 * `loadConfig` imports them first (the schema itself is synchronous).
 */
function builtinOrPlugin<Name extends string, Plugin>(
  names: readonly Name[],
  what: string,
  problemsOf: (value: unknown) => string[],
) {
  return z.custom<Name | Plugin>().superRefine((value, ctx) => {
    if ((names as readonly unknown[]).includes(value)) return;
    const problems =
      typeof value === 'string'
        ? [
            `"${value}" is not a built-in ${what} (${names.join(', ')}); a package name is loaded only ` +
              'from a config file, a flag or the environment: pass the plugin object here',
          ]
        : problemsOf(value);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
  });
}

const embeddingsSchema = builtinOrPlugin<(typeof builtinEmbeddings)[number], EmbeddingProviderV1>(
  builtinEmbeddings,
  'provider',
  embeddingProviderProblems,
);
const minerSchema = builtinOrPlugin<(typeof minerNames)[number], PatternMinerV1>(
  minerNames,
  'miner',
  patternMinerProblemsWithoutRunning,
);

/** Every setting of `episodic serve`. Paths are resolved against the current directory. */
export const serverConfigSchema = z
  .strictObject({
    /** Interface to listen on. Loopback by default: exposing the server is a decision, not an accident. */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 picks a free one. */
    port: z.number().int().min(0).max(65535).default(7777),
    /** Holds the database, the cache and the first admin token. */
    dataDir: z.string().min(1).default('./data'),
    /** libSQL url; defaults to `file:<dataDir>/memory.db`. */
    databaseUrl: z.string().min(1).optional(),
    /** Token for a remote libSQL server or Turso. Prefer the environment for it. */
    databaseAuthToken: z.string().min(1).optional(),
    /** PEM certificate and key: given both, the server speaks HTTPS only. */
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    /** Largest request body accepted, in bytes; larger ones get 413. */
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(8 * 1024 * 1024),
    /**
     * Calls one token may have running at once; its further calls wait their turn, so one
     * client's burst cannot hold everyone else's calls behind it. Subscriptions do not count.
     * Default 4 on a local database file with a built-in in-process embedder (`local`, `static`,
     * `none`), 64 otherwise
     * (`defaultCallsPerToken`).
     */
    maxCallsPerToken: z.number().int().positive().optional(),
    /**
     * Live event subscriptions (`events.onEpisode`) one token may hold at once; one more is
     * refused with `TOO_MANY_REQUESTS`. Each event is written to every subscriber of its domain
     * on the thread that answers every request (about 0.2 ms each): 2,000 streams of one token
     * made another token's `episodes.list` take 0.6–5 s instead of 2–6 ms.
     */
    maxSubscriptionsPerToken: z.number().int().positive().default(16),
    /**
     * Connections kept open at once; more are refused (closed at once) until some close. Default
     * half the process's open-file limit, at most 10,000 (`defaultMaxConnections`): the rest stays
     * for the store's own files.
     */
    maxConnections: z.number().int().positive().optional(),
    /** How long SIGTERM waits for requests in flight before cutting them off. */
    drainTimeoutMs: z.number().int().positive().default(10_000),
    /**
     * Who may read `/metrics`: anyone (`public`, for a scraper on a trusted network), or callers
     * with an admin token (`admin`): its store-wide figures follow every domain's activity.
     */
    metricsAccess: z.enum(['public', 'admin']).default('public'),
    /**
     * Encrypts the database and the cache at rest. Prefer `EPISODIC_ENCRYPTION_KEY` (or
     * `--encryption-key-env NAME`) to a config file; the key is never printed.
     */
    encryptionKey: z.string().min(1).optional(),
    /**
     * Embedding provider: `local` (offline, the default), `openai` (any OpenAI-compatible API),
     * `static` (a local model2vec model, `@episodic/embeddings-static`), `none`, or a plugin
     * (`EmbeddingProviderV1`).
     */
    embeddings: embeddingsSchema.default('local'),
    /** `openai` only: the API's base URL, e.g. `http://127.0.0.1:11434/v1` for Ollama. */
    embeddingsUrl: z.string().min(1).optional(),
    /** `openai`: the model name. `static` (required): a name pulled by `episodic models pull`, or a folder path. */
    embeddingsModel: z.string().min(1).optional(),
    /** Vector length (`local`: 384 by default; `openai`: required for models it does not know). */
    embeddingsDimensions: z.number().int().positive().optional(),
    /** `openai` only: the environment variable holding the API key (default `OPENAI_API_KEY`). */
    embeddingsApiKeyEnv: z.string().min(1).optional(),
    /** Pattern miners run on every finished episode: built-in names or plugins; all four built-ins by default. */
    miners: z.array(minerSchema).default([...minerNames]),
    /** Per-domain retention, applied on a schedule by the server and by `episodic retention apply`. */
    retention: z.record(z.string().min(1), retentionPolicySchema).default({}),
    /** How often the server applies `retention`, in ms; 0 turns the schedule off. */
    retentionIntervalMs: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(60 * 60 * 1000),
    /**
     * Runs the learners (embedder, miners) in a worker thread of `serve`, off the thread that
     * answers requests; `false` runs them on it. Ignored when `memory.learning.run` is false.
     */
    learningThread: z.boolean().default(true),
    /** Passed to the engine's `openMemory` (limits, extra task and pattern types, cache settings). */
    memory: memorySettings,
    /** Retrieval weights and sizes (`retrievalConfigSchema`). */
    retrieval: engineSetting('retrieval'),
    /** The LMDB cache: `false`, or its settings (TTLs in seconds, size, …). */
    cache: engineSetting('cache'),
    /** Background learning: whether this process runs the learners, leases, retries. */
    learning: engineSetting('learning'),
    /** Audit log retention and read aggregation. */
    audit: engineSetting('audit'),
    /** Upper bounds on what one call may store. */
    limits: engineSetting('limits'),
    /** Task types accepted beside the seed's six. */
    taskTypes: engineSetting('taskTypes'),
    /** Pattern types accepted beside the seed's four (miners register their own). */
    patternTypes: engineSetting('patternTypes'),
  })
  .superRefine((config, ctx) => {
    if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
      const missing = config.tlsCert === undefined ? 'tlsCert' : 'tlsKey';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'HTTPS needs both tlsCert and tlsKey' });
    }
    for (const key of providerKeys) {
      const misfit = config[key] === undefined ? null : providerKeyMisfit(key, config.embeddings);
      if (misfit !== null) ctx.addIssue({ code: 'custom', path: [key], message: misfit });
    }
    if (config.embeddings === 'static' && config.embeddingsModel === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['embeddingsModel'],
        message: 'embeddings "static" needs a model name or folder',
      });
    for (const key of engineKeys) {
      if (config[key] !== undefined && config.memory[key] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `set either ${key} or memory.${key}, not both`,
        });
    }
  })
  // The engine's settings travel together to `openMemory`.
  .transform(({ retrieval, cache, learning, audit, limits, taskTypes, patternTypes, memory, ...rest }) => {
    const top = { retrieval, cache, learning, audit, limits, taskTypes, patternTypes };
    const given = Object.entries(top).filter(([, value]) => value !== undefined);
    return { ...rest, memory: { ...memory, ...Object.fromEntries(given) } };
  });

export type ServerConfigInput = z.input<typeof serverConfigSchema>;
export type ServerConfig = z.output<typeof serverConfigSchema>;

/**
 * Validates settings, or throws a `CONFIG` error naming each bad field; `origin` tells where a
 * top-level setting came from (`" (from --port)"`), for settings merged from several places.
 */
export function parseServerConfig(input: unknown, origin: (key: string) => string = () => ''): ServerConfig {
  const result = serverConfigSchema.safeParse(input);
  if (result.success) return result.data;
  // One line per unknown key, named like any other setting, so a typo reads as one.
  const issues = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((name) => ({ path: [...issue.path, name], message: 'unknown setting' }))
      : [issue],
  );
  const details = issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(settings)';
    return `${path}${origin(String(issue.path[0] ?? ''))}: ${issue.message}`;
  });
  throw new ServerError('CONFIG', `Invalid server settings: ${details.join('; ')}`);
}

/** Absolute data dir and the database url the engine will open. */
export function resolveLocations(config: ServerConfig, cwd: string = process.cwd()) {
  const dataDir = resolve(cwd, config.dataDir);
  return {
    dataDir,
    databaseUrl: config.databaseUrl ?? `file:${join(dataDir, 'memory.db')}`,
    cachePath: join(dataDir, 'cache'),
    adminTokenFile: join(dataDir, 'admin-token'),
  };
}
