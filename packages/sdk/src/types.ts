import type { AppRouter } from '@episodic/server';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

export type { AppRouter };
/** Input of every procedure, e.g. `RouterInputs['episodes']['start']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Output of every procedure, e.g. `RouterOutputs['episodes']['get']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type Episode = RouterOutputs['episodes']['start'];
export type EpisodeWithSteps = RouterOutputs['episodes']['get'];
export type Step = RouterOutputs['episodes']['logSteps'][number];
export type StartEpisodeInput = RouterInputs['episodes']['start'];
/** A step as an agent records it; the SDK adds its `id`. */
export type StepInput = Omit<RouterInputs['episodes']['logSteps']['steps'][number], 'id'>;
export type CompleteEpisodeInput = Omit<RouterInputs['episodes']['complete'], 'episodeId'>;
/** What `events.onEpisode` delivers: `started`, `steps`, `completed` or `archived`, with its domain. */
export type EpisodeEvent =
  RouterOutputs['events']['onEpisode'] extends AsyncIterable<infer Event> ? Event : never;
/** What `search.retrieve` returns: ranked past episodes, each with the `why` of its rank. */
export type RetrievalResult = RouterOutputs['search']['retrieve'];
export type RetrievedEpisode = RetrievalResult['episodes'][number];
export type RetrieveInput = RouterInputs['search']['retrieve'];
/** A mined pattern with its evidence, as `patterns.get` and `patterns.list` return it. */
export type Pattern = RouterOutputs['patterns']['get'];
/** What `patterns.relevant` returns per pattern: the pattern, its score, why, and supporting episodes. */
export type RelevantPattern = RouterOutputs['patterns']['relevant'][number];
/** One row of the audit log (`admin.audit`). */
export type AuditEntry = RouterOutputs['admin']['audit'][number];
/** Which episodes `admin.forget` deletes: by ids, by domain, or by metadata values. */
export type ForgetSelector = RouterInputs['admin']['forget'];
