/**
 * Child process for the interrupted-replacement tests (run with `die-at-call.ts`):
 *   restore <path> <backup>  |  rekey <path> <new key>
 * prints `done` if it was not killed first.
 */
import { rekeyDatabase } from '../rekey-database.js';
import { restoreDatabase } from '../restore-database.js';

const [operation, path, argument] = process.argv.slice(2);
if (path === undefined || argument === undefined)
  throw new Error('usage: replace-child restore|rekey <path> <arg>');
if (operation === 'restore') await restoreDatabase({ path, from: argument });
else await rekeyDatabase({ path, newEncryptionKey: argument });
process.stdout.write('done\n');
