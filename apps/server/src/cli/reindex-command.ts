import { assertReindexable } from '@episodic/core';
import { resolveLocations } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';
import { createEmbeddingProvider } from '../store/embedding-provider.js';
import { localDatabasePath, openStore } from '../store/open-store.js';
import { assertNotServed } from '../store/server-presence.js';
import { type CommandArgs, flag } from './command-args.js';
import { note, print, printJson } from './output.js';

/**
 * `episodic reindex`: re-embeds every finished episode with the configured embedding provider,
 * which becomes the store's. What switching providers takes; resumable if interrupted. Core
 * refuses while another process has the database file open (it would embed with the old model).
 */
export async function reindexCommand(args: CommandArgs): Promise<void> {
  const provider = createEmbeddingProvider(args.config);
  if (provider === undefined)
    throw new ServerError('CONFIG', 'reindex needs an embedding provider: embeddings is "none".');
  const { databaseUrl, dataDir } = resolveLocations(args.config);
  const path = databaseUrl.startsWith('file:') ? localDatabasePath(args.config, 'reindex') : undefined;
  // Before the open, which would migrate the store under a server that then cannot read it.
  assertNotServed(dataDir, 'reindex', 're-embeds its episodes for another model', path);
  // A worker or script of 1.20 or later marks the file itself: the open would migrate it under them.
  if (path !== undefined) assertReindexable(path);
  // Opened without a provider: with the new one, a store holding other vectors refuses to open.
  const memory = await openStore(args.config, { existing: 'reindex', embeddings: false, learning: false });
  try {
    const report = await memory.admin.reindex(provider, {
      onProgress: ({ embedded, pending }) => note(`reindex: ${embedded}/${pending} episodes embedded`),
    });
    if (flag(args, 'json')) return printJson(report);
    print(
      `Re-embedded ${report.embedded} episodes with ${report.stamp} (${report.alreadyCurrent} were already current` +
        (report.refused.length > 0
          ? `; ${report.refused.length} refused by the provider have no vector and are found by text only).`
          : ').'),
    );
  } finally {
    await memory.close();
  }
}
