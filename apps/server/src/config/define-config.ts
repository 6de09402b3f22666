import type { MemoryConfig, RetentionPolicy } from '@episodic/core';
import type { EmbeddingProviderV1, PatternMinerV1 } from '@episodic/plugin';
import type { MinerName } from '../store/default-miners.js';
import type { PluginReference } from './load-plugins.js';

/**
 * A package name typed so that editors still suggest the built-in names beside it (a plain
 * `string` in the union would swallow them).
 */
type PackageName = string & {};

/**
 * The embedding provider: a built-in name, a plugin object (typically the return value of the
 * plugin's factory, imported in the config file, so its options are type-checked), a package
 * name, or `{ package, options }`.
 */
export type EmbeddingsSetting =
  | 'local'
  | 'openai'
  | 'none'
  | EmbeddingProviderV1
  | PluginReference
  | PackageName;

/** One pattern miner: a built-in name, a plugin object, a package name, or `{ package, options }`. */
// biome-ignore lint/suspicious/noExplicitAny: a miner of any pattern data type belongs in the list.
export type MinerSetting = MinerName | PatternMinerV1<any> | PluginReference | PackageName;

/**
 * What `episodic.config.{ts,mts,mjs,js}` exports by default (see `defineConfig`). Every key is
 * optional; flags and `EPISODIC_*` variables override the built-in settings they name. Relative
 * paths are relative to the config file; package names are resolved from its folder.
 */
export interface EpisodicConfig {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** TCP port; 0 picks a free one (the actual port is printed). Default 7777. */
  port?: number;
  /** Holds the database, the cache and the first admin token. Default `./data`. */
  dataDir?: string;
  /** libSQL url; default `file:<dataDir>/memory.db`; or `libsql://…` (Turso, sqld). */
  databaseUrl?: string;
  /** Token for a remote libSQL server; prefer `EPISODIC_DATABASE_AUTH_TOKEN`. */
  databaseAuthToken?: string;
  /** PEM certificate and key: given both, the server speaks HTTPS only. */
  tlsCert?: string;
  tlsKey?: string;
  /** Largest request body accepted, in bytes. Default 8 MiB. */
  maxBodyBytes?: number;
  /**
   * Calls one token may have running at once; the rest wait their turn. Default 4 on a local
   * database file with a built-in in-process embedder (`local`, `static`, `none`), 64 with a
   * remote database, `openai` or a plugin provider (which may call the network).
   */
  maxCallsPerToken?: number;
  /** Connections kept open at once; more are refused until some close. Default half the open-file limit, at most 10 000. */
  maxConnections?: number;
  /** Live event subscriptions one token may hold at once; one more is refused (`TOO_MANY_REQUESTS`). Default 16. */
  maxSubscriptionsPerToken?: number;
  /** How long SIGTERM waits for requests in flight. Default 10 000 ms. */
  drainTimeoutMs?: number;
  /** Who may read `/metrics`: `'public'` (default) or `'admin'` (an admin token). */
  metricsAccess?: 'public' | 'admin';
  /** Encrypts the database and cache at rest; prefer `EPISODIC_ENCRYPTION_KEY` to a file. */
  encryptionKey?: string;
  /** The embedding provider. Default `'local'` (offline, no model). */
  embeddings?: EmbeddingsSetting;
  /** Built-in `openai` only: base URL of the OpenAI-compatible API. */
  embeddingsUrl?: string;
  /** `openai`: the model name. `static` (required): a name pulled by `episodic models pull`, or a folder path. */
  embeddingsModel?: string;
  /** `local` and `openai` only (`static` takes its model's): vector length. */
  embeddingsDimensions?: number;
  /** Built-in `openai` only: the environment variable holding the API key (default `OPENAI_API_KEY`). */
  embeddingsApiKeyEnv?: string;
  /**
   * The pattern miners run on every finished episode. Default: the four built-ins. Listing
   * miners replaces that list, so keep the built-ins you want: `['tool_sequence', myMiner()]`.
   */
  miners?: readonly MinerSetting[];
  /** Retrieval weights and sizes, as the engine's `retrieval` option. */
  retrieval?: MemoryConfig['retrieval'];
  /** The LMDB cache: `false` turns it off; default in `<dataDir>/cache`. */
  cache?: MemoryConfig['cache'];
  /** Background learning (`run: false` leaves it to `episodic worker`), leases and retries. */
  learning?: MemoryConfig['learning'];
  /** Audit log retention and read aggregation. */
  audit?: MemoryConfig['audit'];
  /** Upper bounds on what one call may store. */
  limits?: MemoryConfig['limits'];
  /** Task types accepted beside the seed's six. */
  taskTypes?: MemoryConfig['taskTypes'];
  /** Pattern types accepted beside the seed's four (miners register their own). */
  patternTypes?: MemoryConfig['patternTypes'];
  /** Per-domain retention, applied on a schedule and by `episodic retention apply`. */
  retention?: Record<string, RetentionPolicy>;
  /** How often the server applies `retention`, in ms; 0 turns the schedule off. Default hourly. */
  retentionIntervalMs?: number;
  /**
   * `serve` runs the learners (embedder, miners) in a worker thread with its own connection, so
   * learning never holds the thread that answers requests. Default `true`; `false` runs them there.
   */
  learningThread?: boolean;
  /** Any other `openMemory` option, passed through (the keys above may not be repeated here). */
  memory?: Record<string, unknown>;
}

/**
 * Types an `episodic.config.*` file. It returns its argument unchanged: the checking is done by
 * TypeScript in your editor and, for every value, by the server when it starts.
 *
 * @example
 * // episodic.config.mjs
 * import { defineConfig } from '@episodic/server';
 * import { createRetryMiner } from 'episodic-miner-retry';
 *
 * export default defineConfig({
 *   port: 8080,
 *   miners: ['tool_sequence', 'error_resolution', createRetryMiner({ minAttempts: 2 })],
 *   retrieval: { weights: { vector: 0.4 } },
 * });
 */
export function defineConfig<const Config extends EpisodicConfig>(config: Config): Config {
  return config;
}
