import type { IncomingMessage, ServerResponse } from 'node:http';
import { EpisodicError, type Memory } from '@episodic/core';
import type { TRPCError } from '@trpc/server';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { authenticate } from '../auth/authenticate.js';
import type { ServerContext } from '../context.js';
import {
  createDashboardEndpoint,
  isDashboardPath,
  redirectToDashboard,
  wantsHtml,
} from '../dashboard/dashboard-endpoint.js';
import { BodyError, readBody, refuseDeclaredLength, utf8Text } from '../otlp/read-body.js';
import { createTracesEndpoint } from '../otlp/traces-endpoint.js';
import type { AppRouter } from '../router.js';
import type { CallAdmission } from './call-admission.js';
import { inexactInteger } from './exact-numbers.js';
import type { Metrics, ScrapeSources } from './metrics.js';
import { drainFactor, dropUnreadBody } from './unread-body.js';

export interface RequestHandlerOptions {
  router: AppRouter;
  memory: Memory;
  metrics: Metrics;
  scrape: ScrapeSources;
  maxBodyBytes: number;
  /** Each token's share of calls running at once. */
  admission: CallAdmission;
  /** True once shutdown began: health turns 503 and connections close after their response. */
  draining: () => boolean;
  onInternalError: (error: unknown, path: string | undefined) => void;
  /**
   * A write was refused because the disk holding the database is full: the client got a 503
   * saying so, and the operator needs to hear it too.
   */
  onDiskFull: () => void;
  /** `/healthz` found the database file deleted or replaced under the open store; `reason` says which. */
  onLostDatabase: (reason: string) => void;
  /** Who may read `/metrics`: anyone (`public`), or a caller with an admin token (`admin`). */
  metricsAccess: MetricsAccess;
}

/** `metricsAccess`: store-wide figures follow every domain's activity (see the README's "Auth"). */
export type MetricsAccess = 'public' | 'admin';

const trpcPrefix = '/trpc/';

/** The most calls one request may batch (the SDK sends at most 10). */
export const maxBatchSize = 100;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const errorCodes = {
  400: 'BAD_REQUEST',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  500: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<BodyError['status'] | 500, keyof typeof TRPC_ERROR_CODES_BY_KEY>;

/** An answer in tRPC's own error format before the adapter runs, so the client raises a typed `TRPCClientError`. */
async function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: keyof typeof errorCodes,
  message: string,
  drainBytes: number,
): Promise<void> {
  await dropUnreadBody(req, res, drainBytes);
  const code = errorCodes[status];
  sendJson(res, status, {
    error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: status, issues: null } },
  });
}

/** A POST body that tRPC would decode as JSON text (its media type test: case-insensitive, parameters ignored). */
const isJsonBody = (req: IncomingMessage) =>
  req.method === 'POST' &&
  req.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';

/** The route label of `/metrics` for a request path. */
export function routeOf(url: string): string {
  if (url.startsWith(trpcPrefix)) return 'trpc';
  const path = url.split('?')[0] ?? url;
  if (path === '/v1/traces') return 'otlp';
  if (isDashboardPath(path)) return 'ui';
  return path === '/healthz' || path === '/metrics' ? path.slice(1) : 'other';
}

/**
 * Routes `/trpc/*` to the API, `/v1/traces` to the OTLP receiver, `/ui/` to the dashboard,
 * `/healthz` and `/metrics` to their probes, anything else to 404.
 */
