import type { Server, ServerResponse } from 'node:http';

/** The idle time clients are told (`Keep-Alive: timeout=5`, Node's default). */
const advertisedSeconds = 5;
/**
 * How long an idle connection is really kept. A client reuses a connection it was told is good
 * for 5 s (undici: until 1 s before); if the server closed it at 5 s too, a request sent at 4 s
 * while the event loop was busy would meet a timeout already due and be cut unanswered. The
 * margin absorbs such stalls (as Node 24's `keepAliveTimeoutBuffer` does).
 */
const keepAliveTimeoutMs = 30_000;

/** Applies the keep-alive times to the server. */
export function keepConnectionsAlive(server: Server): void {
  server.keepAliveTimeout = keepAliveTimeoutMs;
}

/** Advertises the shorter idle time on an answer (Node then leaves out its own header). */
export function advertiseKeepAlive(res: ServerResponse): void {
  res.setHeader('keep-alive', `timeout=${advertisedSeconds}`);
}
