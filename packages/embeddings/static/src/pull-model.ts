import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { StaticEmbeddingsError } from './static-embeddings-error.js';
import { loadStaticModel, modelFiles } from './static-model.js';

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

async function request(
  url: string,
  init: RequestInit,
  fetcher: typeof fetch,
  endpoint: string,
): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetcher(url, init);
    } catch (error) {
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

async function download(
  options: {
    url: string;
    headers: Record<string, string>;
    fetcher: typeof fetch;
    endpoint: string;
    name: string;
  },
  file: string,
  target: string,
): Promise<PulledFile | undefined> {
  const first = await request(
    options.url,
    { headers: options.headers, redirect: 'manual' },
    options.fetcher,
    options.endpoint,
  );
  const expected = expectedOf(first);
  const location = first.headers.get('location');
  const redirected = first.status >= 300 && first.status < 400 && location !== null;
  if (redirected) await first.body?.cancel();
  // The CDN gets no token: it is another host, and the signed URL is the permission.
  const response = redirected
    ? await request(
        new URL(location, options.url).href,
        { redirect: 'follow' },
        options.fetcher,
        options.endpoint,
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

/**
 * Downloads a model2vec model from the Hugging Face hub (`{endpoint}/{name}/resolve/{revision}/{file}`)
 * into `into`: each file checked against the size and checksum the hub announces, the whole
 * loaded once as a model, and only then moved into place, so a failed pull leaves nothing
 * half-written and an earlier copy untouched.
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
  const folder = resolve(parsed.data.into);
  mkdirSync(dirname(folder), { recursive: true });
  const partial = `${folder}.partial-${randomBytes(4).toString('hex')}`;
  mkdirSync(partial);
  try {
    const files: PulledFile[] = [];
    for (const file of modelFiles) {
      parsed.data.onProgress?.(`${name}: downloading ${file}`);
      const url = `${endpoint}/${name}/resolve/${revision}/${file}`;
      const pulled = await download({ url, headers, fetcher, endpoint, name }, file, join(partial, file));
      if (pulled !== undefined) files.push(pulled);
    }
    const { dimensions } = loadStaticModel(partial);
    if (existsSync(folder)) rmSync(folder, { recursive: true });
    renameSync(partial, folder);
    return { folder, files, dimensions };
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}
