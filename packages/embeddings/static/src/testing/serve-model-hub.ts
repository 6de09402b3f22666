import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface ModelHubOptions {
  /** Repository name (`owner/name`) to the local folder whose files it serves. */
  repos: Record<string, string>;
  /** Changes a file's bytes after its checksum was taken: a damaged transfer. */
  tamper?: (file: string, bytes: Buffer) => Buffer;
  /** Closes the connection of this many first requests without answering, as a server that
   * dropped an idle keep-alive socket does. */
  resetFirst?: number;
  /** Breaks the connection after this many bytes of the named file's body: a download cut off. */
  cutOff?: { file: string; after: number };
  /**
   * Sends this many bytes of the named file's body, then nothing more while keeping the
   * connection open: a stalled transfer. Without `after`, not even the headers are sent.
   */
  stall?: { file: string; after?: number };
}

export interface ModelHub {
  /** What `HF_ENDPOINT` would be: `http://127.0.0.1:PORT`. */
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Files the hub keeps in LFS: served through a redirect, with the sha256 as `X-Linked-Etag`. */
const lfs = (file: string) => file.endsWith('.safetensors');

function gitBlobSha1(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function notFound(response: ServerResponse, code: string): void {
  response.writeHead(404, { 'x-error-code': code, 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: code }));
}

/**
 * A loopback stand-in for the Hugging Face hub's file endpoint, `GET|HEAD
 * /{owner}/{name}/resolve/{revision}/{file}`, answering as the hub does: small files directly with
 * their git blob sha1 as `ETag`; LFS files with a 302 to a CDN URL carrying `X-Linked-Etag`
 * (sha256) and `X-Linked-Size`; `X-Error-Code` on a 404.
 */
export async function serveModelHub(options: ModelHubOptions): Promise<ModelHub> {
  const requests: string[] = [];
  let resets = options.resetFirst ?? 0;
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://hub').pathname);
    requests.push(path);
    if (resets > 0) {
      resets--;
      request.socket.resetAndDestroy();
      return;
    }
    const cdn = /^\/cdn\/(.+)\/([^/]+)$/.exec(path);
    const resolved = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/([^/]+)$/.exec(path);
    const [repo, file] = cdn ? [cdn[1], cdn[2]] : resolved ? [resolved[1], resolved[2]] : [];
    const folder = repo === undefined ? undefined : options.repos[repo];
    if (folder === undefined || file === undefined) return notFound(response, 'RepoNotFound');
    if (!existsSync(join(folder, file))) return notFound(response, 'EntryNotFound');
    const bytes = readFileSync(join(folder, file));
    if (options.stall?.file === file && options.stall.after === undefined) return;
    const headers = { 'x-repo-commit': '0123456789abcdef0123456789abcdef01234567' };
    if (resolved && lfs(file)) {
      response.writeHead(302, {
        ...headers,
        location: `/cdn/${repo}/${file}`,
        'x-linked-etag': `"${createHash('sha256').update(bytes).digest('hex')}"`,
        'x-linked-size': String(bytes.length),
      });
      return response.end();
    }
    const body = options.tamper?.(file, bytes) ?? bytes;
    const etag = lfs(file) ? createHash('sha256').update(bytes).digest('hex') : gitBlobSha1(bytes);
    response.writeHead(200, { ...headers, etag: `"${etag}"`, 'content-length': String(body.length) });
    if (options.cutOff?.file === file && request.method !== 'HEAD') {
      response.write(body.subarray(0, options.cutOff.after), () => request.socket.destroy());
      return;
    }
    if (options.stall?.file === file && request.method !== 'HEAD') {
      response.write(body.subarray(0, options.stall.after));
      return;
    }
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A stalled answer never ends on its own.
        server.closeAllConnections();
      }),
  };
}
