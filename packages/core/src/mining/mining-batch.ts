import type { PatternMinerV1 } from '@episodic/plugin';
import {
  addEpisodeToStats,
  type BaselineStats,
  type EpisodeMeasures,
  emptyBaselineStats,
  measureEpisode,
  toBaseline,
} from '@episodic/plugin';
import type { InStatement, Transaction } from '@libsql/client';
import { nowIso } from '../schemas/timestamp.js';
import type { EpisodeWithAllSteps } from '../types.js';
import { chunks } from './chunks.js';
import { type AcceptedCandidate, collectCandidates, type MinerRunSettings } from './collect-candidates.js';
import { addSupport, emptyEvidence } from './evidence.js';
import { type Link, linkContribution, linkInsert } from './pattern-links.js';
import { patternWrites, type StoredPattern, storedPattern, storedPatternColumns } from './pattern-writes.js';

/** `pattern_baselines.task_type` of the domain-wide baseline. */
export const wholeDomain = '';

/** Rows per multi-row statement: well under SQLite's parameter limit, few statements per batch. */
const rowsPerStatement = 50;

export interface MiningSettings extends MinerRunSettings {
  miners: readonly PatternMinerV1[];
  signal?: AbortSignal | undefined;
}

/** A pattern row a batch wrote, for cache invalidation. */
export interface WrittenPattern {
  id: string;
  patternType: string;
}

/**
 * Where a batch writes: the live tables, or the shadow copies `remine()` builds before it swaps
 * them in (see `remine.ts`), which have the same columns.
 */
export interface MiningTables {
  patterns: string;
  links: string;
  baselines: string;
  mined: string;
}

export const liveTables: MiningTables = {
  patterns: 'patterns',
  links: 'episode_patterns',
  baselines: 'pattern_baselines',
  mined: 'mined_episodes',
};

function miningStatements(tables: MiningTables) {
  return {
    minedState: `SELECT pending FROM ${tables.mined} WHERE episode_id = ?`,
    baselines: `SELECT task_type, stats FROM ${tables.baselines} WHERE domain = ? AND task_type IN (?, ?)`,
    baseline: `SELECT stats FROM ${tables.baselines} WHERE domain = ? AND task_type = ?`,
    evidence: (ids: number, from = tables.patterns) =>
      `SELECT ${storedPatternColumns} FROM ${from}
     WHERE id IN (${Array(ids).fill('?').join(', ')})`,
    existing: (ids: number) =>
      `SELECT COUNT(*) AS n FROM episodes WHERE id IN (${Array(ids).fill('?').join(', ')})`,
    markMined: `INSERT INTO ${tables.mined} (episode_id, seq, succeeded, pending, domain, task_type, steps, duration_ms)
    SELECT e.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ${tables.mined}), ?, 0, e.domain, e.task_type, ?, ?
    FROM episodes e WHERE e.id = ?
    ON CONFLICT (episode_id) DO UPDATE SET seq = excluded.seq, succeeded = excluded.succeeded, pending = 0,
      domain = excluded.domain, task_type = excluded.task_type, steps = excluded.steps,
      duration_ms = excluded.duration_ms`,
  };
}

/** The statements mining runs, exported so a test can check that each one uses an index. */
export const miningSql = miningStatements(liveTables);

interface Touched {
  candidate: AcceptedCandidate;
  domain: string;
  /** Each episode's contribution, in mining order, folded into the stored evidence at flush. */
  contributions: { success: boolean; measurements: AcceptedCandidate['measurements'] }[];
}

/** Something that runs one statement: the write transaction, or plain reads outside it. */
export type StatementReader = Pick<Transaction, 'execute'>;

/**
 * Mines finished episodes one after the other, and writes their patterns, links, baselines and
 * the record that they were mined in one transaction (`flush`). Evidence and baselines are kept
 * in memory while the batch grows and written once: a pattern seen by 200 episodes of a
 * `remine()` batch is one row update, not 200. Episodes are still mined in order, each seeing
 * the baselines of those before it, so a batch of any size gives what one episode per
 * transaction gives. The work per episode is bounded: it reads the episode's two baseline rows,
 * never other episodes.
 *
 * The miners may run outside the write lock (`source` reads the database directly): `flush`
 * then checks, inside the transaction, that every baseline and mined-state row the miners saw
 * is unchanged, and returns null when one is not (another process mined meanwhile), so the
 * caller mines the batch again inside the transaction. Evidence is only added to, so it is
 * read at flush time and needs no check.
 */
