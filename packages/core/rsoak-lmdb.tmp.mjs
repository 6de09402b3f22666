import { open } from 'lmdb';
import { rmSync, readFileSync } from 'node:fs';
const anon = () => Number(/RssAnon:\s+(\d+)/.exec(readFileSync('/proc/self/status','utf8'))[1]) / 1024;
const base = '/tmp/rsoak/lmdb-churn-' + process.pid;
const n = Number(process.argv[2] ?? 300);
const out = [];
let prev = null;
for (let i = 0; i < n; i++) {
  const path = `${base}/env`;
  const db = open(path, { encoding: 'binary', mapSize: 64 * 2**20 });
  db.transactionSync(() => { for (let k = 0; k < 20; k++) db.putSync('k' + k, Buffer.alloc(2000, k)); });
  db.getBinary('k1');
  if (prev) await prev.close();
  prev = db;
  rmSync(path, { recursive: true, force: true });
  await new Promise((r) => setImmediate(r));
  if (i % 200 === 0 || i === n - 1) { globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); globalThis.gc(); out.push(`${i}:${anon().toFixed(1)}`); }
}
console.log(out.join(' '));
rmSync(base, { recursive: true, force: true });
