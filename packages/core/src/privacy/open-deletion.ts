import type { Cache } from '../cache/cache.js';
import type { EngineContext } from '../engine-context.js';
import type { MiningEngine } from '../mining/mining-engine.js';
import { createForget } from './forget.js';
import { createFtsPurge, defaultPurgePacing, type FtsPurge } from './fts-purge.js';
import { settleInterruptedForgets } from './interrupted-forgets.js';

/**
 * Deletion on request, as a store opens: `forget`, the purge that follows it, and what a process
 * killed part-way through either left, settled before the store serves anything.
 */
export async function openDeletion(
  context: EngineContext,
  { cache, mining }: { cache: Cache; mining: MiningEngine },
): Promise<{ purge: FtsPurge; forget: ReturnType<typeof createForget> }> {
  const { db, config } = context;
  const purge = createFtsPurge(db, config.logger, defaultPurgePacing, (forgets) => cache.purge(forgets));
  await settleInterruptedForgets(context, purge);
  // A forget whose purge a crash or kill interrupted after it returned: purge now.
  if ((await purge.state()).pendingSince !== null) purge.request();
  const forget = createForget(context, {
    purge,
    // Rare and possibly huge: drop every key rather than list them; the purge drops the freed pages.
    forgotten: () => cache.invalidateAll(),
    unmine: (tx) => mining.unmine(tx),
    recomputePatterns:
      config.miners.length === 0
        ? undefined
        : async (domains) => void (await mining.remine({}, { scope: { domains } })),
  });
  return { purge, forget };
}
