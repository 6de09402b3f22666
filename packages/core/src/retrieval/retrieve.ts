import type { z } from 'zod';
import type { Cache } from '../cache/cache.js';
import { queryKey } from '../cache/read-through.js';
import { episodeFilter } from '../db/episode-filter.js';
import { embedTexts } from '../embeddings/embed-texts.js';
import type { EmbeddingEngine } from '../embeddings/embedding-engine.js';
import { normalize } from '../embeddings/vector-codec.js';
import type { VectorFilter } from '../embeddings/vector-filter.js';
import type { VectorHit } from '../embeddings/vector-rows.js';
import type { EngineContext } from '../engine-context.js';
import type { RelevantPattern, RelevantPatternsInput } from '../patterns/relevant-patterns.js';
import type { InputSchemas, RetrieveInput } from '../schemas/input-schemas.js';
import { ftsPhrases, phrasesToFtsQuery } from '../search/fts-query.js';
import type { AccessScope, CallOptions, Episode } from '../types.js';
import { parseInput } from '../validate.js';
import { DeadlineError, withinDeadline } from '../within-deadline.js';
import { candidateRows } from './candidate-rows.js';
import { diversify } from './diversify.js';
import { expansionRanking, proximityRanking } from './extra-rankings.js';
import { fuseSignals } from './fuse-signals.js';
import { namedDates } from './named-dates.js';
import type { RankedRow } from './ranked-rows.js';
import { defaultVectorWeights, type FusionWeights } from './retrieval-config.js';
import type { RetrievalResult, RetrievedEpisode } from './retrieval-result.js';
import { readsAside, selectPhrases } from './select-phrases.js';
import { ShortlistShortfalls, Shortlists } from './shortlists.js';
import { stepRanking } from './step-ranking.js';
import type { TermCounts } from './term-counts.js';
import { episodeMatches, withBestSteps } from './text-candidates.js';

type RetrieveFilters = z.output<InputSchemas['retrieve']>;

/** The offset of `at` given with one (`+05:30` → 330), else 0 (`Z`, a `Date`): the asker's calendar. */
function zoneOffsetMinutes(at: unknown): number {
  const zone = typeof at === 'string' ? /([+-])(\d{2}):(\d{2})$/u.exec(at) : null;
  return zone === null ? 0 : (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3]));
}

interface VectorOutcome {
  hits: VectorHit[];
  status: RetrievalResult['signals']['vector'];
  /** The provider failed: the answer is worse than usual and must not be cached. */
  degraded: boolean;
}

/** The domains a vector scan may touch: the domain filter within the caller's scope. */
function scanDomains(
  domain: string | undefined,
  scope: AccessScope | undefined,
): readonly string[] | undefined {
  if (scope === undefined) return domain === undefined ? undefined : [domain];
  if (domain === undefined) return scope.domains;
  return scope.domains.includes(domain) ? [domain] : [];
}

function unused(reason: string, model: string | null, degraded = false): VectorOutcome {
  return { hits: [], status: { used: false, reason, model, feedbackEpisodes: 0 }, degraded };
}

/** Finds the patterns relevant to a task (`relevantPatterns`), for `retrieve` to return beside the episodes. */
export type FindPatterns = (input: RelevantPatternsInput, options: CallOptions) => Promise<RelevantPattern[]>;

