import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldRequest {
  /** The request's path: `/trpc/episodes.get,episodes.get?batch=1`. */
  url: string;
  /** The client closed its connection: it stopped waiting for the answer. */
  closed: boolean;
}

export interface HoldingProxy {
  url: string;
  /** Requests whose path contains `fragment` are held from now on (none with `null`). */
  hold(fragment: string | null): void;
  /** Every request held so far, in order. */
  held: HeldRequest[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of `target` that forwards every request but the ones it is
 * told to hold: those never reach the server and are never answered (a server stuck behind a
 * lock), and it notes when their client gives up on them.
 */
export async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const upstream = new URL(target);
  const held: HeldRequest[] = [];
  let fragment: string | null = null;
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    if (fragment !== null && url.includes(fragment)) {
      const entry: HeldRequest = { url, closed: false };
      held.push(entry);
      req.resume();
      res.once('close', () => {
        entry.closed = true;
      });
      return;
    }
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: url, headers: req.headers },
      (answer) => {
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
    hold: (next) => {
      fragment = next;
    },
    held,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
