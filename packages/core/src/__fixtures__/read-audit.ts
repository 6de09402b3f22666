// Opens the store at argv[2] and prints its audit entries of `entityType` argv[3] as one line of
// JSON: run as a child process, so that a read that aborts the process fails the test cleanly.
import { openMemory } from '../open-memory.js';

const memory = await openMemory({ url: process.argv[2] as string, cache: false });
try {
  const entries = await memory.admin.audit({ limit: 1000 });
  const wanted = entries.filter((entry) => entry.entityType === process.argv[3]);
  console.log(JSON.stringify(wanted.map(({ actor, entityId, domain }) => ({ actor, entityId, domain }))));
} finally {
  await memory.close();
}
