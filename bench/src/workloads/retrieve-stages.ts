import Libsql from 'libsql';

/** Where retrieve spends its time, by what its SQL statements do (see `stageOf`). */
export const sqlStages = [
  'phrase selection',
  'candidate queries',
  'expansion terms',
  'expansion query',
  'hydration',
  'vectors',
  'patterns',
  'learning queue (background)',
  'other sql',
] as const;
const rest = 'rest: query embedding, vector scan, fusion, waiting for reads aside';
export type Stage = (typeof sqlStages)[number] | typeof rest;

type Statement = { all(...args: unknown[]): unknown; get(...args: unknown[]): unknown };
const sqlOf = new WeakMap<object, string>();
/** The whole-episode shortlist statement (`Shortlists` in the engine): the candidates', then the expansion's. */
const docsShortlist = 'SELECT rowid, bm25(episode_docs_fts';

/**
 * The stage a statement of `retrieve` belongs to, from its text. The whole-episode full-text
 * query runs twice per retrieve (the candidates, then the expanded query): `docsQueries`
 * counts them within the call.
 */
function stageOf(sql: string, docsQueries: number): (typeof sqlStages)[number] {
  // `TermCounts` reads the index state with the counts: the expansion's words in the whole-episode
  // table only, the query's in both tables. The state alone (every count kept) goes with the phrase selection.
  const state = sql.includes('_data WHERE id = 1');
  if (state && sql.includes('json_each') && !sql.includes('steps_fts_vocab')) return 'expansion terms';
  if (state) return 'phrase selection';
  if (sql.includes('head || char(10) || body')) return 'expansion terms';
  // The shortlist, or the statement through every match when a shortlist cannot prove its ranking.
  if (sql.includes('bm25(episode_docs_fts')) return docsQueries > 1 ? 'expansion query' : 'candidate queries';
  if (sql.includes('steps_fts')) return 'candidate queries';
  // A shortlist's rows looked up after the first (episodes of whole-episode rows, or of steps).
  if (sql.includes('FROM json_each(?) j ORDER BY j.key'))
    return docsQueries > 1 && !sql.includes('FROM steps s') ? 'expansion query' : 'candidate queries';
  if (sql.includes('FROM episodes e INDEXED BY')) return 'hydration';
  if (sql.includes('embedding')) return 'vectors';
  if (sql.includes('patterns')) return 'patterns';
  // The in-process learner polls its queue on a timer, sometimes during a retrieve.
  if (sql.includes('learning_queue')) return 'learning queue (background)';
  return 'other sql';
}

/**
 * Times every SQL statement the engine runs through the native driver (`libsql`, the package
 * the engine's local driver uses) and adds it to the stage it belongs to, per `retrieve` call
 * between `begin()` and `end()`. The driver is synchronous, so a statement's wall time is its
 * own. Installed once per process; costs two `performance.now()` per statement.
 */
export class RetrieveStages {
  private readonly totals = new Map<Stage, number>();
  private calls = 0;
  #docsQueries = 0;
  #active = false;
  #claimed = 0;

  constructor() {
    const prepare = Libsql.prototype.prepare;
    const stages = this;
    Libsql.prototype.prepare = function (this: Libsql.Database, sql: string) {
      const statement = prepare.call(this, sql) as unknown as Statement;
      sqlOf.set(statement, sql);
      const proto = Object.getPrototypeOf(statement) as Statement & { __timed?: boolean };
      if (proto.__timed !== true) {
        proto.__timed = true;
        for (const method of ['all', 'get'] as const) {
          const original = proto[method];
          proto[method] = function (this: Statement, ...args: unknown[]) {
            if (!stages.#active) return original.apply(this, args);
            const text = sqlOf.get(this) ?? '';
            if (text.includes(docsShortlist)) stages.#docsQueries += 1;
            const started = performance.now();
            try {
              return original.apply(this, args);
            } finally {
              stages.add(stageOf(text, stages.#docsQueries), performance.now() - started);
            }
          };
        }
      }
      return statement as unknown as Libsql.Statement;
    } as typeof prepare;
  }

  add(stage: Stage, ms: number): void {
    this.totals.set(stage, (this.totals.get(stage) ?? 0) + ms);
    this.#claimed += ms;
  }

  begin(): void {
    this.#active = true;
    this.#docsQueries = 0;
    this.#claimed = 0;
  }

  /** Ends one timed call that took `totalMs`: what no statement claimed is the rest. */
  end(totalMs: number): void {
    this.#active = false;
    this.calls += 1;
    this.totals.set(rest, (this.totals.get(rest) ?? 0) + Math.max(0, totalMs - this.#claimed));
  }

  /** Mean milliseconds per call by stage since the last `take`, largest first; starts over. */
  take(): [Stage, number][] {
    const means = [...this.totals]
      .map(([stage, ms]) => [stage, ms / Math.max(1, this.calls)] as [Stage, number])
      .sort((a, b) => b[1] - a[1]);
    this.totals.clear();
    this.calls = 0;
    return means;
  }
}
