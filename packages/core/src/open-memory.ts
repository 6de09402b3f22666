import { emptyKeyspaceStats, type CacheStats } from './cache/cache-stats.js';
import { memoryConfigSchema, type MemoryConfig, type ResolvedMemoryConfig } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import type { EngineContext } from './engine-context.js';
import { EpisodicError } from './errors.js';
import { createEpisodeReads } from './episodes/episode-reads.js';
import { createEpisodeWrites } from './episodes/episode-writes.js';
import { migrate, type MigrationReport } from './migrations/migrate.js';
import { compareVersions } from './migrations/migration.js';
import { createPatternReads } from './patterns/pattern-reads.js';
import { createInputSchemas, type InputSchemas } from './schemas/input-schemas.js';
import { createTextSearch } from './search/text-search.js';
import type { CallOptions, Step } from './types.js';
import type { StepInput } from './schemas/input-schemas.js';
import { parseInput } from './validate.js';

export type Memory = Awaited<ReturnType<typeof openMemory>>;

async function migrateOrClose(db: Database): Promise<MigrationReport> {
  try {
    return await migrate(db);
  } catch (error) {
    db.close();
    if (EpisodicError.isInstance(error)) throw error;
    throw new EpisodicError('STORAGE', `Could not bring the database schema up to date: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Opens (creating if needed) an Episodic store and brings its schema up to date.
 *
 * @example
 * const memory = await openMemory({ url: 'file:./data/memory.db' });
 * const episode = await memory.startEpisode({ taskType: 'debugging', domain: 'web' });
 */
export async function openMemory(config: MemoryConfig = {}) {
  const resolved: ResolvedMemoryConfig = parseInput(memoryConfigSchema, config, 'memory config');
  const db = await openDatabase(resolved);
  const migration = await migrateOrClose(db);
  const schemas: InputSchemas = createInputSchemas({
    limits: resolved.limits,
    taskTypes: resolved.taskTypes,
    patternTypes: resolved.patternTypes,
  });
  const context: EngineContext = { db, config: resolved, schemas };
  const writes = createEpisodeWrites(context);
  let closed = false;

  return {
    config: resolved,
    /** The zod schemas this store validates with (its limits and enumerations). */
    schemas,
    /** What opening did to the schema: from which version to which, and the migrations applied. */
    migration,
    ...writes,
    /** Logs one step; see `logSteps`. */
    async logStep(episodeId: string, step: StepInput, options: CallOptions = {}): Promise<Step> {
      const [stored] = await writes.logSteps(episodeId, [step], options);
      return stored as Step;
    },
    ...createEpisodeReads(context),
    ...createPatternReads(context),
    ...createTextSearch(context),

    /** Hit, miss, eviction and size counts per cache keyspace. */
    cacheStats(): CacheStats {
      return {
        enabled: false,
        reason: 'no cache configured',
        keyspaces: { episode: emptyKeyspaceStats(), pattern: emptyKeyspaceStats(), query: emptyKeyspaceStats() },
      };
    },

    /** Refreshes the query planner's statistics (the seed's `ANALYZE`). */
    async analyze(): Promise<void> {
      await db.write((tx) => tx.execute('ANALYZE'));
    },

    /** The schema version recorded in the database. */
    async schemaVersion(): Promise<string> {
      const rows = await db.read('SELECT version FROM schema_migrations');
      return rows.rows.map((row) => String(row.version)).sort(compareVersions).at(-1) ?? '0.0.0';
    },

    /** Releases the database; later calls fail with `STORAGE`. Safe to call twice. */
    close(): void {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

export { parseInput };
