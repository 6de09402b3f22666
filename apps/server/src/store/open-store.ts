import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  EpisodicError,
  type Memory,
  type MemoryConfig,
  newEncryptionKeyIssue,
  openMemory,
} from '@episodic/core';
import type { PatternMinerV1 } from '@episodic/plugin';
import { resolveLocations, type ServerConfig } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';
import { makeDataDir } from './data-dir.js';
import { createMiners } from './default-miners.js';
import { createEmbeddingProvider } from './embedding-provider.js';
import { olderServers } from './server-presence.js';

export interface OpenStoreOptions {
  /**
   * False opens the store without an embedding provider: what `reindex` needs to switch providers,
   * and what a command that writes no vectors (`tokens`, `audit`, `forget`) takes, so it works
   * without repeating the server's embedding settings.
   */
  embeddings?: boolean;
  /**
   * Whether this process runs the learners. Unset: as `memory.learning.run` says (default true)
   * for `serve` and `worker`; one-off commands set false and leave the queue to those.
   */
  learning?: boolean;
  /**
   * False opens the store without its cache: a command that only reads the database file (`backup`)
   * then never opens, checks or writes the LMDB environment a running server is using.
   */
  cache?: boolean;
  /** Each miner as the store runs it (the learning thread watches their calls: watched-miner.ts). */
  wrapMiner?: (miner: PatternMinerV1) => PatternMinerV1;
  /**
   * The command, for one that works on a store a server uses (`forget`, `backup`, `audit`…): a
   * local database file that does not exist is refused, naming it, rather than created. Such a
   * command run with a second server's `--data-dir` and not its `--database-url` opened a new,
   * empty store there and reported success ("Forgot 0 episodes … Purged", a verified backup of
   * nothing) while the server went on serving what it was meant to touch.
   */
  existing?: string;
}

/** Refuses to go on when `command` would create the store it means to work on. */
function assertStoreExists(config: ServerConfig, command: string): void {
  const { databaseUrl } = resolveLocations(config);
  if (!databaseUrl.startsWith('file:')) return;
  const path = localDatabasePath(config, command);
  if (existsSync(path)) return;
  throw new ServerError(
    'CONFIG',
    `No store at ${path}: ${command} works on the store a server uses, and creates none. Give that server's ` +
      '--data-dir, and its --database-url when it was started with one (its data dir then holds only its cache and token file).',
  );
}

/** The cache settings the store opens with: in `<dataDir>/cache` unless `memory.cache` says otherwise. */
function cacheSettings(config: ServerConfig): unknown {
  const given = config.memory.cache;
  if (given === false) return false;
  return {
    path: resolveLocations(config).cachePath,
    ...(typeof given === 'object' && given !== null ? given : {}),
  };
}

/** The cache folder of the store, or `null` when the cache is off. */
export function cacheFolder(config: ServerConfig): string | null {
  const settings = cacheSettings(config) as false | { path: string };
  return settings === false ? null : resolve(settings.path);
}

/** The path of the store's database file; maintenance commands work on local files only. */
export function localDatabasePath(config: ServerConfig, command: string): string {
  const { databaseUrl } = resolveLocations(config);
  if (!databaseUrl.startsWith('file:')) {
    throw new ServerError(
      'CONFIG',
      `${command} works on a local database file; ${databaseUrl.split('?')[0]} is not one. Use the libSQL server's own tools.`,
    );
  }
  const raw = databaseUrl.slice('file:'.length).split('?')[0] ?? '';
  return resolve(raw.startsWith('//') ? raw.slice(2) : raw);
}

/**
 * Core names the processes that had the file open when a migration ran under them, by the markers
 * they left beside it; servers before schema 1.20.0 left theirs in the data dir only, so an upgrade
 * under one said nothing while it went on writing rows without the new columns (upgrade audit).
 */
function warnOfOlderServers(memory: Memory, pids: readonly number[]): void {
  const { migration } = memory;
  if (migration.from === null || migration.applied.length === 0 || pids.length === 0) return;
  memory.config.logger.warn(
    `episodic: brought the store from schema ${migration.from} to ${migration.to} while a server of an older version serves it ` +
      `(pid ${pids.join(', ')}): it checks the schema only as it starts, so it goes on writing rows without what this ` +
      'version adds. Stop it and start it with this version.',
  );
}

/**
 * Opens the store as `episodic serve` does, composed from the settings: the embedding provider
 * (`local` by default) and the pattern miners (all four by default). Every command that opens
 * the store opens it this way, so the vectors and patterns it writes match the server's.
 */
export async function openStore(config: ServerConfig, options: OpenStoreOptions = {}): Promise<Memory> {
  if (options.existing !== undefined) assertStoreExists(config, options.existing);
  const locations = resolveLocations(config);
  makeDataDir(locations.dataDir);
  const learning = (config.memory.learning ?? {}) as Record<string, unknown>;
  const memoryConfig = {
    ...config.memory,
    learning: options.learning === undefined ? learning : { ...learning, run: options.learning },
    cache: options.cache === false ? false : cacheSettings(config),
    url: locations.databaseUrl,
    authToken: config.databaseAuthToken,
    encryptionKey: config.encryptionKey ?? config.memory.encryptionKey,
    embeddings: options.embeddings === false ? undefined : createEmbeddingProvider(config),
    miners: createMiners(config.miners).map((miner) => options.wrapMiner?.(miner) ?? miner),
  } as MemoryConfig;
  // Looked for before the open, as core looks for processes with the file open: only a server
  // already serving can be one the migration runs under (an older one started later refuses the
  // newer schema).
  const older = olderServers(locations.dataDir);
  try {
    const memory = await openMemory(memoryConfig);
    warnOfOlderServers(memory, older);
    return memory;
  } catch (error) {
    const tooShort = newEncryptionKeyIssue(memoryConfig.encryptionKey);
    if (
      tooShort !== null &&
      EpisodicError.isInstance(error) &&
      error.issues.some((issue) => issue.path === 'encryptionKey')
    ) {
      // The engine names its option; the operator set one of these.
      throw new ServerError(
        'CONFIG',
        `The encryption key (EPISODIC_ENCRYPTION_KEY, the variable --encryption-key-env names, or encryptionKey in the config file) ${tooShort}, and ${locations.databaseUrl.replace(/^file:/, '').split('?')[0]} holds no store yet. A store that exists keeps opening with its own key, whatever its length.`,
        { cause: error },
      );
    }
    if (EpisodicError.isInstance(error) && error.code === 'CONFIG' && /reindex/.test(error.message)) {
      throw new ServerError(
        'CONFIG',
        `${error.message} With the CLI: \`serve\`, \`worker\` and every other command must be given the embedding settings the store was made with (\`--embeddings\`, \`--embeddings-model\`…, their EPISODIC_EMBEDDINGS* variables or the config file). To switch the store to another provider on purpose, stop every server and worker of it and run \`episodic reindex\` with the settings to keep: it re-embeds only what another model made, goes on where it stopped when run again, and until it ends no server opens the store.`,
        { cause: error },
      );
    }
    throw error;
  }
}
