import { type Limits, maxRecordedStepsPerCall, maxRecordsPerCall } from '@episodic/core';
import type { Caller } from '../context.js';
import { anyTokenProcedure, noInput, router } from '../trpc.js';
import { boundedInput } from './bounded-input.js';
import type { RouterDeps } from './router-deps.js';

/** Every bound this server holds a call to: a client sizes its pages and batches by them. */
export interface SessionLimits extends Limits {
  /** Most records one `episodes.record` call takes. */
  maxRecordsPerCall: number;
  /** Most steps one `episodes.record` call writes, over all its records. */
  maxRecordedStepsPerCall: number;
  /** Largest request body in bytes; a larger one is refused with 413. */
  maxBodyBytes: number;
}

/** What `session.whoami` answers: the calling token, what it may do, and this server's bounds. */
export interface SessionInfo {
  /** The token: its id (the middle of `ep_<id>_<secret>`), name, scopes and domains (`null`: every domain). */
  token: Caller;
  /** Whether the token holds `admin`, which `admin.*` and `learning.*` need (such a token covers every domain). */
  admin: boolean;
  limits: SessionLimits;
  /** The task types this store accepts: the seed's six and the configured ones. */
  taskTypes: string[];
  /** The pattern types this store accepts: the seed's four, the configured ones and its miners'. */
  patternTypes: string[];
}

/**
 * What a client needs before its first real call. Any valid token may ask, so a client learns
 * what it may do without probing procedures (each refusal of which is audited as `denied`).
 */
export function createSessionRouter({ memory, maxBodyBytes }: RouterDeps) {
  return router({
    whoami: anyTokenProcedure.input(boundedInput(noInput)).query(
      ({ ctx: { caller } }): SessionInfo => ({
        // Picked: the verified token also carries its timestamps, which are no answer to "who".
        token: { id: caller.id, name: caller.name, scopes: caller.scopes, domains: caller.domains },
        admin: caller.scopes.includes('admin'),
        limits: { ...memory.config.limits, maxRecordsPerCall, maxRecordedStepsPerCall, maxBodyBytes },
        // Copies: zod hands out the very arrays its enums validate with.
        taskTypes: [...memory.schemas.taskType.options],
        patternTypes: [...memory.schemas.patternType.options],
      }),
    ),
  });
}
