/**
 * Child process for the concurrent-forget journal test: prints `ready`, waits for a line on
 * stdin (so that every process starts at once), then writes and removes `<count>` forget
 * journals of `<database>` one after the other, as back-to-back forgets do, and prints how many
 * could not be written.
 */
import { once } from 'node:events';
import { startForgetJournal } from '../privacy/forget-journal.js';

const [database, count] = process.argv.slice(2);
if (database === undefined || count === undefined) throw new Error('usage: journal-churn <database> <count>');
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const failures: string[] = [];
for (let i = 0; i < Number(count); i += 1) {
  const journal = startForgetJournal(
    database,
    { actor: 'churn', origin: 'forget', episodeIds: [`episode-${i}`] },
    { warn: (message) => failures.push(message) },
  );
  journal.done();
}
process.stdout.write(`${JSON.stringify({ failures: failures.length, first: failures[0] ?? null })}\n`);
process.stdin.destroy();
