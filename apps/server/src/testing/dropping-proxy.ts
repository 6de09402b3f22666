import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DroppingProxy {
  url: string;
  /** Requests forwarded whose answer was thrown away. */
  dropped: string[];
  /** Drops the answer to the next `count` requests whose URL contains `fragment`. */
  dropNext(fragment: string, count?: number): void;
  /** Requests cut before they reached the server. */
  refused: string[];
  /**
   * Cuts the connection of the next `count` requests whose URL contains `fragment` without
   * forwarding them, as a server closing an idle kept-alive connection does.
   */
  refuseNext(fragment: string, count?: number): void;
  /**
   * While on, requests still reach the server (their work is done) but their answers are kept
   * back and the connection stays open: a server that took the request and stopped answering.
   */
  withhold(on: boolean): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of `target`. It forwards every request; it can withhold
 * answers (see `withhold`), and for the ones it is told to drop, it lets the server finish (so the work is done) and then cuts the client's
 * connection instead of passing the answer on: the network failure a retry must survive.
 */
export async function startDroppingProxy(target: string): Promise<DroppingProxy> {
  const upstream = new URL(target);
  const rules: { fragment: string; remaining: number }[] = [];
  const dropped: string[] = [];
  const refusals: { fragment: string; remaining: number }[] = [];
  const refused: string[] = [];
  let withholding = false;
  const kept: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const hold = withholding;
    const refusal = refusals.find(
      (candidate) => candidate.remaining > 0 && (req.url ?? '').includes(candidate.fragment),
    );
    if (refusal !== undefined) {
      refusal.remaining -= 1;
      refused.push(req.url ?? '');
      req.socket.destroy();
      return;
    }
    const rule = rules.find(
      (candidate) => candidate.remaining > 0 && (req.url ?? '').includes(candidate.fragment),
    );
    if (rule !== undefined) rule.remaining -= 1;
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (hold) {
          answer.resume();
          kept.push(res);
          return;
        }
        if (rule !== undefined) {
          answer.resume();
          answer.on('end', () => {
            dropped.push(req.url ?? '');
            req.socket.destroy();
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dropped,
    dropNext: (fragment, count = 1) => rules.push({ fragment, remaining: count }),
    refused,
    refuseNext: (fragment, count = 1) => refusals.push({ fragment, remaining: count }),
    withhold: (on) => {
      withholding = on;
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of kept) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
