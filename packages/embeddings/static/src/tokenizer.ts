import { z } from 'zod';
import { createNormalizer } from './normalizers.js';
import { createPreTokenizer } from './pre-tokenizers.js';
import { StaticEmbeddingsError } from './static-embeddings-error.js';
import { createUnigram } from './unigram.js';
import { createWordPiece, type TokenModel } from './wordpiece.js';

/** A Hugging Face `tokenizer.json`, reduced to what a static model needs: text in, token ids out. */
export interface Tokenizer {
  /** Token ids of `text`, without special tokens (model2vec encodes with `add_special_tokens=False`). */
  encode(text: string): number[];
  unkId: number | undefined;
  /** The largest token id plus one. */
  vocabSize: number;
  /** Median length of the tokens, in characters: how much text a token budget stands for. */
  medianTokenLength: number;
}

const wordPieceSchema = z.looseObject({
  type: z.literal('WordPiece'),
  vocab: z.record(z.string(), z.number().int().min(0)),
  unk_token: z.string().default('[UNK]'),
  continuing_subword_prefix: z.string().default('##'),
  max_input_chars_per_word: z.number().int().positive().default(100),
});
const unigramSchema = z.looseObject({
  type: z.literal('Unigram'),
  vocab: z.array(z.tuple([z.string(), z.number()])),
  unk_id: z.number().int().min(0).nullish(),
  byte_fallback: z.boolean().default(false),
});
const tokenizerSchema = z.looseObject({
  model: z.looseObject({ type: z.string() }),
  normalizer: z.unknown().optional(),
  pre_tokenizer: z.unknown().optional(),
  added_tokens: z
    .array(
      z.looseObject({
        id: z.number().int().min(0),
        content: z.string().min(1),
        normalized: z.boolean().default(false),
      }),
    )
    .default([]),
});

function invalid(file: string, error: z.ZodError): StaticEmbeddingsError {
  const detail = error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  return new StaticEmbeddingsError('MODEL_INVALID', `${file} is not a valid tokenizer: ${detail}`, {
    cause: error,
  });
}

function createModel(file: string, model: { type: string }): TokenModel {
  if (model.type === 'WordPiece') {
    const spec = wordPieceSchema.safeParse(model);
    if (!spec.success) throw invalid(file, spec.error);
    return createWordPiece({
      vocab: spec.data.vocab,
      unkToken: spec.data.unk_token,
      prefix: spec.data.continuing_subword_prefix,
      maxInputCharsPerWord: spec.data.max_input_chars_per_word,
    });
  }
  if (model.type === 'Unigram') {
    const spec = unigramSchema.safeParse(model);
    if (!spec.success) throw invalid(file, spec.error);
    return createUnigram({
      vocab: spec.data.vocab,
      unkId: spec.data.unk_id ?? undefined,
      byteFallback: spec.data.byte_fallback,
    });
  }
  throw new StaticEmbeddingsError(
    'MODEL_UNSUPPORTED',
    `${file}: tokenizer model "${model.type}" is not supported (WordPiece and Unigram are).`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 1;
}

/**
 * Builds the tokenizer a `tokenizer.json` describes: added tokens matched first in the raw text,
 * then normaliser, pre-tokenizer and model, in Hugging Face's order.
 */
export function parseTokenizer(file: string, json: unknown): Tokenizer {
  const parsed = tokenizerSchema.safeParse(json);
  if (!parsed.success) throw invalid(file, parsed.error);
  const { model: modelSpec, normalizer, pre_tokenizer: preTokenizer, added_tokens: added } = parsed.data;
  const model = createModel(file, modelSpec);
  const normalize = createNormalizer(normalizer);
  const split = createPreTokenizer(preTokenizer);
  // Special tokens (`[CLS]`, `<s>`) match the raw text, longest first, as in Hugging Face's tokenizers.
  const raw = added.filter((token) => !token.normalized).sort((a, b) => b.content.length - a.content.length);
  const addedIds = new Map(raw.map((token) => [token.content, token.id]));
  const addedPattern =
    raw.length === 0
      ? undefined
      : new RegExp(`(${raw.map((token) => token.content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  const encodePlain = (text: string) => split(normalize(text)).flatMap((word) => model.tokenize(word));
  let vocabSize = 0;
  for (const id of model.vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  for (const token of added) vocabSize = Math.max(vocabSize, token.id + 1);
  return {
    unkId: model.unkId,
    vocabSize,
    medianTokenLength: median([...model.vocab.keys()].map((token) => [...token].length)),
    encode(text) {
      if (addedPattern === undefined) return encodePlain(text);
      return text
        .split(addedPattern)
        .flatMap((part, i) => (i % 2 === 1 ? [addedIds.get(part) as number] : encodePlain(part)));
    },
  };
}
