import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';

/**
 * How long a client may take to send a request's headers. Node's 60 s, checked every 30 s, let a
 * client that sends a partial request line and nothing more hold a connection about 75 s, with no
 * token: 20,000 of them filled the process's open files and `/healthz` stopped answering
 * (security audit). A client sends its headers at once.
 */
export const headersTimeoutMs = 20_000;

/**
 * How long a client may take to send a whole request, body included: the 8 MiB body limit at
 * 70 kB/s. Node's 300 s let a body trickled a byte every 5 s hold its connection for 5 minutes.
 * Responses are not bounded by it: a subscription's stream lasts as long as its client listens.
 */
export const requestTimeoutMs = 120_000;

/** How often Node looks for requests past those times (its default, 30 s, adds up to that much). */
export const connectionsCheckingIntervalMs = 5_000;

/** The process's limit on open files (the soft one), where the system says (Linux); else null. */
function openFileLimit(): number | null {
  try {
    const line = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return line === null ? null : Number(line[1]);
  } catch {
    return null;
  }
}

/**
 * Connections the server keeps open at once when `maxConnections` is not set: half the process's
 * open-file limit, at most 10,000 (4,096 where the limit is not known). The other half stays for
 * the store's own files (the database, its WAL, the cache, journals, backups): a flood of idle
 * connections must cost new connections, not the writes of those already served.
 */
export function defaultMaxConnections(limit = openFileLimit()): number {
  if (limit === null) return 4_096;
  return Math.max(64, Math.min(10_000, Math.floor(limit / 2)));
}

/** Applies the bounds above to `server`; `onDrop` hears of each connection refused at the bound. */
export function limitConnections(server: Server, maxConnections: number, onDrop: () => void): void {
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
  server.maxConnections = maxConnections;
  server.on('drop', onDrop);
}
