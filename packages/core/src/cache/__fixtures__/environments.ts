import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The environment folders in a cache folder (one per boot and database; `.corrupt-…` set aside).
 * A removed one (`.old-…`) that `removeFolder` emptied is none: it is left for a minute, empty,
 * for a process that may still be opening it (`emptiedFolderLifetimeMs`).
 */
export const environments = (cacheRoot: string): string[] =>
  readdirSync(cacheRoot).filter(
    (name) =>
      name.startsWith('lmdb-v1-') &&
      !(name.includes('.old-') && readdirSync(join(cacheRoot, name)).length === 0),
  );
