// Probe: is FTS5 'secure-delete' sound on the SQLite that libsql ships (3.45.1)? Random inserts,
// REPLACEs and deletes on an own-content and an external-content FTS5 table (triggers pass the old
// values, as ours do), from CONNECTIONS connections; a fresh connection runs 'integrity-check'
// every 500 operations and stops at the first failure.
// Usage, from packages/core: node ../../scripts/probes/fts5-secure-delete.cjs sd|none OPS SEED CONNECTIONS
// 2026-12-02, with this script before it was tidied (same operation mix, a different random stream):
// 'sd' corrupt at op 6000 (1 connection) and at 6000/6500 (3, seeds 1/2); 'none' ok after 20000 (3).
const { rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const Database = require(require.resolve('libsql', { paths: [process.cwd()] }));

const [variant = 'sd', ops = '20000', seedArg = '1', connectionCount = '3'] = process.argv.slice(2);
const file = `${tmpdir()}/fts5-secure-delete-probe.db`;
for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });

const first = new Database(file);
first.exec('PRAGMA journal_mode=WAL');
first.exec('CREATE VIRTUAL TABLE d USING fts5(head, body)');
first.exec('CREATE TABLE s(id INTEGER PRIMARY KEY, action, result)');
first.exec("CREATE VIRTUAL TABLE s_fts USING fts5(action, result, content='s', content_rowid='id')");
first.exec(`CREATE TRIGGER s_ai AFTER INSERT ON s BEGIN
  INSERT INTO s_fts(rowid, action, result) VALUES (new.id, new.action, new.result); END`);
first.exec(`CREATE TRIGGER s_ad AFTER DELETE ON s BEGIN
  INSERT INTO s_fts(s_fts, rowid, action, result) VALUES ('delete', old.id, old.action, old.result); END`);
if (variant === 'sd') {
  first.exec("INSERT INTO d(d, rank) VALUES('secure-delete', 1)");
  first.exec("INSERT INTO s_fts(s_fts, rank) VALUES('secure-delete', 1)");
}
const connections = [first];
while (connections.length < Number(connectionCount)) connections.push(new Database(file));

let seed = Number(seedArg);
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const words = 'alpha beta gamma delta error failed module import test run build file path node search'.split(
  ' ',
);
const text = (n) =>
  Array.from({ length: n }, () =>
    random() < 0.2 ? `u${Math.floor(random() * 5000)}` : words[Math.floor(random() * words.length)],
  ).join(' ');
const pickLive = (live) => [...live][Math.floor(random() * live.size)];

function check(label) {
  const fresh = new Database(file);
  for (const table of ['d', 's_fts']) {
    try {
      fresh.exec(`INSERT INTO ${table}(${table}, rank) VALUES('integrity-check', 1)`);
    } catch (error) {
      console.log(variant, 'CORRUPT', table, 'at op', label, error.message);
      process.exit(1);
    }
  }
  fresh.close();
}

const live = new Set();
const stepsOf = new Map();
let nextDoc = 1;
let nextStep = 1;
for (let op = 0; op < Number(ops); op += 1) {
  const db = connections[Math.floor(random() * connections.length)];
  const inTransaction = random() < 0.5;
  if (inTransaction) db.exec('BEGIN IMMEDIATE');
  for (let k = 1 + Math.floor(random() * 3); k > 0; k -= 1) {
    const roll = random();
    if (roll < 0.45 || live.size < 10) {
      const id = nextDoc++;
      db.prepare('INSERT INTO d(rowid, head, body) VALUES (?, ?, ?)').run(id, text(8), '');
      const steps = [];
      for (let j = 1 + Math.floor(random() * 5); j > 0; j -= 1) {
        const step = nextStep++;
        db.prepare('INSERT INTO s(id, action, result) VALUES (?, ?, ?)').run(
          step,
          `act${Math.floor(random() * 5)}`,
          text(5 + Math.floor(random() * 40)),
        );
        steps.push(step);
      }
      live.add(id);
      stepsOf.set(id, steps);
    } else if (roll < 0.7) {
      db.prepare('INSERT OR REPLACE INTO d(rowid, head, body) VALUES (?, ?, ?)').run(
        pickLive(live),
        text(8),
        text(20 + Math.floor(random() * 200)),
      );
    } else {
      const id = pickLive(live);
      db.prepare('DELETE FROM d WHERE rowid = ?').run(id);
      for (const step of stepsOf.get(id)) db.prepare('DELETE FROM s WHERE id = ?').run(step);
      live.delete(id);
      stepsOf.delete(id);
    }
    if (random() < 0.05) db.prepare("SELECT count(*) FROM d WHERE d MATCH 'u1*'").get();
  }
  if (inTransaction) db.exec('COMMIT');
  if (op % 500 === 0) check(op);
}
check('end');
console.log(variant, 'ok after', ops, 'operations');
