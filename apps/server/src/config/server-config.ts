import { join, resolve } from 'node:path';
import { retentionPolicySchema } from '@episodic/core';
import { z } from 'zod';
import { ServerError } from '../errors/server-error.js';
import { minerNames } from '../store/default-miners.js';

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
    /** How long SIGTERM waits for requests in flight before cutting them off. */
    drainTimeoutMs: z.number().int().positive().default(10_000),
    /**
     * Encrypts the database and the cache at rest. Prefer `EPISODIC_ENCRYPTION_KEY` (or
     * `--encryption-key-env NAME`) to a config file; the key is never printed.
     */
    encryptionKey: z.string().min(1).optional(),
    /** Embedding provider: `local` (offline, the default), `openai` (any OpenAI-compatible API) or `none`. */
    embeddings: z.enum(['local', 'openai', 'none']).default('local'),
    /** `openai` only: the API's base URL, e.g. `http://127.0.0.1:11434/v1` for Ollama. */
    embeddingsUrl: z.string().min(1).optional(),
    /** `openai` only: the model name. */
    embeddingsModel: z.string().min(1).optional(),
    /** Vector length (`local`: 384 by default; `openai`: required for models it does not know). */
    embeddingsDimensions: z.number().int().positive().optional(),
    /** `openai` only: the environment variable holding the API key (default `OPENAI_API_KEY`). */
    embeddingsApiKeyEnv: z.string().min(1).optional(),
    /** Pattern miners run on every finished episode; all four by default, `[]` for none. */
    miners: z.array(z.enum(minerNames)).default([...minerNames]),
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
    memory: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((config, ctx) => {
    if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
      const missing = config.tlsCert === undefined ? 'tlsCert' : 'tlsKey';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'HTTPS needs both tlsCert and tlsKey' });
    }
    if (config.embeddings !== 'openai') {
      for (const key of ['embeddingsUrl', 'embeddingsModel', 'embeddingsApiKeyEnv'] as const) {
        if (config[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: 'applies only with embeddings "openai"' });
      }
    }
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
  const details = result.error.issues.map((issue) => {
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
