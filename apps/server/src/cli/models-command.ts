import {
  defaultPullIdleTimeoutMs,
  pullStaticModel,
  StaticEmbeddingsError,
} from '@episodic/embeddings-static';
import { resolveLocations } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';
import { makeDataDir } from '../store/data-dir.js';
import { modelFolder } from '../store/embedding-provider.js';
import { abortOnSignals } from './abort-on-signals.js';
import { type CommandArgs, flag, stringOption } from './command-args.js';
import { note, print, printJson } from './output.js';

/** Node's `fetch` gives up by itself after 300 s without a byte: a longer wait would never come. */
const maxIdleTimeoutMs = 300_000;

function idleTimeout(args: CommandArgs): number {
  const text = stringOption(args, 'idle-timeout-ms');
  if (text === undefined) return defaultPullIdleTimeoutMs;
  const ms = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(ms >= 1 && ms <= maxIdleTimeoutMs))
    throw new ServerError(
      'USAGE',
      `--idle-timeout-ms ${text}: expected a whole number of milliseconds from 1 to ${maxIdleTimeoutMs}.`,
    );
  return ms;
}

/**
 * `episodic models pull NAME [--idle-timeout-ms N]`: downloads a model2vec model
 * (`minishlab/potion-base-8M`) from the Hugging Face hub (`HF_ENDPOINT`, `HF_TOKEN`) into
 * `<data-dir>/models/NAME`, for `--embeddings static --embeddings-model NAME`. A transfer that
 * receives nothing for N ms (default 30 s) fails; Ctrl-C or SIGTERM stops it, removes what was
 * downloaded, and exits 130 or 143, as a shell reports a process the signal ended.
 */
export async function modelsCommand(args: CommandArgs): Promise<void> {
  const [action, name, ...extra] = args.positionals;
  if (action !== 'pull' || name === undefined || extra.length > 0)
    throw new ServerError(
      'USAGE',
      'Use: episodic models pull NAME [--idle-timeout-ms N] (a Hugging Face model, owner/name).',
    );
  const idleTimeoutMs = idleTimeout(args);
  const { dataDir } = resolveLocations(args.config);
  makeDataDir(dataDir);
  const into = modelFolder(name, dataDir);
  const interrupt = abortOnSignals();
  let result: Awaited<ReturnType<typeof pullStaticModel>>;
  try {
    result = await pullStaticModel({ name, into, idleTimeoutMs, signal: interrupt.signal, onProgress: note });
  } catch (error) {
    const signal = interrupt.received();
    if (signal !== null) {
      note(
        `episodic: models pull stopped by ${signal}: nothing was kept (the partial download was removed).`,
      );
      process.exitCode = interrupt.exitCode();
      return;
    }
    if (!StaticEmbeddingsError.isInstance(error)) throw error;
    const hint =
      error.code === 'DOWNLOAD_STALLED'
        ? ` A slow link may need a longer wait: --idle-timeout-ms N (now ${idleTimeoutMs}).`
        : '';
    throw new ServerError('FAILED', `${error.message}${hint}`, { cause: error });
  } finally {
    interrupt.dispose();
  }
  for (const file of result.files) note(`${file.name}: ${file.bytes} bytes, ${file.checksum}`);
  if (flag(args, 'json')) return printJson({ name, ...result });
  print(`Pulled ${name} into ${result.folder} (${result.dimensions} dimensions).`);
  print(`Use it with: episodic serve --embeddings static --embeddings-model ${name}`);
}
