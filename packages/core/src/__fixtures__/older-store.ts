import { openDatabase } from '../db/database.js';
import { migrate, migrations } from '../migrations/migrate.js';
import { compareVersions } from '../migrations/migration.js';
import { openMemory } from '../open-memory.js';
import { tempStoreFolder } from './temp-store.js';

/**
 * A store as a version at schema `version` left it (the migrations up to it, nothing after), in a
 * fresh folder; `cleanup` removes it.
 */
export async function storeAtSchema(version: string): Promise<ReturnType<typeof tempStoreFolder>> {
  const folder = tempStoreFolder();
  const db = await openDatabase({ url: folder.url, busyTimeoutMs: 5_000, synchronous: 'normal' });
  try {
    await migrate(
      db,
      migrations.filter((migration) => compareVersions(migration.version, version) <= 0),
    );
  } finally {
    await db.close();
  }
  return folder;
}

/** The warnings an open (and close) of `url` gives that contain `containing`. */
export async function openWarnings(
  url: string,
  containing: string,
  { encryptionKey }: { encryptionKey?: string } = {},
): Promise<string[]> {
  const warnings: string[] = [];
  const memory = await openMemory({
    url,
    cache: false,
    encryptionKey,
    logger: { warn: (line) => warnings.push(line) },
  });
  await memory.close();
  return warnings.filter((line) => line.includes(containing));
}
