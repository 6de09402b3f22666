import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createEpisodicMcpServer } from '../create-mcp-server.js';
import { EpisodicMcpError } from '../errors.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { SessionEpisodes } from '../memory/session-episodes.js';
import { say } from '../say.js';
import { SessionRegistry } from './session-registry.js';

export interface HttpOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** How long a session with no request open lives after its last one (default 30 min). */
  sessionIdleMs?: number;
}

export interface RunningHttp {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3333/mcp`. */
  url: string;
  close(): Promise<void>;
}

const loopbackNames = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether a host name (an interface to bind, or a Host header's name) is this machine's loopback. */
export function isLoopback(host: string): boolean {
  return loopbackNames.has(host);
}

/** The Host header's name without its port. */
function hostName(header: string | undefined): string {
  if (header === undefined) return '';
  return header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : (header.split(':')[0] ?? '');
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/**
 * Streamable HTTP at `/mcp`, one session (an `McpServer` and its transport) per client, all on
 * the one memory. Bound to loopback, only loopback Host headers are served: a web page cannot
 * reach the endpoint by DNS rebinding. When a session ends (its client's DELETE, idleness, or
 * `close()`), the episodes it started and did not complete are archived.
 */
export async function serveHttp(memory: AgentMemory, options: HttpOptions): Promise<RunningHttp> {
  const sessions = new SessionRegistry(options.sessionIdleMs ?? 30 * 60_000);
  const loopbackOnly = isLoopback(options.host);
  /** Sessions' ends still archiving: `close()` waits for them before the memory is let go. */
  const ending = new Set<Promise<void>>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // `URL` throws on a request target it cannot read (`http://[/mcp`): the client's fault, a 400.
    const target = URL.canParse(req.url ?? '/', 'http://localhost')
      ? new URL(req.url ?? '/', 'http://localhost')
      : null;
    if (target === null) return refuse(res, 400, 'Bad request: the request target is not a URL');
    if (target.pathname !== '/mcp') return refuse(res, 404, 'Not found: the MCP endpoint is /mcp');
    if (loopbackOnly && !isLoopback(hostName(req.headers.host))) return refuse(res, 403, 'Forbidden host');
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      if (!(await sessions.serve(sessionId, req, res))) refuse(res, 404, 'Session not found');
      return;
    }
    if (req.method !== 'POST')
      return refuse(res, 400, 'Bad request: no session; start with an initialize request');
    // The transport itself refuses anything but an `initialize` without a session.
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.add(id, transport, res);
      },
    });
    const session = new SessionEpisodes(memory);
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      const end = session.end().finally(() => ending.delete(end));
      ending.add(end);
    };
    await createEpisodicMcpServer(memory, session).connect(transport);
    await transport.handleRequest(req, res);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      say(`request failed: ${(error as Error)?.message ?? String(error)}`);
      if (!res.headersSent) refuse(res, 500, 'Internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error) =>
      reject(
        new EpisodicMcpError('HTTP', `Cannot listen on ${options.host}:${options.port}: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    http.listen(options.port, options.host, resolve);
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/mcp`,
    close: async () => {
      await sessions.closeAll();
      await Promise.all(ending);
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
