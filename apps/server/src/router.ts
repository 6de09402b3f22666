import { createAdminRouter } from './routers/admin.js';
import { createEpisodesRouter } from './routers/episodes.js';
import { createEventsRouter } from './routers/events.js';
import { createLearningRouter } from './routers/learning.js';
import { createPatternsRouter } from './routers/patterns.js';
import type { RouterDeps } from './routers/router-deps.js';
import { createSearchRouter } from './routers/search.js';
import { createSessionRouter } from './routers/session.js';
import { router } from './trpc.js';

/**
 * The whole API. Built per store because the procedures validate with that store's schemas
 * (its limits and the task and pattern types it accepts).
 */
export function createAppRouter(deps: RouterDeps) {
  return router({
    episodes: createEpisodesRouter(deps),
    search: createSearchRouter(deps),
    patterns: createPatternsRouter(deps),
    learning: createLearningRouter(deps),
    admin: createAdminRouter(deps),
    events: createEventsRouter(deps),
    session: createSessionRouter(deps),
  });
}

/**
 * Never called; it exists for its type. The compiler writes an inferred return type out in full
 * in the `.d.ts`, so `AppRouter` names the procedures with their inputs and outputs and nothing
 * else. `ReturnType<typeof createAppRouter>` would also drag in `RouterDeps` (the engine and its
 * zod, libSQL and LMDB types) and every SDK user would need those to type-check.
 */
const appRouterShape = () => createAppRouter(undefined as never);

/** The whole API's type, for clients; the SDK imports it as a type only. */
export type AppRouter = ReturnType<typeof appRouterShape>;
