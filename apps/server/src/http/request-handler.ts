import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Memory } from '@episodic/core';
import type { TRPCError } from '@trpc/server';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { authenticate } from '../auth/authenticate.js';
import type { ServerContext } from '../context.js';
import { createDashboardEndpoint, isDashboardPath } from '../dashboard/dashboard-endpoint.js';
import { createTracesEndpoint } from '../otlp/traces-endpoint.js';
import type { AppRouter } from '../router.js';
import type { Metrics, ScrapeSources } from './metrics.js';

export interface RequestHandlerOptions {
  router: AppRouter;
  memory: Memory;
  metrics: Metrics;
  scrape: ScrapeSources;
  maxBodyBytes: number;
  /** True once shutdown began: health turns 503 and connections close after their response. */
  draining: () => boolean;
  onInternalError: (error: unknown, path: string | undefined) => void;
}

const trpcPrefix = '/trpc/';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A refusal in tRPC's own error format, so the client raises a typed `TRPCClientError`. */
function payloadTooLarge(res: ServerResponse, maxBodyBytes: number): void {
  res.setHeader('connection', 'close');
  sendJson(res, 413, {
    error: {
      message: `Request body is larger than the server's limit of ${maxBodyBytes} bytes.`,
      code: -32013,
      data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, issues: null },
    },
  });
}

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

  async function scrape(res: ServerResponse): Promise<void> {
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
    return { caller, authProblem, observer: metrics, recordDenied };
  };
  const dashboard = createDashboardEndpoint();
  const traces = createTracesEndpoint({ memory, maxBodyBytes, onInternalError: options.onInternalError });
  const reportInternal = (error: TRPCError, path: string | undefined) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') options.onInternalError(error.cause ?? error, path);
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const route = routeOf(url);
    if (options.draining()) res.setHeader('connection', 'close');

    if (route === 'trpc') {
      const declared = Number(req.headers['content-length'] ?? 0);
      // Refused before reading a byte; chunked bodies are cut off by the adapter's own limit.
      if (declared > maxBodyBytes) return payloadTooLarge(res, maxBodyBytes);
      const query = url.indexOf('?');
      const path = url.slice(trpcPrefix.length, query === -1 ? undefined : query);
      void nodeHTTPRequestHandler({
        router,
        req,
        res,
        path,
        maxBodySize: maxBodyBytes,
        // Queries may come as POST (the SDK sends them so): a long search text or a big batch
        // does not fit in a URL. Mutations stay POST-only either way.
        allowMethodOverride: true,
        createContext: ({ req: request }) => createContext(request),
        onError: ({ error, path: procedure }) => reportInternal(error, procedure),
      });
      return;
    }
    if (route === 'otlp') return void traces(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { error: 'method not allowed' });
    if (route === 'healthz') return void health(res);
    if (route === 'metrics') return void scrape(res);
    if (route === 'ui') return dashboard(req, res, url.split('?')[0] ?? url);
    sendJson(res, 404, { error: 'not found', hint: 'the API is served under /trpc/' });
  };
}
