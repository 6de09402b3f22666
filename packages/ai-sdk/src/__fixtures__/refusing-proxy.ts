import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RefusingProxy {
  url: string;
  /** Requests whose connection was cut. */
  cut: string[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of `target` that cuts the connection of the first request
 * whose URL contains `fragment`, and forwards everything else. `refuse` cuts it before it is
 * forwarded, as a server closing an idle kept-alive connection does; `drop` lets the server do
 * the work and cuts the connection instead of passing the answer on.
 */
export async function startRefusingProxy(
  target: string,
  fragment: string,
  mode: 'refuse' | 'drop' = 'refuse',
): Promise<RefusingProxy> {
  const upstream = new URL(target);
  const cut: string[] = [];
  const server = createServer((req, res) => {
    const chosen = cut.length === 0 && (req.url ?? '').includes(fragment);
    if (chosen && mode === 'refuse') {
      cut.push(req.url ?? '');
      req.socket.destroy();
      return;
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (chosen) {
          answer.resume();
          answer.on('end', () => {
            cut.push(req.url ?? '');
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
    cut,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
