/**
 * Child process: records an episode with `<context>`, then SIGKILLs itself, so the commit stays in
 * the WAL (no checkpoint on close), as a server killed right after a write leaves it.
 */
import { openMemory } from '../../open-memory.js';

const [url, context] = process.argv.slice(2);
if (url === undefined || context === undefined) throw new Error('usage: write-and-die <url> <context>');
const memory = await openMemory({ url, cache: false });
await memory.episodes.start({ taskType: 'testing', domain: 'd', context });
process.kill(process.pid, 'SIGKILL');
