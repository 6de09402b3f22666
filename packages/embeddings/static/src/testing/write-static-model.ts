import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TensorSpec {
  dtype: 'F32' | 'F16' | 'I32';
  shape: number[];
  values: readonly number[];
}

function float16Bits(value: number): number {
  // Round-trip through float32 bits, then keep sign, a rebased exponent and the top 10 fraction bits.
  const f32 = new DataView(new ArrayBuffer(4));
  f32.setFloat32(0, value);
  const bits = f32.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  if (value === 0 || exponent <= 0) return sign;
  if (exponent >= 0x1f) return sign | 0x7c00;
  return sign | (exponent << 10) | ((bits >>> 13) & 0x3ff);
}

/** A safetensors file of `tensors`, in the format's real layout (header padded to 8 bytes). */
export function safetensorsBytes(tensors: Record<string, TensorSpec>): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    const size = tensor.dtype === 'F16' ? 2 : 4;
    const chunk = Buffer.alloc(tensor.values.length * size);
    tensor.values.forEach((value, i) => {
      if (tensor.dtype === 'F32') chunk.writeFloatLE(value, i * 4);
      else if (tensor.dtype === 'I32') chunk.writeInt32LE(value, i * 4);
      else chunk.writeUInt16LE(float16Bits(value), i * 2);
    });
    header[name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + chunk.length],
    };
    chunks.push(chunk);
    offset += chunk.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([length, Buffer.from(json), ...chunks]);
}

export interface StaticModelSpec {
  /** WordPiece vocabulary, id = position; `[UNK]` should be in it. */
  vocab: readonly string[];
  /** One row per token; default: a fixed pseudo-random row per token, `dimensions` long. */
  rows?: ReadonlyArray<readonly number[]>;
  dimensions?: number;
  dtype?: 'F32' | 'F16';
  /** `config.json`'s `normalize`; no `config.json` at all when `undefined`. */
  normalize?: boolean;
  /** Replaces the tokenizer.json written (to test other normalisers or models). */
  tokenizer?: Record<string, unknown>;
}

/** Row `id` of the default table: values in [-1, 1) from a fixed linear congruential sequence. */
export function defaultRow(id: number, dimensions: number): number[] {
  let state = (id + 1) * 2654435761;
  return Array.from({ length: dimensions }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.round(((state / 2 ** 32) * 2 - 1) * 1024) / 1024;
  });
}

/** The `tokenizer.json` of a BERT-uncased WordPiece tokenizer, as model2vec's potion models ship. */
export function bertTokenizerJson(vocab: readonly string[]): Record<string, unknown> {
  const special = vocab.filter((token) => /^\[[A-Z]+\]$/.test(token));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({
      id: vocab.indexOf(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  };
}

/**
 * Writes a tiny model2vec model folder (`tokenizer.json`, `model.safetensors`, `config.json`) in
 * the real file formats, for tests that must not download one.
 */
export function writeStaticModel(folder: string, spec: StaticModelSpec): void {
  const dimensions = spec.rows?.[0]?.length ?? spec.dimensions ?? 8;
  const rows = spec.rows ?? spec.vocab.map((_, id) => defaultRow(id, dimensions));
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'tokenizer.json'),
    JSON.stringify(spec.tokenizer ?? bertTokenizerJson(spec.vocab)),
  );
  writeFileSync(
    join(folder, 'model.safetensors'),
    safetensorsBytes({
      embeddings: { dtype: spec.dtype ?? 'F32', shape: [rows.length, dimensions], values: rows.flat() },
    }),
  );
  if (spec.normalize !== undefined)
    writeFileSync(
      join(folder, 'config.json'),
      JSON.stringify({ model_type: 'model2vec', hidden_dim: dimensions, normalize: spec.normalize }),
    );
}
