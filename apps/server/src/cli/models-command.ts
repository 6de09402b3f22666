import { pullStaticModel, StaticEmbeddingsError } from '@episodic/embeddings-static';
import { resolveLocations } from '../config/server-config.js';
import { ServerError } from '../errors/server-error.js';
import { makeDataDir } from '../store/data-dir.js';
import { modelFolder } from '../store/embedding-provider.js';
import { type CommandArgs, flag } from './command-args.js';
import { note, print, printJson } from './output.js';

/**
 * `episodic models pull NAME`: downloads a model2vec model (`minishlab/potion-base-8M`) from the
 * Hugging Face hub (`HF_ENDPOINT`, `HF_TOKEN`) into `<data-dir>/models/NAME`, for
 * `--embeddings static --embeddings-model NAME`.
 */
export async function modelsCommand(args: CommandArgs): Promise<void> {
  const [action, name, ...extra] = args.positionals;
  if (action !== 'pull' || name === undefined || extra.length > 0)
    throw new ServerError('USAGE', 'Use: episodic models pull NAME (a Hugging Face model, owner/name).');
  const { dataDir } = resolveLocations(args.config);
  makeDataDir(dataDir);
  const into = modelFolder(name, dataDir);
  const result = await pullStaticModel({ name, into, onProgress: note }).catch((error: unknown) => {
    if (!StaticEmbeddingsError.isInstance(error)) throw error;
    throw new ServerError('FAILED', error.message, { cause: error });
  });
  for (const file of result.files) note(`${file.name}: ${file.bytes} bytes, ${file.checksum}`);
  if (flag(args, 'json')) return printJson({ name, ...result });
  print(`Pulled ${name} into ${result.folder} (${result.dimensions} dimensions).`);
  print(`Use it with: episodic serve --embeddings static --embeddings-model ${name}`);
}
