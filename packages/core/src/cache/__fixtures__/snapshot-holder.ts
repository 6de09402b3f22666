/**
 * A process that reads the cache environment in `root` (the one folder of its database) and then
 * holds that read snapshot, its thread blocked, until killed: as a server does mid-request, or a
 * process paused in the middle of a read. LMDB reuses no page freed after that snapshot.
 *   argv: <cache root>   message out: 'holding'
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';

const [root = ''] = process.argv.slice(2);
const folder = readdirSync(root).find((name) => /^lmdb-v\d+-b[0-9a-z]+-d[0-9a-f]+-k[0-9a-z]+$/.test(name));
if (folder === undefined) throw new Error(`no cache environment in ${root}`);
const db = open(join(root, folder), { encoding: 'binary', readOnly: true });
db.getBinary('any key');
process.send?.('holding');
const blocked = new Int32Array(new SharedArrayBuffer(4));
for (;;) Atomics.wait(blocked, 0, 0);
