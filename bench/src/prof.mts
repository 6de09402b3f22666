import { createClient } from '@libsql/client';
import { toFtsQuery } from '@episodic/core';
import { VariedEpisodes } from './workloads/varied-episodes.js';
const [, , path] = process.argv;
const c = createClient({ url: `file:${path}`, intMode: 'number' });
await c.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.sv USING fts5vocab(main, steps_fts, 'row')").catch((e) => console.log(String(e)));
const w = new VariedEpisodes();
const queries = Array.from({ length: 30 }, () => w.query());
const where = "e.status != 'archived'";
const sqlFor = (q: string) => `WITH hits AS (
  SELECT e.id AS episode_id, bm25(episodes_fts) AS rank, NULL AS step_number FROM episodes_fts JOIN episodes e ON e.rowid = episodes_fts.rowid WHERE episodes_fts MATCH ? AND ${where}
  UNION ALL
  SELECT e.id, bm25(steps_fts), s.step_number FROM steps_fts JOIN steps s ON s.rowid = steps_fts.rowid JOIN episodes e ON e.id = s.episode_id WHERE steps_fts MATCH ? AND ${where})
  SELECT episode_id, MIN(rank) AS best, step_number FROM hits GROUP BY episode_id ORDER BY best, episode_id LIMIT 100`;
let t = performance.now();
for (const q of queries) await c.execute({ sql: sqlFor(q), args: [toFtsQuery(q)!, toFtsQuery(q)!] });
console.log('full query ms/q', ((performance.now() - t) / queries.length).toFixed(1));
t = performance.now();
for (const q of queries) await c.execute({ sql: 'SELECT rowid, rank FROM steps_fts WHERE steps_fts MATCH ? ORDER BY rank LIMIT 400', args: [toFtsQuery(q)!] });
console.log('steps_fts only top400 ms/q', ((performance.now() - t) / queries.length).toFixed(1));
t = performance.now();
for (const q of queries) await c.execute({ sql: 'SELECT count(*) FROM steps_fts WHERE steps_fts MATCH ?', args: [toFtsQuery(q)!] });
console.log('steps_fts count ms/q', ((performance.now() - t) / queries.length).toFixed(1));
t = performance.now();
let total = 0;
for (const q of queries) {
  const words = q.split(' ');
  const r = await c.execute({ sql: `SELECT term, doc FROM temp.sv WHERE term IN (${words.map(() => '?').join(',')})`, args: words });
  total += r.rows.length;
}
console.log('vocab lookup ms/q', ((performance.now() - t) / queries.length).toFixed(2), total);
const n = Number((await c.execute('SELECT max(rowid) AS n FROM steps')).rows[0]!.n);
const q = queries[0]!;
const r = await c.execute({ sql: `SELECT term, doc FROM temp.sv WHERE term IN (${q.split(' ').map(() => '?').join(',')})`, args: q.split(' ') });
console.log(n, q, r.rows.map((x) => `${x.term}:${x.doc}`).join(' '));
