import { createServer, request, type Server } from 'node:http';
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
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of `target`. It forwards every request; for the ones it is
 * told to drop, it lets the server finish (so the work is done) and then cuts the client's
 * connection instead of passing the answer on: the network failure a retry must survive.
 */
export async function startDroppingProxy(target: string): Promise<DroppingProxy> {
  const upstream = new URL(target);
  const rules: { fragment: string; remaining: number }[] = [];
  const dropped: string[] = [];
  const refusals: { fragment: string; remaining: number }[] = [];
  const refused: string[] = [];
  const server: Server = createServer((req, res) => {
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
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
