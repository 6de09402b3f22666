import { localActor, newEncryptionKeyIssue, rekeyDatabase } from '@episodic/core';
import { resolveLocations } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';
import { cacheFolder, localDatabasePath, openStore } from '../store/open-store.js';
import { assertNotServed } from '../store/server-presence.js';
import { type CommandArgs, flag, stringOption } from './command-args.js';
import { note, print, printJson } from './output.js';

export const defaultNewKeyEnv = 'EPISODIC_NEW_ENCRYPTION_KEY';

/**
 * `episodic rekey [--new-key-env NAME | --decrypt] [--keep-old]`: moves the store to the key held
 * in the environment variable NAME (at least `minEncryptionKeyChars` characters) or to no key,
 * copying every row and checking the counts before it swaps the new file in; the file under the
 * old key is deleted unless --keep-old. Keys are read from the environment and never printed.
 * Refused while a server serves the data dir, or (core checks) any process has the database file
 * open.
 */
export async function rekeyCommand(args: CommandArgs): Promise<void> {
  const { config } = args;
  const decrypt = flag(args, 'decrypt');
  const keyEnv = stringOption(args, 'new-key-env');
  if (decrypt && keyEnv !== undefined)
    throw new ServerError('USAGE', 'rekey takes --new-key-env NAME or --decrypt, not both.');
  const envName = keyEnv ?? defaultNewKeyEnv;
  const newKey = decrypt ? undefined : process.env[envName];
  if (!decrypt && (newKey === undefined || newKey === '')) {
    throw new ServerError(
      'USAGE',
      `rekey reads the new key from ${envName}, which is not set (or pass --decrypt to remove encryption).`,
    );
  }
  // Refused before anything is read or written; the key itself is never printed.
  const tooShort = newEncryptionKeyIssue(newKey);
  if (tooShort !== null) throw new ServerError('CONFIG', `${envName} ${tooShort}. Nothing was changed.`);
  // Both unset is not "the same key": there is no key, and the operator should hear that.
  if (decrypt && config.encryptionKey === undefined)
    throw new ServerError(
      'USAGE',
      'rekey --decrypt: no encryption key is set (EPISODIC_ENCRYPTION_KEY, --encryption-key-env or encryptionKey), ' +
        'so the store is not encrypted: there is nothing to decrypt. If it is encrypted, give its key.',
    );
  if (newKey === config.encryptionKey)
    throw new ServerError('USAGE', 'The new key is the key the store already uses.');
  const path = localDatabasePath(config, 'rekey');
  assertNotServed(resolveLocations(config).dataDir, 'rekey', undefined, path);

  const report = await rekeyDatabase({
    path,
    encryptionKey: config.encryptionKey,
    newEncryptionKey: newKey,
    cachePath: cacheFolder(config) ?? undefined,
    keepOld: flag(args, 'keep-old'),
  });
  // Opening with the new key proves it works, and rebuilds the cache under it.
  const memory = await openStore(
    { ...config, encryptionKey: newKey },
    { embeddings: false, learning: false },
  );
  memory.admin.recordAudit({
    actor: localActor,
    operation: 'admin',
    entityType: 'database',
    entityId: 'rekey',
    outcome: 'ok',
  });
  await memory.close();

  if (flag(args, 'json')) return printJson(report);
  const rows = Object.values(report.rows).reduce((sum, n) => sum + n, 0);
  print(`${decrypt ? 'Decrypted' : 'Re-encrypted'} ${path}: ${rows} rows copied and counted.`);
  print(
    decrypt
      ? 'Remove encryptionKey / EPISODIC_ENCRYPTION_KEY from the settings before the next start.'
      : `From now on start with the new key: set EPISODIC_ENCRYPTION_KEY (or encryptionKey) to the value of ${envName}.`,
  );
  if (report.olderMining !== null) note(report.olderMining);
  if (report.previous !== null) {
    note(
      `The file under the old key is kept at ${report.previous} (--keep-old); delete it once the store opens with the new key.`,
    );
  }
  if (report.removedPrevious) note('The file under the old key was deleted (--keep-old keeps it).');
}