export function createRequestHandler(options: RequestHandlerOptions) {
  const { router, memory, metrics, maxBodyBytes } = options;
  const drainBytes = drainFactor * maxBodyBytes;

  async function scrape(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.metricsAccess === 'admin') {
      const { caller, authProblem } = await authenticate(memory, req.headers.authorization);
      if (caller === null) {
        res.setHeader('www-authenticate', 'Bearer');
        return sendJson(res, 401, { error: authProblem });
      }
      if (!caller.scopes.includes('admin')) {
        recordDenied(caller.id, 'metrics', 'query');
        return sendJson(res, 403, { error: 'This token lacks the "admin" scope (metricsAccess: admin).' });
      }
    }
    try {
      const text = await metrics.render(options.scrape);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
    } catch {
      sendJson(res, 503, { status: 'unavailable' });
    }
  }

  async function health(res: ServerResponse): Promise<void> {
    if (options.draining()) return sendJson(res, 503, { status: 'draining' });
    // Reads still work then, but every write is refused until the process is started again on
    // the file now at that path: an orchestrator should hear it. The reason names the path, so
    // it goes to the operator's log, not to this unauthenticated answer.
    const lost = memory.admin.lostDatabaseFile();
    if (lost !== null) {
      options.onLostDatabase(lost);
      return sendJson(res, 503, { status: 'unavailable', problem: 'database file deleted or replaced' });
    }
    try {
      const schemaVersion = await memory.admin.schemaVersion();
      sendJson(res, 200, { status: 'ok', schemaVersion });
    } catch {
      sendJson(res, 503, { status: 'unavailable' });
    }
  }

  const recordDenied = (actor: string, procedure: string, type: string) =>
    memory.admin.recordAudit({
      actor,
      operation: procedure.startsWith('admin.') ? 'admin' : type === 'mutation' ? 'update' : 'read',
      entityType: 'procedure',
      entityId: procedure,
      outcome: 'denied',
    });
  const createContext = async (req: IncomingMessage): Promise<ServerContext> => {
    const { caller, authProblem } = await authenticate(memory, req.headers.authorization);
    return {
      caller,
      authProblem,
      observer: metrics,
      admission: options.admission,
      recordDenied,
      endConnection: () => req.socket.destroy(),
    };
  };
  const dashboard = createDashboardEndpoint();
  const traces = createTracesEndpoint({
    memory,
    maxBodyBytes,
    admission: options.admission,
    onInternalError: options.onInternalError,
  });
  const reportInternal = (error: TRPCError, path: string | undefined) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') options.onInternalError(error.cause ?? error, path);
    else if (EpisodicError.isInstance(error.cause) && error.cause.code === 'FULL') options.onDiskFull();
  };

  /**
   * A JSON body is read and decoded here, strictly, and handed to the adapter as text: the adapter
   * decodes it leniently, storing bytes that are not UTF-8 as U+FFFD. Only for a caller with a
   * valid token, as the adapter would: without one every procedure answers 401 before it reads its
   * input, so a client without a token cannot make the server hold its bodies. Other bodies (refused
   * by their media type) are left to the adapter and its size limit, their declared length checked
   * before a byte is read.
   */
  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    let context: ServerContext;
    let body: string | undefined;
    try {
      refuseDeclaredLength(req, maxBodyBytes);
      context = await createContext(req);
      if (context.caller !== null && isJsonBody(req))
        body = utf8Text(await readBody(req, maxBodyBytes, { gzip: false }));
      const inexact = body === undefined ? null : inexactInteger(body);
      if (inexact !== null)
        return sendError(
          req,
          res,
          400,
          `The body holds the integer ${inexact}, which a JSON number here (an IEEE double) cannot hold exactly: it would be stored as ${BigInt(Number(inexact))}. Send it as a string.`,
          drainBytes,
        );
    } catch (error) {
      if (error instanceof BodyError) return sendError(req, res, error.status, error.message, drainBytes);
      // The request stream failed: the client went away mid-upload, or a shutdown cut its
      // connection. No one is left to answer, and `/metrics` counts it as aborted.
      if (req.errored === error) return;
      options.onInternalError(error, path);
      return sendError(req, res, 500, 'Internal server error', drainBytes);
    }
    await nodeHTTPRequestHandler({
      router,
      req: body === undefined ? req : Object.assign(req, { body }),
      res,
      path,
      maxBodySize: maxBodyBytes,
      // Queries may come as POST (the SDK sends them so): a long search text or a big batch
      // does not fit in a URL. Mutations stay POST-only either way.
      allowMethodOverride: true,
      // A batch is answered when its last call is: a client sending thousands in one request
      // waits for all of them, and holds their results in memory until then. tRPC answers more
      // with a 400.
      maxBatchSize,
      // A request tRPC refuses before it knows its calls (a media type it does not take, a batch
      // too large or mixing queries and mutations) is answered with JSON but no content type of
      // its own, so the Response defaulted to text/plain.
      responseMeta: ({ info }) =>
        info === undefined ? { headers: { 'content-type': 'application/json' } } : {},
      createContext: () => context,
      onError: ({ error, path: procedure }) => reportInternal(error, procedure),
    });
  }

  /**
   * A route's failure that escaped its own handling (a bug): logged and answered 500, or the
   * connection cut if an answer had begun. Left to reject, it ended the process (an OTLP
   * refusal that could not be encoded took the server down).
   */
  const answered = (route: string, res: ServerResponse, work: Promise<void>): void =>
    void work.catch((error: unknown) => {
      options.onInternalError(error, route);
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'internal server error' });
    });

  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const route = routeOf(url);
    if (options.draining()) res.setHeader('connection', 'close');

    if (route === 'trpc') {
      const query = url.indexOf('?');
      return answered(
        route,
        res,
        api(req, res, url.slice(trpcPrefix.length, query === -1 ? undefined : query)),
      );
    }
    if (route === 'otlp') return answered(route, res, traces(req, res));
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { error: 'method not allowed' });
    if (route === 'healthz') return answered(route, res, health(res));
    if (route === 'metrics') return answered(route, res, scrape(req, res));
    const path = url.split('?')[0] ?? url;
    if (route === 'ui') return dashboard(req, res, path);
    if (path === '/') {
      // Answered by `Accept`: a browser goes to the dashboard, an API client gets the JSON below.
      res.setHeader('vary', 'accept');
      if (wantsHtml(req)) return redirectToDashboard(res);
    }
    sendJson(res, 404, {
      error: 'not found',
      hint: 'the API is served under /trpc/, the dashboard under /ui/',
    });
  };
}
