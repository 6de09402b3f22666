import { createHash, randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { StaticEmbeddingsError } from './static-embeddings-error.js';
import { loadStaticModel, modelFiles } from './static-model.js';

/** How long a pull waits for the next byte by default: see `idleTimeoutMs`. */
export const defaultPullIdleTimeoutMs = 30_000;

export const pullModelOptionsSchema = z.strictObject({
  /** Hub repository, `owner/name` (`minishlab/potion-base-8M`). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/, 'must be owner/name')
    .refine((name) => !name.includes('..'), 'must not contain ".."'),
  /** Folder the model ends up in; replaced only once the new files are complete and load. */
  into: z.string().min(1),
  /** Hub base URL; default `HF_ENDPOINT` or `https://huggingface.co`. */
  endpoint: z.url().optional(),
  revision: z
    .string()
    .regex(/^[\w.-]+$/)
    .default('main'),
  /** Access token for gated or private models; default `HF_TOKEN`. Sent to the hub only. */
  token: z.string().min(1).optional(),
  /**
   * How long a download may go without receiving a byte (waiting for the hub's answer, or between
   * two chunks of a file) before it is given up as stalled (`DOWNLOAD_STALLED`). Default 30 s: a
   * slow link still delivers bytes every few seconds, a dead one never again. At most 300 s,
   * after which Node's `fetch` gives up on its own.
   */
  idleTimeoutMs: z.number().int().min(1).max(300_000).default(defaultPullIdleTimeoutMs),
  /** Stops the pull: it rejects with the signal's reason, and nothing of it stays on disk. */
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
  fetch: z.custom<typeof fetch>((value) => typeof value === 'function').optional(),
  onProgress: z.custom<(line: string) => void>((value) => typeof value === 'function').optional(),
});
export type PullModelOptions = z.input<typeof pullModelOptionsSchema>;

export interface PulledFile {
  name: string;
  bytes: number;
  /** `sha256:` or `git-sha1:` and the checksum the hub announced and the download matched. */
  checksum: string;
}

export interface PullModelResult {
  folder: string;
  files: PulledFile[];
  dimensions: number;
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

/** Codes of a pooled socket the server closed while idle: the request failed before any answer. */
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** One file's transfer, aborted by the caller's signal or when it goes idle. */
interface IdleWatch {
  signal: AbortSignal;
  /** Bytes came: the wait starts again. */
  touch(): void;
  stop(): void;
  /** The error to throw when `signal` fired: the caller's reason, or the stall's own. */
  failure(error: unknown): unknown;
}

/**
 * Aborts a transfer once `idleMs` pass without `touch()`: a hub or CDN that accepted the
 * connection and then sends nothing more. Node's own fetch waits 300 s for headers and between
 * body chunks, so a pull over a dead connection hung five minutes before it failed.
 */
function watchIdle(idleMs: number, outer: AbortSignal | undefined, stalled: () => Error): IdleWatch {
  const idle = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(stalled()), idleMs);
  };
  touch();
  const signal = outer === undefined ? idle.signal : AbortSignal.any([outer, idle.signal]);
  return {
    signal,
    touch,
    stop: () => clearTimeout(timer),
    failure: (error) => {
      if (outer?.aborted) return outer.reason;
      return idle.signal.aborted ? idle.signal.reason : error;
    },
  };
}

async function request(
  url: string,
  init: RequestInit,
  fetcher: typeof fetch,
  endpoint: string,
  watch: IdleWatch,
): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetcher(url, { ...init, signal: watch.signal });
    } catch (error) {
      if (watch.signal.aborted) throw watch.failure(error);
      const code = (error as { cause?: { code?: string } }).cause?.code;
      // Every request here is a GET, so one fresh attempt after a reset is safe; a busy machine (or a
      // proxy) closing idle keep-alive sockets would otherwise fail a pull that the next try completes.
      if (attempt === 1 && code !== undefined && resetCodes.has(code)) continue;
      throw new StaticEmbeddingsError(
        'OFFLINE',
        `Cannot reach the model hub at ${endpoint} (${code ?? (error as Error).message}). Without a network, copy tokenizer.json, model.safetensors and config.json into a folder by other means and give its path instead of a name.`,
        { cause: error },
      );
    }
  }
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

async function download(
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

/** `<folder>.partial-<pid>-<hex>`: the pid tells a pull still running from one that was killed. */
const partialName = /\.partial-(?:(\d+)-)?[0-9a-f]{8}$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the partial folders of pulls into `folder` that were killed (SIGKILL, a crash, a power
 * cut: no handler ran) and returns them. Names without a pid are from versions that did not
 * record one; a pull removes its own folder whenever it can, so one left over was interrupted.
 */
function removeAbandonedPartials(folder: string): string[] {
  const prefix = `${basename(folder)}.partial-`;
  let names: string[];
  try {
    names = readdirSync(dirname(folder));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = name.startsWith(prefix) ? partialName.exec(name) : null;
    if (match === null || (match[1] !== undefined && alive(Number(match[1])))) continue;
    rmSync(join(dirname(folder), name), { recursive: true, force: true });
    removed.push(join(dirname(folder), name));
  }
  return removed;
}

/**
 * Downloads a model2vec model from the Hugging Face hub (`{endpoint}/{name}/resolve/{revision}/{file}`)
 * into `into`: each file checked against the size and checksum the hub announces, the whole
 * loaded once as a model, and only then moved into place, so a failed, stalled or aborted pull
 * leaves nothing half-written and an earlier copy untouched.
 */
export async function pullStaticModel(options: PullModelOptions): Promise<PullModelResult> {
  const parsed = pullModelOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`)
      .join('; ');
    throw new StaticEmbeddingsError('INVALID_OPTIONS', `Invalid model pull: ${detail}`, {
      cause: parsed.error,
    });
  }
  const { name, revision } = parsed.data;
  const endpoint = (parsed.data.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(
    /\/+$/,
    '',
  );
  const token = parsed.data.token ?? process.env.HF_TOKEN;
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const fetcher = parsed.data.fetch ?? fetch;
  const { idleTimeoutMs, signal } = parsed.data;
  signal?.throwIfAborted();
  const folder = resolve(parsed.data.into);
  mkdirSync(dirname(folder), { recursive: true });
  for (const left of removeAbandonedPartials(folder))
    parsed.data.onProgress?.(`${name}: removed ${left}, left behind by an interrupted pull`);
  const partial = `${folder}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(partial);
  try {
    const files: PulledFile[] = [];
    for (const file of modelFiles) {
      parsed.data.onProgress?.(`${name}: downloading ${file}`);
      const url = `${endpoint}/${name}/resolve/${revision}/${file}`;
      const pulled = await download(
        { url, headers, fetcher, endpoint, name, idleTimeoutMs, signal },
        file,
        join(partial, file),
      );
      if (pulled !== undefined) files.push(pulled);
    }
    // Stopped after the last byte came: nothing is moved into place.
    signal?.throwIfAborted();
    const { dimensions } = loadStaticModel(partial);
    if (existsSync(folder)) rmSync(folder, { recursive: true });
    renameSync(partial, folder);
    return { folder, files, dimensions };
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}
