/**
 * Loaded with `--import` before a maintenance child: `EPISODIC_DIE_AT=renameSync:3` SIGKILLs the
 * process right after its third `fs.renameSync` returns, i.e. at an exact point between two file
 * moves, where a crash or `kill -9` can stop a restore. Each call is printed to stdout
 * (`call renameSync 3`), so the parent sees how far a run got.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const [name = '', nth = ''] = (process.env.EPISODIC_DIE_AT ?? '').split(':');
const functions = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
const original = functions[name];
if (original === undefined) throw new Error(`EPISODIC_DIE_AT: no fs.${name}`);
let calls = 0;
functions[name] = (...args: unknown[]) => {
  const result = original(...args);
  calls += 1;
  process.stdout.write(`call ${name} ${calls}\n`);
  if (calls === Number(nth)) process.kill(process.pid, 'SIGKILL');
  return result;
};
// The named `node:fs` imports of the modules loaded after this one see the wrapper.
syncBuiltinESMExports();