export function createMiningBatch(
  source: StatementReader,
  settings: MiningSettings,
  tables: MiningTables = liveTables,
) {
  const sql = miningStatements(tables);
  const baselines = new Map<
    string,
    { domain: string; taskType: string; stats: BaselineStats; seen: string | null; changed: boolean }
  >();
  const touched = new Map<string, Touched>();
  const links: Link[] = [];
  const marks: { episodeId: string; succeeded: boolean; measures: EpisodeMeasures }[] = [];
  const seenStates = new Map<string, number | null>();
  let mined = 0;

  async function baselinesFor(domain: string, taskType: string) {
    const key = (type: string) => JSON.stringify([domain, type]);
    if (!baselines.has(key(taskType)) || !baselines.has(key(wholeDomain))) {
      const rows = await source.execute({ sql: sql.baselines, args: [domain, taskType, wholeDomain] });
      const stored = new Map(rows.rows.map((row) => [String(row.task_type), String(row.stats)]));
      for (const type of [taskType, wholeDomain]) {
        if (baselines.has(key(type))) continue;
        const text = stored.get(type);
        const stats = text === undefined ? emptyBaselineStats() : (JSON.parse(text) as BaselineStats);
        baselines.set(key(type), { domain, taskType: type, stats, seen: text ?? null, changed: false });
      }
    }
    return [baselines.get(key(taskType))!, baselines.get(key(wholeDomain))!] as const;
  }

  async function loadEvidence(tx: Transaction, ids: readonly string[]): Promise<Map<string, StoredPattern>> {
    const found = new Map<string, StoredPattern>();
    for (const part of chunks(ids, 500)) {
      const rows = await tx.execute({ sql: sql.evidence(part.length), args: part });
      for (const row of rows.rows)
        found.set(String(row.id), storedPattern(row as Record<string, unknown>, true));
    }
    if (tables === liveTables) return found;
    // A shadow starts with no evidence, but keeps the usage feedback the live pattern has.
    const missing = ids.filter((id) => !found.has(id));
    for (const part of chunks(missing, 500)) {
      const rows = await tx.execute({ sql: sql.evidence(part.length, liveTables.patterns), args: part });
      for (const row of rows.rows) {
        const live = storedPattern(row as Record<string, unknown>, false).evidence;
        found.set(String(row.id), {
          evidence: { ...emptyEvidence(), usageCount: live.usageCount, helpedCount: live.helpedCount },
          columns: null,
        });
      }
    }
    return found;
  }

  async function minedState(reader: StatementReader, episodeId: string): Promise<number | null> {
    const state = (await reader.execute({ sql: sql.minedState, args: [episodeId] })).rows[0];
    return state === undefined ? null : Number(state.pending);
  }

  /**
   * True when what the miners saw outside the transaction is still what `tx` sees, and every
   * episode they mined still exists: one forgotten meanwhile changed no mined-state or baseline
   * row if it had not been mined, yet its outcome is in the batch's baselines (its mark would
   * insert nothing, and its links would fail the foreign key).
   */
  async function unchangedIn(tx: Transaction): Promise<boolean> {
    for (const [episodeId, state] of seenStates)
      if ((await minedState(tx, episodeId)) !== state) return false;
    for (const part of chunks(
      marks.map((mark) => mark.episodeId),
      500,
    )) {
      const found = await tx.execute({ sql: sql.existing(part.length), args: part });
      if (Number(found.rows[0]?.n) !== part.length) return false;
    }
    for (const baseline of baselines.values()) {
      const row = (
        await tx.execute({
          sql: sql.baseline,
          args: [baseline.domain, baseline.taskType],
        })
      ).rows[0];
      if ((row === undefined ? null : String(row.stats)) !== baseline.seen) return false;
    }
    return true;
  }

  return {
    /** Episodes added and mined so far (not counting those already mined before). */
    get mined() {
      return mined;
    },

    /** Mines one episode into the batch; `false` when it was already mined (a retry). */
    async add(episode: EpisodeWithAllSteps, succeeded: boolean): Promise<boolean> {
      const state = await minedState(source, episode.id);
      seenStates.set(episode.id, state);
      if (state === 0) return false;
      const [task, domain] = await baselinesFor(episode.domain, episode.taskType);
      const history = { taskType: toBaseline(task.stats), domain: toBaseline(domain.stats) };
      const candidates = await collectCandidates(
        settings.miners,
        { episode, succeeded, history, signal: settings.signal },
        settings,
      );
      for (const candidate of candidates) {
        const entry = touched.get(candidate.id) ?? { candidate, domain: episode.domain, contributions: [] };
        entry.contributions.push({ success: candidate.success, measurements: candidate.measurements });
        touched.set(candidate.id, entry);
        links.push({ episodeId: episode.id, patternId: candidate.id, ...linkContribution(candidate) });
      }
      const measures = measureEpisode(episode);
      for (const baseline of [task, domain]) {
        baseline.stats = addEpisodeToStats(baseline.stats, measures, succeeded);
        baseline.changed = true;
      }
      marks.push({ episodeId: episode.id, succeeded, measures });
      mined += 1;
      return true;
    },

    /**
     * Writes everything the batch mined in `tx`; call once, before the transaction commits.
     * Null (nothing written) when the miners ran outside `tx` on rows that changed since.
     */
    async flush(tx: Transaction): Promise<WrittenPattern[] | null> {
      if (source !== tx && !(await unchangedIn(tx))) return null;
      const now = nowIso();
      const stored = await loadEvidence(tx, [...touched.keys()]);
      const patterns = [...touched.values()].map(({ candidate, domain, contributions }) => {
        const before = stored.get(candidate.id);
        return {
          candidate,
          domain,
          before,
          evidence: contributions.reduce(
            (evidence, { success, measurements }) => addSupport(evidence, success, measurements),
            before?.evidence ?? emptyEvidence(),
          ),
        };
      });
      const statements: InStatement[] = [
        ...patternWrites(tables.patterns, patterns, now),
        ...chunks(links, rowsPerStatement * 4).map((part) => linkInsert(tables.links, part, now)),
        ...[...baselines.values()]
          .filter((baseline) => baseline.changed)
          .map((baseline) => ({
            sql: `INSERT INTO ${tables.baselines} (domain, task_type, stats) VALUES (?, ?, ?)
                  ON CONFLICT (domain, task_type) DO UPDATE SET stats = excluded.stats`,
            args: [baseline.domain, baseline.taskType, JSON.stringify(baseline.stats)],
          })),
        // One statement per episode: each takes the next sequence number, in mining order.
        ...marks.map(({ episodeId, succeeded, measures }) => ({
          sql: sql.markMined,
          args: [succeeded ? 1 : 0, measures.steps, measures.durationMs, episodeId],
        })),
      ];
      if (statements.length > 0) await tx.batch(statements);
      return patterns.map(({ candidate }) => ({ id: candidate.id, patternType: candidate.patternType }));
    },
  };
}
