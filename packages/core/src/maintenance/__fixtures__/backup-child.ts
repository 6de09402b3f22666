/**
 * Child process for the interrupted-backup tests (run with `die-at-call.ts`): backs the store at
 * `<url>` up to `<file>` and prints `done` if it was not killed first.
 */
import { openMemory } from '../../open-memory.js';

const [url, file] = process.argv.slice(2);
if (url === undefined || file === undefined) throw new Error('usage: backup-child <url> <file>');
const memory = await openMemory({ url, cache: false });
await memory.admin.backup(file);
await memory.close();
process.stdout.write('done\n');
