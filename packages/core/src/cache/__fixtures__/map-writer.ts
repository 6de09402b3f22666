/**
 * A process holding a cache environment opened with LMDB's writable map. On 'write' it commits
 * 2 MiB through the map without the room check, as a commit does when the disk fills between
 * the check and the commit (map-room.ts), and answers 'written'.
 */
import { mkdirSync } from 'node:fs';
import { acquireHandle, initializeEnvironment } from '../lmdb-handle.js';

const [envPath = ''] = process.argv.slice(2);
const options = { volatile: true, mapSizeBytes: 8 * 1024 * 1024 };
mkdirSync(envPath, { recursive: true });
initializeEnvironment(envPath, options);
const handle = acquireHandle(envPath, options);
if (handle === null || typeof handle === 'string') throw new Error(handle ?? `${envPath} vanished`);
process.on('message', (message) => {
  if (message !== 'write') return;
  const value = Buffer.alloc(4096, 7);
  handle.db.transactionSync(() => {
    for (let i = 0; i < 512; i += 1) handle.db.putSync(`key ${i}`, value);
  });
  process.send?.('written');
});
process.send?.('ready');
