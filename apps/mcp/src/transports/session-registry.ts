import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

interface Session {
  transport: StreamableHTTPServerTransport;
  /** Requests still open (a client's SSE stream stays open while it listens). */
  open: number;
  lastSeen: number;
}

/**
 * The Streamable HTTP sessions by id. A session with no request open and none for `idleMs` is
 * closed: clients rarely end theirs (the SDK's `close()` sends no DELETE), so without this a
 * long-running process would keep every session it ever had.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly idleMs: number) {
    this.timer = setInterval(() => this.sweep(), Math.min(idleMs, 60_000));
    this.timer.unref();
  }

  /**
   * Registers the session its `initialize` request opened. That request counts as open until its
   * response ends, so the idle clock starts when the client has its answer, not before it.
   */
  add(id: string, transport: StreamableHTTPServerTransport, initialize: ServerResponse): void {
    const session: Session = { transport, open: 0, lastSeen: Date.now() };
    this.sessions.set(id, session);
    this.track(session, initialize);
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** Serves a request of session `id`; false when there is no such session. */
  async serve(id: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const session = this.sessions.get(id);
    if (session === undefined) return false;
    this.track(session, res);
    await session.transport.handleRequest(req, res);
    return true;
  }

  private track(session: Session, res: ServerResponse): void {
    session.open += 1;
    res.once('close', () => {
      session.open -= 1;
      session.lastSeen = Date.now();
    });
  }

  private sweep(): void {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      // The transport's `onclose` removes it from the map.
      if (session.open === 0 && now - session.lastSeen >= this.idleMs) void session.transport.close();
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.sessions.values()].map((session) => session.transport.close()));
  }
}
