// Probe: FTS5 'secure-delete' on the SQLite that libsql ships (3.45.1). Random inserts, REPLACEs and
// deletes on an own-content and an external-content FTS5 table (triggers pass the old values), from
// CONNS connections; a fresh connection runs 'integrity-check' every 500 operations.
// Usage (from packages/core): node ../../scripts/probes/fts5-secure-delete.cjs sd|none OPS SEED CONNS
// Measured 2026-12-02: 'sd' corrupt at op 6000 (1 connection) and 6000/6500 (3); 'none' ok after 20000.
const D = require(require.resolve('libsql', { paths: [process.cwd()] }));
const fs = require('fs');
const f = require('node:os').tmpdir() + '/fts5-secure-delete-probe.db'; for (const s of ['', '-wal', '-shm']) try { fs.unlinkSync(f + s) } catch {}
const variant = process.argv[2]; const OPS = Number(process.argv[3] || 20000);
let A = new D(f); A.exec('PRAGMA journal_mode=WAL');
A.exec('CREATE VIRTUAL TABLE d USING fts5(head, body)');
A.exec('CREATE TABLE s(id INTEGER PRIMARY KEY, action, result)');
A.exec("CREATE VIRTUAL TABLE s_fts USING fts5(action, result, content='s', content_rowid='id')");
A.exec("CREATE TRIGGER s_ai AFTER INSERT ON s BEGIN INSERT INTO s_fts(rowid, action, result) VALUES (new.id, new.action, new.result); END");
A.exec("CREATE TRIGGER s_ad AFTER DELETE ON s BEGIN INSERT INTO s_fts(s_fts, rowid, action, result) VALUES ('delete', old.id, old.action, old.result); END");
if (variant === 'sd') { A.exec("INSERT INTO d(d, rank) VALUES('secure-delete', 1)"); A.exec("INSERT INTO s_fts(s_fts, rank) VALUES('secure-delete', 1)"); }
const conns = [A, ...Array.from({ length: Number(process.argv[5] || 3) - 1 }, () => new D(f))];
let seed = Number(process.argv[4] || 1); const r = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const words = 'alpha beta gamma delta error failed module import test run build file path node search lookup finish the a of to'.split(' ');
const txt = (n) => Array.from({ length: n }, () => r() < 0.2 ? 'u' + Math.floor(r() * 5000) : words[Math.floor(r() * words.length)]).join(' ');
const live = new Set(); let next = 1; let sid = 1; const steps = new Map();
const fresh = (label) => { const F = new D(f); for (const t of ['d', 's_fts']) try { F.exec(`INSERT INTO ${t}(${t}, rank) VALUES('integrity-check', 1)`) } catch (e) { console.log(variant, 'CORRUPT', t, label, e.message); process.exit(1) } F.close(); };
const t0 = Date.now();
for (let op = 0; op < OPS; op++) {
  const c = conns[Math.floor(r() * conns.length)];
  const x = r();
  const inTx = r() < 0.5; if (inTx) c.exec('BEGIN IMMEDIATE');
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const y = r();
    if (y < 0.45 || live.size < 10) { const id = next++; c.prepare('INSERT INTO d(rowid, head, body) VALUES (?, ?, ?)').run(id, txt(8), ''); live.add(id); const ss = []; for (let j = 0; j < 1 + Math.floor(r() * 5); j++) { const s = sid++; c.prepare('INSERT INTO s(id, action, result) VALUES (?, ?, ?)').run(s, 'act' + Math.floor(r() * 5), txt(5 + Math.floor(r() * 40))); ss.push(s); } steps.set(id, ss); }
    else if (y < 0.7) { const ids = [...live]; const id = ids[Math.floor(r() * ids.length)]; c.prepare('INSERT OR REPLACE INTO d(rowid, head, body) VALUES (?, ?, ?)').run(id, txt(8), txt(20 + Math.floor(r() * 200))); }
    else { const ids = [...live]; const id = ids[Math.floor(r() * ids.length)]; c.prepare('DELETE FROM d WHERE rowid = ?').run(id); for (const s of steps.get(id)) c.prepare('DELETE FROM s WHERE id = ?').run(s); live.delete(id); steps.delete(id); }
    if (r() < 0.05) c.prepare("select count(*) from d where d match 'u1*'").get();
  }
  if (inTx) c.exec('COMMIT');
  if (op % 500 === 0) fresh(op);
}
fresh('end');
console.log(variant, 'ok', OPS, 'ops', Date.now() - t0, 'ms, live', live.size, A.prepare('select count(*) n from d').get().n);
