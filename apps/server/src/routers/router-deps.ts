import type { Memory } from '@episodic/core';
import type { EventBus } from '../events/event-bus.js';

/** What the routers work on. Given when the app router is built, never carried per request. */
export interface RouterDeps {
  memory: Memory;
  events: EventBus;
  /** Size of the database files in bytes, or `null` when the database is not a local file. */
  databaseBytes: () => number | null;
  /** `Date.now()` when the server started. */
  startedAt: number;
  /** Largest request body the server accepts, in bytes (`maxBodyBytes`). */
  maxBodyBytes: number;
}
