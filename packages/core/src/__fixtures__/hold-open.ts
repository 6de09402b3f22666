/**
 * Child process for the in-use tests: opens the store, says so and keeps it open, as a server,
 * a worker or an embedded script would, until SIGTERM (closes it) or SIGKILL (leaves its marker).
 */
import { openMemory } from '../open-memory.js';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: hold-open <url>');
const memory = await openMemory({ url, cache: false });
process.stdout.write('open\n');
const stayOpen = setInterval(() => {}, 60_000);
process.once('SIGTERM', () => {
  clearInterval(stayOpen);
  void memory.close().then(() => process.exit(0));
});
