import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DroppingProxy {
  url: string;
  /** Requests forwarded whose answer was thrown away. */
  dropped: string[];
  /** Drops the answer to the next request whose URL contains `fragment`. */
  dropNext(fragment: string): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of `target`. A request it is told to drop is forwarded
 * and done by the server, then the client's connection is cut instead of the answer passed on:
 * the lost answer a retry must survive. Everything else is forwarded.
 */
export async function startDroppingProxy(target: string): Promise<DroppingProxy> {
  const upstream = new URL(target);
  const dropped: string[] = [];
  let armed: string | null = null;
  const server = createServer((req, res) => {
    const drop = armed !== null && (req.url ?? '').includes(armed);
    if (drop) armed = null;
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (drop) {
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
    dropNext: (fragment) => {
      armed = fragment;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
