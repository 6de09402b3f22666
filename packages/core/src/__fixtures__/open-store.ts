// Opens the store at argv[2] (with `verify` after it, verifies its file; with `backup FILE`, backs
// it up there) and says how that went on one line of JSON: a test runs it as another user.
import { EpisodicError } from '../errors.js';
import { verifyDatabase } from '../maintenance/verify-database.js';
import { openMemory } from '../open-memory.js';

const url = process.argv[2] as string;
try {
  if (process.argv[3] === 'verify') {
    console.log(JSON.stringify(await verifyDatabase(url.replace(/^file:/, ''))));
  } else if (process.argv[3] === 'backup') {
    const memory = await openMemory({ url, cache: false });
    try {
      await memory.admin.backup(process.argv[4] as string);
    } finally {
      await memory.close();
    }
    console.log(JSON.stringify({ opened: true }));
  } else {
    const memory = await openMemory({ url, cache: false });
    await memory.close();
    console.log(JSON.stringify({ opened: true }));
  }
} catch (error) {
  console.log(
    JSON.stringify({
      code: EpisodicError.isInstance(error) ? error.code : null,
      message: (error as Error).message,
    }),
  );
}
