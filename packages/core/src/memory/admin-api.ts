import { localActor } from '../audit/audit-event.js';
import type { Cache } from '../cache/cache.js';
import type { ChangeFeedFollower } from '../cache/change-feed.js';
import { invalidateCache } from '../cache/invalidation.js';
import type { EmbeddingEngine } from '../embeddings/embedding-engine.js';
import { embeddingProviderSchema } from '../embeddings/provider-schema.js';
import { assertReindexable, reindexEpisodes } from '../embeddings/reindex.js';
import type { EngineContext } from '../engine-context.js';
import type { EpisodeLearner } from '../learning/episode-learner.js';
import type { LearningRunner } from '../learning/learning-runner.js';
import { createStoreMaintenance } from '../maintenance/store-maintenance.js';
import { compareVersions } from '../migrations/migration.js';
import type { MiningEngine } from '../mining/mining-engine.js';
import type { ForgetOptions, ForgetReport } from '../privacy/forget.js';
import type { ForgetSelector } from '../privacy/forget-selector.js';
import type { FtsPurge } from '../privacy/fts-purge.js';
import { createRetention } from '../privacy/retention.js';
import { parseInput } from '../validate.js';
import type { AdminApi } from './memory.js';

export interface AdminDeps {
  cache: Cache;
  /** Null without a cache. */
  feed: ChangeFeedFollower | null;
  mining: MiningEngine;
  embeddings: EmbeddingEngine;
  learners: EpisodeLearner[];
  learning: LearningRunner;
  forget: (input: ForgetSelector, options?: ForgetOptions) => Promise<ForgetReport>;
  purge: FtsPurge;
  /** This store's marker in the database file's presence folder; absent for a remote or in-memory database. */
  presence?: string | undefined;
}

/** `memory.admin`, built from the engine's parts; each member is one operation, no overrides. */
export function createAdminApi(context: EngineContext, deps: AdminDeps): AdminApi {
  const { db, audit } = context;
  const { cache, mining, embeddings, learners, learning } = deps;
  const maintenance = createStoreMaintenance(context, {
    // The cache replaced with an empty one, as a purge does, rather than each entry overwritten in
    // one transaction (`invalidateAll`), which leaves every key behind; session 45's reason, that
    // deleting them aborted `episodic repair` beside a live server, went with deletion (`retire`).
    repaired: () => cache.purge(),
  });
  const cacheStats = () => ({
    ...cache.stats(),
    vectorIndex: embeddings.active()?.index.stats() ?? null,
    changeFeed: deps.feed?.status() ?? null,
  });
  const schemaVersion = async () => {
    const rows = await db.read('SELECT version FROM schema_migrations');
    return (
      rows.rows
        .map((row) => String(row.version))
        .sort(compareVersions)
        .at(-1) ?? '0.0.0'
    );
  };

  return {
    stats: async () => ({
      schemaVersion: await schemaVersion(),
      cache: cacheStats(),
      learning: await learning.status(),
      purge: await deps.purge.state(),
    }),
    audit: (input = {}, options = {}) => audit.query(input, options.scope),
    flushAudit: () => audit.flush(),
    recordAudit: (event) => audit.record(event),
    forget: deps.forget,
    purge: () => deps.purge.settle(),
    retention: createRetention(context, {
      forget: deps.forget,
      archived: () => cache.purge(),
    }),
    async remine(input = {}, options = {}) {
      const event = {
        actor: options.actor ?? localActor,
        operation: 'admin',
        entityType: 'patterns',
      } as const;
      try {
        const report = await mining.remine(input, options);
        audit.record({ ...event, outcome: 'ok' });
        return report;
      } catch (error) {
        audit.record({ ...event, outcome: 'error' });
        throw error;
      }
    },
    async reindex(provider, options = {}) {
      const checked = parseInput(embeddingProviderSchema, provider, 'embedding provider', 'provider');
      if (db.location.path !== undefined) assertReindexable(db.location.path, deps.presence);
      embeddings.use(checked);
      if (!learners.includes(embeddings.learner)) learners.push(embeddings.learner);
      learning.wake();
      try {
        return await reindexEpisodes(context, checked, options);
      } finally {
        // Reindexing restamps episodes in batches, each committed on its own.
        cache.invalidateAll();
      }
    },
    embeddingModel: () => embeddings.active()?.stamp ?? null,
    cacheStats,
    invalidateCache: (input = {}) => invalidateCache(cache, input),
    async warmUp() {
      const active = embeddings.active();
      if (active === null) return null;
      await active.index.sync();
      return active.index.stats();
    },
    analyze: async () => void (await db.write((tx) => tx.execute('ANALYZE'))),
    schemaVersion,
    lostDatabaseFile: () => db.lostFile(),
    backup: maintenance.backup,
    repair: maintenance.repair,
  };
}
