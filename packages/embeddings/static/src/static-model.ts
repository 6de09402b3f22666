import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseSafetensors, type Tensor, tensorFloats, tensorIntegers } from './safetensors.js';
import { StaticEmbeddingsError } from './static-embeddings-error.js';
import { parseTokenizer, type Tokenizer } from './tokenizer.js';

/** The files of a model2vec model folder; `config.json` is optional. */
export const modelFiles = ['config.json', 'tokenizer.json', 'model.safetensors'] as const;

/** A loaded static model: a tokenizer and one embedding row per token. */
export interface StaticModel {
  /** Folder name and a hash of the tokenizer and weights: two different models never share it. */
  id: string;
  dimensions: number;
  tokenizer: Tokenizer;
  /** Normalise each mean to unit length (the model's `config.json`, `normalize`). */
  normalize: boolean;
  /** The mean of the rows of `text`'s first `maxTokens` known tokens (zeros when it has none). */
  embed(text: string, maxTokens: number): Float32Array;
}

function readModelFile(folder: string, name: string): Buffer {
  const path = join(folder, name);
  try {
    return readFileSync(path);
  } catch (error) {
    throw new StaticEmbeddingsError(
      'MODEL_NOT_FOUND',
      `The static model in ${folder} has no readable ${name} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      { cause: error },
    );
  }
}

function parseJson(path: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new StaticEmbeddingsError(
      'MODEL_INVALID',
      `${path} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function readNormalize(folder: string): boolean {
  const path = join(folder, 'config.json');
  if (!existsSync(path)) return true;
  const config = parseJson(path, readModelFile(folder, 'config.json'));
  const normalize = (config as { normalize?: unknown } | null)?.normalize;
  if (normalize === undefined || normalize === null) return true;
  // A damaged value ("yes") is named as every other damaged field is, not read as the default.
  if (typeof normalize !== 'boolean')
    throw new StaticEmbeddingsError(
      'MODEL_INVALID',
      `${path}: normalize must be true or false, not ${JSON.stringify(normalize)}.`,
    );
  return normalize;
}

/**
 * Refuses a table holding NaN or an infinity (a damaged file, or a float16 export whose value
 * overflowed 65,504): every text with that token would embed to NaN, which the provider contract
 * forbids and a vector index cannot rank.
 */
function requireFinite(file: string, name: string, values: Float32Array, rowLength: number): void {
  // A plain loop: a callback per value would cost potion-base-8M's 7.5 million values some 50 ms a load.
  for (let at = 0; at < values.length; at += 1) {
    if (!Number.isFinite(values[at]))
      throw new StaticEmbeddingsError(
        'MODEL_INVALID',
        `${file}: tensor "${name}" holds ${values[at]} at row ${Math.floor(at / rowLength)}.`,
      );
  }
}

/**
 * Loads a model2vec model folder (`tokenizer.json`, `model.safetensors`, optional `config.json`),
 * checking that every token the tokenizer can produce has a row: a model that loads embeds.
 */
export function loadStaticModel(
  folder: string,
  options: { normalize?: boolean | undefined } = {},
): StaticModel {
  const root = resolve(folder);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new StaticEmbeddingsError(
      'MODEL_NOT_FOUND',
      `No static model folder at ${root}. Pull one (episodic models pull minishlab/potion-base-8M) or give the folder that holds tokenizer.json and model.safetensors.`,
    );
  const tokenizerBytes = readModelFile(root, 'tokenizer.json');
  const weightsBytes = readModelFile(root, 'model.safetensors');
  const tokenizerPath = join(root, 'tokenizer.json');
  const weightsPath = join(root, 'model.safetensors');
  const tokenizer = parseTokenizer(tokenizerPath, parseJson(tokenizerPath, tokenizerBytes));
  const tensors = parseSafetensors(weightsPath, weightsBytes);
  const table = tensors.get('embeddings') ?? tensors.get('0');
  if (table === undefined || table.shape.length !== 2 || (table.shape[1] ?? 0) === 0)
    throw new StaticEmbeddingsError('MODEL_INVALID', `${weightsPath} has no 2-D "embeddings" tensor.`);
  const [rows, dimensions] = table.shape as [number, number];
  const embeddings = tensorFloats(weightsPath, 'embeddings', table);
  requireFinite(weightsPath, 'embeddings', embeddings, dimensions);
  const optional = <T>(name: string, read: (tensor: Tensor) => T): T | undefined => {
    const tensor = tensors.get(name);
    return tensor === undefined ? undefined : read(tensor);
  };
  // Vocabulary-quantised models: per-token weights, and a token-to-row mapping into fewer rows.
  const weights = optional('weights', (tensor) => tensorFloats(weightsPath, 'weights', tensor));
  const mapping = optional('mapping', (tensor) => tensorIntegers(weightsPath, 'mapping', tensor));
  const tokens = tokenizer.vocabSize;
  const short = (what: string, length: number) =>
    new StaticEmbeddingsError(
      'MODEL_INVALID',
      `${weightsPath}: ${what} has ${length} entries for a vocabulary of ${tokens} tokens.`,
    );
  if (mapping === undefined && rows < tokens) throw short('the embeddings tensor', rows);
  if (mapping !== undefined && (mapping.length < tokens || mapping.some((row) => row < 0 || row >= rows)))
    throw short('the mapping tensor (or it points past the embeddings)', mapping.length);
  if (weights !== undefined && weights.length < tokens) throw short('the weights tensor', weights.length);
  if (weights !== undefined) requireFinite(weightsPath, 'weights', weights, 1);
  const normalize = options.normalize ?? readNormalize(root);
  const digest = createHash('sha256').update(tokenizerBytes).update(weightsBytes).digest('hex').slice(0, 12);
  return {
    id: `${basename(root)}-${digest}`,
    dimensions,
    tokenizer,
    normalize,
    embed(text, maxTokens) {
      // Cut the text first (as model2vec does): a token budget needs only so many characters.
      const budget = maxTokens * tokenizer.medianTokenLength;
      const ids = tokenizer.encode(text.length > budget ? text.slice(0, budget) : text);
      const sum = new Float64Array(dimensions);
      let count = 0;
      for (const id of ids) {
        if (id === tokenizer.unkId) continue;
        const row = mapping === undefined ? id : (mapping[id] as number);
        const scale = weights === undefined ? 1 : (weights[id] as number);
        for (let d = 0, at = row * dimensions; d < dimensions; d += 1, at += 1)
          sum[d] = (sum[d] as number) + (embeddings[at] as number) * scale;
        count += 1;
        if (count === maxTokens) break;
      }
      const vector = new Float32Array(dimensions);
      if (count === 0) return vector;
      let norm = 0;
      for (let d = 0; d < dimensions; d += 1) norm += ((sum[d] as number) / count) ** 2;
      const scale = normalize && norm > 0 ? 1 / (count * Math.sqrt(norm)) : 1 / count;
      for (let d = 0; d < dimensions; d += 1) vector[d] = (sum[d] as number) * scale;
      return vector;
    },
  };
}