export function createRetrieval(
  context: EngineContext,
  embeddings: EmbeddingEngine,
  cache: Cache,
  findPatterns: FindPatterns,
  termCounts: TermCounts,
) {
  const { db, schemas, config } = context;
  const settings = config.retrieval;
  const shortfalls = new ShortlistShortfalls();

  /**
   * Vector candidates for `text`, the query vector moved towards the best full-text matches
   * first. The scan cannot see status changes (retention archives in SQL), so candidates are
   * checked by `eligible` and more are asked for while too few pass.
   */
  async function vectorCandidates(
    text: string,
    filter: VectorFilter,
    ranking: Promise<readonly RankedRow[]>,
    pool: number,
    eligible: (ids: string[]) => Promise<Set<string>>,
    aside: Promise<boolean>,
  ): Promise<VectorOutcome> {
    const active = embeddings.active();
    if (active === null) return unused('no embedding provider is configured', null);
    let query: Float32Array;
    try {
      // A provider that ignores its signal is abandoned at the deadline, not awaited.
      const [vector] = await withinDeadline((signal) => embedTexts(active.provider, [text], signal), {
        timeoutMs: settings.embedTimeoutMs,
        what: 'the query embedding',
        setting: 'retrieval.embedTimeoutMs',
      });
      query = vector as Float32Array;
    } catch (error) {
      // Retrieval still answers from full text when the provider is down or slow; the reason says
      // so. The provider's message stays in the log: it names internal URLs and echoes upstream
      // bodies, and the reason goes to any caller who may search, over the server too.
      if (error instanceof DeadlineError) {
        config.logger.warn(
          `episodic: retrieve used full text only, the embedding provider did not answer within ${settings.embedTimeoutMs} ms (retrieval.embedTimeoutMs)`,
        );
        return unused(
          `the embedding provider did not answer within ${settings.embedTimeoutMs} ms`,
          active.stamp,
          true,
        );
      }
      config.logger.warn(
        `episodic: retrieve used full text only, the embedding provider failed: ${(error as Error).message}`,
      );
      return unused('the embedding provider failed; its error is logged as a warning', active.stamp, true);
    }
    if (query.every((value) => value === 0)) {
      return unused('the query text has nothing the embedding model can represent', active.stamp);
    }
    const { episodes, weight } = settings.feedback;
    const seedIds = weight > 0 ? (await ranking).map((hit) => hit.episodeId) : [];
    // The scan holds this thread for milliseconds: when the retrieval reads aside, first let the
    // rest of it reach its reads (the expansion's words are counted and its query sent), so the
    // worker runs them during the scan rather than after it. Not otherwise: a turn of the event
    // loop lets unrelated work (the learner's polling) into the middle of a retrieve.
    if (await aside) await new Promise((resolve) => setImmediate(resolve));
    let feedbackEpisodes = 0;
    let hits: VectorHit[] = [];
    for (let wanted = pool; ; wanted *= 4) {
      // Sync, feedback and search in one section: a concurrent sync cannot reset the index between them.
      const found = await active.index.whenSynced(() => {
        const moved = Float32Array.from(query);
        // The first `episodes` matches that have a vector: each vector read is a copy.
        const seeds: Float32Array[] = [];
        for (const id of seedIds) {
          if (seeds.length === episodes) break;
          const vector = active.index.episodeVector(id);
          if (vector !== null) seeds.push(vector);
        }
        for (const seed of seeds)
          seed.forEach((value, i) => (moved[i] = (moved[i] as number) + (weight * value) / seeds.length));
        normalize(moved);
        feedbackEpisodes = seeds.length;
        return active.index.search(moved, filter, wanted);
      });
      const passed = await eligible(found.map((hit) => hit.episodeId));
      hits = found.filter((hit) => passed.has(hit.episodeId));
      if (hits.length >= pool || found.length < wanted) break;
    }
    return {
      hits: hits.slice(0, pool),
      status: { used: true, reason: null, model: active.stamp, feedbackEpisodes },
      degraded: false,
    };
  }

  /** The vector weight: the configured one, else the default for what the provider's vectors carry. */
  function fusionWeights(): FusionWeights {
    const kind = embeddings.active()?.provider.kind ?? 'semantic';
    return { ...settings.weights, vector: settings.weights.vector ?? defaultVectorWeights[kind] };
  }

  /**
   * The patterns of the task's domain most relevant to it: the `domain` asked for, else the best
   * episode's (without one, the best patterns of every domain by evidence came, most of them with
   * no bearing on the task: another repository's tool sequences for a Django issue). The excluded
   * episodes (the asking run) are left out of the supporting ids the patterns list; their counts,
   * kept per pattern as mined, still include them.
   */
  async function patternsBeside(
    filters: RetrieveFilters,
    found: readonly RetrievedEpisode[],
    scope: AccessScope | undefined,
  ): Promise<RelevantPattern[]> {
    if (filters.patterns === 0) return [];
    const domain = filters.domain ?? found[0]?.episode.domain;
    const patterns = await findPatterns(
      { text: filters.text, domain, taskType: filters.taskType, limit: filters.patterns },
      { scope },
    );
    const excluded = new Set(filters.exclude ?? []);
    if (excluded.size === 0) return patterns;
    return patterns.map((relevant) => ({
      ...relevant,
      episodeIds: relevant.episodeIds.filter((id) => !excluded.has(id)),
    }));
  }

  async function retrieveUncached(filters: RetrieveFilters, scope: AccessScope | undefined) {
    const where = episodeFilter(filters, 'e').scope('e.domain', scope);
    // Archived episodes are long-term storage: only an explicit status filter reaches them.
    if (filters.status === undefined) where.when("e.status != 'archived'");
    // A condition on every candidate read, so an excluded episode cannot seed expansion or feedback either.
    if (filters.exclude !== undefined && filters.exclude.length > 0)
      where.when('e.id NOT IN (SELECT value FROM json_each(?))', JSON.stringify(filters.exclude));

    // Each signal brings at least as many candidates as results were asked for.
    const pool = Math.max(settings.candidates, filters.limit);
    const phrases = ftsPhrases(filters.text);
    // Filters chosen by the caller may leave out most episodes (see `Shortlists`).
    const narrowed =
      scope !== undefined ||
      [filters.domain, filters.taskType, filters.status, filters.since, filters.until].some(
        (value) => value !== undefined,
      );
    const shortlists = new Shortlists(db, where, narrowed, shortfalls);
    const selection =
      phrases.length === 0
        ? Promise.resolve({ kept: [], skipped: [], forSteps: [], mostDocs: 0, stepRows: 0 })
        : selectPhrases(termCounts, phrases, settings.textBudgetRows, settings.maxQueryTerms);
    // In a large store the step ranking is sent aside first, to run on the read worker while this
    // thread ranks whole episodes; the expansion and the vector feedback start from that ranking.
    const aside = selection.then(readsAside);
    aside.catch(() => undefined); // awaited below
    const steps = selection.then((selected) => {
      const stepsQuery = phrasesToFtsQuery(selected.forSteps);
      if (stepsQuery === null) return [];
      return stepRanking(shortlists, stepsQuery, pool, selected.mostDocs >= pool, readsAside(selected));
    });
    steps.catch(() => undefined); // awaited below
    const ranking = selection.then(({ kept }) => {
      const ftsQuery = phrasesToFtsQuery(kept);
      return ftsQuery === null ? [] : episodeMatches(shortlists, ftsQuery, pool, settings.fields);
    });
    ranking.catch(() => undefined);
    const textHits = Promise.all([ranking, steps]).then(([episodes, best]) => withBestSteps(episodes, best));
    textHits.catch(() => undefined);
    const expansion = selection.then((selected) =>
      expansionRanking(shortlists, termCounts, settings, selected.kept, ranking, pool, readsAside(selected)),
    );
    expansion.catch(() => undefined);
    const proximity = selection.then(({ kept }) =>
      proximityRanking(shortlists, settings, phrases, kept, pool),
    );
    proximity.catch(() => undefined);
    // Each candidate's row is read once: the vector scan's eligibility check fills what fusion reads.
    const rows = new Map<string, Episode | null>();
    const vector = await vectorCandidates(
      filters.text,
      {
        domains: scanDomains(filters.domain, scope),
        taskType: filters.taskType,
        sinceMs: filters.since === undefined ? undefined : Date.parse(filters.since),
        untilMs: filters.until === undefined ? undefined : Date.parse(filters.until),
      },
      ranking,
      pool,
      async (ids) => {
        await candidateRows(db, ids, where, rows);
        return new Set(ids.filter((id) => rows.get(id) != null));
      },
      aside,
    );
    const text = await textHits;
    const expanded = await expansion;
    const near = await proximity;

    const ids = [
      ...new Set([
        ...text.map((hit) => hit.episodeId),
        ...vector.hits.map((hit) => hit.episodeId),
        ...expanded,
        ...near,
      ]),
    ];
    // The vector scan cannot see status changes made by other processes; this SQL can.
    await candidateRows(db, ids, where, rows);
    const episodes = new Map<string, Episode>();
    for (const id of ids) {
      const episode = rows.get(id);
      if (episode != null) episodes.set(id, episode);
    }
    const now = filters.at === undefined ? Date.now() : Date.parse(filters.at);
    const fused = fuseSignals(
      {
        text,
        vector: vector.hits,
        expansion: expanded,
        proximity: near,
        windows:
          settings.weights.time === 0 ? [] : namedDates(filters.text, now, zoneOffsetMinutes(filters.at)),
        episodes,
        now,
      },
      settings,
      fusionWeights(),
    );
    const index = embeddings.active()?.index;
    const ranked =
      index === undefined
        ? fused
        : diversify(
            fused,
            (id) => index.episodeVector(id),
            settings.diversity.lambda,
            settings.diversity.window,
          );
    const episodesFound = ranked.slice(0, filters.limit);
    const result: RetrievalResult = {
      patterns: await patternsBeside(filters, episodesFound, scope),
      episodes: episodesFound,
      signals: {
        text:
          phrases.length === 0
            ? { used: false, reason: 'the query text has no searchable words', skipped: [] }
            : {
                used: true,
                reason: null,
                // Counted over every domain: a scoped caller must not learn which words are common elsewhere.
                skipped:
                  scope === undefined ? (await selection).skipped.map((phrase) => phrase.join(' ')) : [],
              },
        vector: vector.status,
      },
    };
    return { result, degraded: vector.degraded };
  }

  return {
    /**
     * The past episodes that matter most for a new task described by `text`: candidates from
     * BM25 full-text search (episodes and their steps) and from vector similarity (episodes and
     * their failed steps' errors), fused: the whole episode's BM25 over the best match's, the
     * other rankings by reciprocal rank, with recency, outcome and time terms (see
     * `retrievalWeightsSchema`). Filters and the access scope apply in SQL and inside the vector
     * scan; archived episodes are left out unless `status: 'archived'` asks for them. Each
     * result says `why` it ranked. Answers are cached under `query:{hash}` until the next write.
     */
    async retrieve(input: RetrieveInput, options: CallOptions = {}): Promise<RetrievalResult> {
      // Audited with the store's other reads (`auditReads` in open-memory.ts).
      const filters = parseInput(schemas.retrieve, input, 'retrieve');
      if (!cache.enabled) return (await retrieveUncached(filters, options.scope)).result;
      // The key covers everything the answer depends on; the generation moves on every write.
      const generation = cache.generation();
      const signature = { filters, model: embeddings.active()?.stamp ?? null, settings };
      const key = queryKey('retrieve', signature, options.scope, generation);
      const cached = cache.get<RetrievalResult>(key);
      if (cached !== undefined) return cached;
      const { result, degraded } = await retrieveUncached(filters, options.scope);
      if (!degraded) cache.fill(key, result, generation);
      return result;
    },
  };
}
