import type { Database } from '../db/database.js';
import { EpisodicError } from '../errors.js';

/**
 * Stamps stored besides `stamp`, found through the model index without scanning: the nearest
 * one below and the nearest above in index order.
 */
export async function otherStoredStamps(db: Database, stamp: string): Promise<string[]> {
  const [below, above] = await db.readBatch([
    {
      sql: 'SELECT model_name FROM embeddings WHERE model_name < ? ORDER BY model_name DESC LIMIT 1',
      args: [stamp],
    },
    {
      sql: 'SELECT model_name FROM embeddings WHERE model_name > ? ORDER BY model_name LIMIT 1',
      args: [stamp],
    },
  ]);
  return [...(below?.rows ?? []), ...(above?.rows ?? [])].map((row) => String(row.model_name));
}

/**
 * Refuses to use `stamp` on a store holding vectors of another model: comparing vectors from
 * two vector spaces gives similarities that mean nothing, silently.
 */
export async function assertStoredStampsMatch(db: Database, stamp: string): Promise<void> {
  const others = await otherStoredStamps(db, stamp);
  if (others.length === 0) return;
  const current = (
    await db.read({
      sql: 'SELECT EXISTS (SELECT 1 FROM embeddings WHERE model_name = ?) AS found',
      args: [stamp],
    })
  ).rows[0];
  const mixed = Number(current?.found ?? 0) === 1;
  if (mixed)
    // Neither provider opens it now, so "open it with the provider that made them" led nowhere.
    throw new EpisodicError(
      'CONFIG',
      `This store holds vectors made by ${others.join(' and ')} as well as ${stamp} (an unfinished reindex), ` +
        'and vectors of different models cannot be compared: it opens with neither until one is chosen. ' +
        'Open it without `embeddings` and call `memory.admin.reindex(provider)` (`episodic reindex`) with the ' +
        'provider to keep: it re-embeds only the episodes the other one made.',
    );
  throw new EpisodicError(
    'CONFIG',
    `This store holds vectors made by ${others.join(' and ')}, ` +
      `but it was opened with the embedding provider ${stamp}. Vectors of different models cannot be compared. ` +
      'To switch providers, open the store without `embeddings` and call `memory.admin.reindex(provider)`: it re-embeds ' +
      'every episode with the new provider and can be resumed if interrupted. To keep the old vectors, open it with the provider that made them.',
  );
}
