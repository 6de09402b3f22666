import { StaticEmbeddingsError } from './static-embeddings-error.js';

/** A tokenizer.json `normalizer`, as a function over the whole text. */
export type Normalizer = (text: string) => string;

// The ranges Hugging Face's BertNormalizer spaces out (CJK ideographs: each is a word of its own).
const cjk =
  /([\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}])/gu;
// Its "control" characters: Unicode's other categories (Cc, Cf, Cn, Co, Cs) but tab, CR and LF.
const control = /[\0\uFFFD]|(?![\t\n\r])[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/gu;
const whitespace = /[\t\n\r\p{White_Space}]/gu;
const nonspacingMarks = /\p{Mn}/gu;

function stripAccents(text: string): string {
  return text.normalize('NFD').replace(nonspacingMarks, '');
}

function bertNormalizer(config: Record<string, unknown>): Normalizer {
  const lowercase = config.lowercase !== false;
  // `strip_accents: null` means "as lowercase", as in Hugging Face's tokenizers.
  const accents = typeof config.strip_accents === 'boolean' ? config.strip_accents : lowercase;
  return (text) => {
    let out = text;
    if (config.clean_text !== false) out = out.replace(control, '').replace(whitespace, ' ');
    if (config.handle_chinese_chars !== false) out = out.replace(cjk, ' $1 ');
    if (accents) out = stripAccents(out);
    return lowercase ? out.toLowerCase() : out;
  };
}

function replaceNormalizer(config: Record<string, unknown>): Normalizer {
  const pattern = config.pattern as { String?: unknown; Regex?: unknown } | undefined;
  const content = typeof config.content === 'string' ? config.content : '';
  if (typeof pattern?.String === 'string') {
    const literal = pattern.String;
    return (text) => text.replaceAll(literal, content);
  }
  if (typeof pattern?.Regex === 'string') {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern.Regex, 'gu');
    } catch {
      // Hugging Face compiles these with Oniguruma, whose syntax (`(?i)`, `[[:space:]]`) JavaScript lacks.
      throw unsupported(`Replace with the regex ${JSON.stringify(pattern.Regex)}`);
    }
    return (text) => text.replace(regex, () => content);
  }
  throw unsupported('Replace without a String or Regex pattern');
}

function unsupported(what: string): StaticEmbeddingsError {
  return new StaticEmbeddingsError(
    'MODEL_UNSUPPORTED',
    `tokenizer.json: normalizer ${what} is not supported.`,
  );
}

/**
 * The normalisers model2vec's published tokenizers use. `Precompiled` (SentencePiece's charsmap)
 * is approximated by NFKC, which is what the common `nmt_nfkc` charsmap encodes.
 */
export function createNormalizer(config: unknown): Normalizer {
  if (config === null || config === undefined) return (text) => text;
  const spec = config as Record<string, unknown>;
  switch (spec.type) {
    case 'BertNormalizer':
      return bertNormalizer(spec);
    case 'Lowercase':
      return (text) => text.toLowerCase();
    case 'StripAccents':
      return stripAccents;
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = spec.type;
      return (text) => text.normalize(form);
    }
    case 'Precompiled':
      return (text) => text.normalize('NFKC');
    case 'Strip':
      return (text) => {
        const left = spec.strip_left !== false ? text.trimStart() : text;
        return spec.strip_right !== false ? left.trimEnd() : left;
      };
    case 'Replace':
      return replaceNormalizer(spec);
    case 'Sequence': {
      const steps = (Array.isArray(spec.normalizers) ? spec.normalizers : []).map(createNormalizer);
      return (text) => steps.reduce((out, step) => step(out), text);
    }
    default:
      throw unsupported(`"${String(spec.type)}"`);
  }
}
