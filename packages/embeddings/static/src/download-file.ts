import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { request } from './hub-request.js';
import { type IdleWatch, watchIdle } from './idle-watch.js';
import { StaticEmbeddingsError } from './static-embeddings-error.js';

export interface PulledFile {
  name: string;
  bytes: number;
  /** `sha256:` or `git-sha1:` and the checksum the hub announced and the download matched. */
  checksum: string;
}

interface Expected {
  size: number | undefined;
  etag: string | undefined;
}

function expectedOf(response: Response): Expected {
  // LFS files answer with a redirect whose X-Linked-* headers describe the file itself.
  const etag = response.headers.get('x-linked-etag') ?? response.headers.get('etag') ?? undefined;
  const size = response.headers.get('x-linked-size') ?? response.headers.get('content-length');
  return {
    etag: etag?.replace(/^W\//, '').replaceAll('"', ''),
    size: size === null ? undefined : Number(size),
  };
}

interface DownloadOptions {
  url: string;
  headers: Record<string, string>;
  fetcher: typeof fetch;
  endpoint: string;
  name: string;
  idleTimeoutMs: number;
  signal: AbortSignal | undefined;
}

/**
 * Downloads one model file into `target`, checked against the size and checksum the hub
 * announces; `undefined` when the hub has no `config.json`, which a model may go without.
 */
export async function download(
  options: DownloadOptions,
  file: string,
  target: string,
): Promise<PulledFile | undefined> {
  let bytes = 0;
  const watch = watchIdle(
    options.idleTimeoutMs,
    options.signal,
    () =>
      new StaticEmbeddingsError(
        'DOWNLOAD_STALLED',
        `Downloading ${file} of ${options.name} stalled: nothing came from ${options.endpoint} for ${options.idleTimeoutMs / 1000} s (after ${bytes} bytes of it). Check the network and try again.`,
      ),
  );
  try {
    return await transfer(options, file, target, watch, (count) => {
      bytes += count;
    });
  } finally {
    watch.stop();
  }
}

async function transfer(
  options: DownloadOptions,
  file: string,
  target: string,
  watch: IdleWatch,
  received: (count: number) => void,
): Promise<PulledFile | undefined> {
  const first = await request(
    options.url,
    { headers: options.headers, redirect: 'manual' },
    options.fetcher,
    options.endpoint,
    watch,
  );
  const expected = expectedOf(first);
  const location = first.headers.get('location');
  const redirected = first.status >= 300 && first.status < 400 && location !== null;
  if (redirected) await first.body?.cancel();
  // The CDN gets no token: it is another host, and the signed URL is the permission.
  if (redirected) watch.touch();
  const response = redirected
    ? await request(
        new URL(location, options.url).href,
        { redirect: 'follow' },
        options.fetcher,
        options.endpoint,
        watch,
      )
    : first;
  if (response.status === 404) {
    await response.body?.cancel();
    if (file === 'config.json') return undefined;
    throw new StaticEmbeddingsError(
      'MODEL_NOT_FOUND',
      `The hub has no ${file} for ${options.name} (${response.headers.get('x-error-code') ?? 'HTTP 404'}): is the name right, and is it a model2vec model?`,
    );
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    const hint =
      response.status === 401 || response.status === 403 ? ' (gated or private: set HF_TOKEN)' : '';
    throw new StaticEmbeddingsError(
      'DOWNLOAD_FAILED',
      `Downloading ${file} of ${options.name} failed: HTTP ${response.status}${hint}.`,
    );
  }
  const sha256 = createHash('sha256');
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      received(chunk.length);
      watch.touch();
      sha256.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      count,
      createWriteStream(target),
    );
  } catch (error) {
    if (watch.signal.aborted) throw watch.failure(error);
    // The disk's refusals (ENOSPC, EACCES) are the operator's to read as they are; anything else
    // is the transfer breaking off ("terminated"), which came out as an unexpected error's stack.
    if (typeof (error as NodeJS.ErrnoException).syscall === 'string') throw error;
    const reason = [error, (error as Error).cause]
      .map((part) => (part instanceof Error ? part.message : ''))
      .filter((part) => part !== '')
      .join(': ');
    throw new StaticEmbeddingsError(
      'DOWNLOAD_FAILED',
      `Downloading ${file} of ${options.name} broke off after ${bytes} bytes (${reason}): try again.`,
      { cause: error },
    );
  }
  const mismatch = (what: string) =>
    new StaticEmbeddingsError(
      'DOWNLOAD_FAILED',
      `Downloaded ${file} of ${options.name} is damaged: ${what}. Try again.`,
    );
  if (expected.size !== undefined && bytes !== expected.size)
    throw mismatch(`${bytes} bytes, the hub announced ${expected.size}`);
  const etag = expected.etag ?? '';
  if (/^[0-9a-f]{64}$/.test(etag)) {
    const actual = sha256.digest('hex');
    if (actual !== etag) throw mismatch(`sha256 ${actual}, the hub announced ${etag}`);
    return { name: file, bytes, checksum: `sha256:${etag}` };
  }
  if (/^[0-9a-f]{40}$/.test(etag)) {
    // A git blob id hashes a header holding the size first: the (small, non-LFS) file is hashed again.
    const actual = createHash('sha1').update(`blob ${bytes}\0`).update(readFileSync(target)).digest('hex');
    if (actual !== etag) throw mismatch(`git sha1 ${actual}, the hub announced ${etag}`);
    return { name: file, bytes, checksum: `git-sha1:${etag}` };
  }
  throw mismatch(`the hub announced no checksum (ETag "${etag}")`);
}
