import type { ApiToken } from '@episodic/core';
import type { CallAdmission } from './http/call-admission.js';

/** The token a request proved, as procedures need it. */
export type Caller = Pick<ApiToken, 'id' | 'name' | 'scopes' | 'domains'>;

/** Where per-procedure counts and latencies go (the `/metrics` registry in a running server). */
export interface ProcedureObserver {
  procedure(path: string, type: string, code: string, seconds: number): void;
}

/**
 * Per-request context. It carries only who is calling: the engine and the event bus are given
 * to the routers when the app router is built, which keeps this type (and so `AppRouter`, which
 * the SDK ships) free of server internals.
 */
export interface ServerContext {
  /** `null` when the request carried no valid token; `authProblem` says which. */
  caller: Caller | null;
  authProblem: string;
  observer: ProcedureObserver;
  /** Holds each token to its share of calls running at once (`maxCallsPerToken`). */
  admission: CallAdmission;
  /**
   * Writes a refusal the server made itself (a token without the scope, a filter naming a
   * domain outside the token) to the audit log; the engine audits its own refusals.
   */
  recordDenied(actor: string, procedure: string, type: string): void;
  /**
   * Ends this request's connection at once, with nothing more written: for a live subscription
   * whose client stopped reading, whose unread events would otherwise stay in the server's memory.
   */
  endConnection(): void;
}

export const silentObserver: ProcedureObserver = { procedure: () => undefined };
