import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { download, type PulledFile } from './download-file.js';
import { partialFolderFor, removeAbandonedPartials } from './partial-folders.js';
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

export interface PullModelResult {
  folder: string;
  files: PulledFile[];
  dimensions: number;
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
  const partial = partialFolderFor(folder);
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
