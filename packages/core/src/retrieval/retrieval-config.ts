import { z } from 'zod';

const weight = z.number().min(0).max(100);

/**
 * How `retrieve` weighs its signals. A result's score is
 *
 *   text    · bm25 / bestBm25               (0 when full-text search did not find it; with
 *                                             `textFusion: 'rank'`, text · (k + 1) / (k + textRank))
 * + step    · (k + 1) / (k + stepRank)      (0 when none of its steps ranks among the step matches)
 * + vector  · (k + 1) / (k + vectorRank)    (0 when vector search did not find it)
 * + recency · 2^(−ageDays / recencyHalfLifeDays)
 * + outcome · successRate                   (0 while the episode has no outcome)
 * + expansion · (k + 1) / (k + expansionRank) (0 when the expanded query did not find it)
 * + proximity · (k + 1) / (k + proximityRank) (0 when no query words are close together in it)
 * + time    · 1                               (0 unless created within a date the query names)
 *
 * `bm25` is the whole episode's, `bestBm25` the best among the query's text matches. The rank terms
 * are reciprocal rank fusion scaled so that rank 1 contributes exactly the weight; ranks are 1-based
 * within each signal's candidate list. `stepRank` ranks episodes by their single best step. The
 * defaults were chosen on the dev split of the retrieval benchmark (see the README's retrieval
 * section).
 */
export const retrievalWeightsSchema = z.strictObject({
  text: weight.default(1),
  step: weight.default(0.2),
  /** Absent: chosen by the provider's `kind` (`defaultVectorWeights`). */
  vector: weight.optional(),
  recency: weight.default(0.01),
  outcome: weight.default(0.01),
  /** The rank of the query expanded with its best match's words (`expansion`); 0 (the default) turns it off. */
  expansion: weight.default(0),
  /** The rank by query words found close together (`proximity`); 0 (the default) turns it off. */
  proximity: weight.default(0),
  /** Created within a date the query names ("two weeks ago", "in April"), read relative to its `at`. */
  time: weight.default(0.5),
});

/**
 * The vector weight when the config gives none, by what the provider's vectors carry. Lexical
 * vectors repeat what BM25 knows: their weight was chosen on dev so that `retrieve` loses least
 * against both plain BM25 and its own text-only ranking (core docs/retrieval-quality.md, "Vectors
 * against text only"; 0.2 since "The text score instead of its rank"). Nothing here measures a
 * semantic model's.
 */
export const defaultVectorWeights = { lexical: 0.2, semantic: 1.5 } as const;

/**
 * Relevance feedback (Rocchio): before the vector search, the query vector is moved towards the
 * vectors of the best full-text matches, `query + weight · mean(their vectors)`. The words a
 * query shares with its best matches are often not the words that matter, and the matches'
 * other words (a "phone battery" question whose best hits talk about "chargers") find related
 * episodes that share few words with the query itself.
 */
export const retrievalFeedbackSchema = z.strictObject({
  /** How many of the best full-text matches feed back; 0 turns feedback off. */
  episodes: z.number().int().min(0).max(20).default(3),
  weight: z.number().min(0).max(10).default(0.5),
});

/**
 * Pseudo-relevance feedback on the text (RM3): the words that weigh most in the best full-text
 * matches (term frequency there times inverse document frequency) join the query's own words in a
 * second full-text query, whose ranking is fused with `weights.expansion`.
 */
export const retrievalExpansionSchema = z.strictObject({
  /** How many of the best full-text matches give words. */
  episodes: z.number().int().min(1).max(20).default(1),
  /** How many words they give, at most: the rows holding them are held to `textBudgetRows` too. */
  terms: z.number().int().min(1).max(100).default(20),
});

/**
 * Phrase proximity: consecutive query words that occur close together (FTS5 `NEAR`, within
 * `distance` tokens) rank an episode in a third full-text query, fused with `weights.proximity`.
 */
export const retrievalProximitySchema = z.strictObject({
  distance: z.number().int().min(0).max(50).default(8),
  /** Most word pairs searched (the rarest words' pairs first). */
  pairs: z.number().int().min(1).max(32).default(8),
});

/**
 * Diversification (maximal marginal relevance) of the best `window` results: each next result
 * maximises `lambda · relevance − (1 − lambda) · its highest vector similarity to those already
 * chosen`. 1 keeps the fused order.
 */
export const retrievalDiversitySchema = z.strictObject({
  lambda: z.number().min(0).max(1).default(1),
  window: z.number().int().min(2).max(100).default(20),
});

/** BM25 weights of an episode's fields in its whole-episode score. */
export const retrievalFieldsSchema = z.strictObject({
  context: z.number().min(0).max(100).default(1),
  steps: z.number().min(0).max(100).default(1),
});

export const retrievalConfigSchema = z.strictObject({
  weights: retrievalWeightsSchema.default(retrievalWeightsSchema.parse({})),
  fields: retrievalFieldsSchema.default(retrievalFieldsSchema.parse({})),
  /**
   * How the whole-episode text signal enters the score. `score`: its BM25 over the best BM25 among
   * the query's text matches, so the best match contributes `weights.text` and one half as good half
   * of it: a far better match keeps its lead, and the other signals decide between comparable ones.
   * `rank`: reciprocal rank, as the other rankings, where the first few ranks differ by a few
   * hundredths whatever their BM25 (a step or vector match could overturn a much better text match).
   */
  textFusion: z.enum(['score', 'rank']).default('score'),
  /** The `k` of reciprocal rank fusion: larger flattens the difference between ranks. */
  rankConstant: z.number().positive().max(10_000).default(60),
  /** Age at which the recency term has fallen to half its weight. */
  recencyHalfLifeDays: z.number().positive().default(30),
  feedback: retrievalFeedbackSchema.default(retrievalFeedbackSchema.parse({})),
  expansion: retrievalExpansionSchema.default(retrievalExpansionSchema.parse({})),
  proximity: retrievalProximitySchema.default(retrievalProximitySchema.parse({})),
  diversity: retrievalDiversitySchema.default(retrievalDiversitySchema.parse({})),
  /**
   * Most rows full-text search may score, summed over the query's words (see `selectPhrases`):
   * the rarest words are kept, the most common ones, which cost the most and weigh the least in
   * BM25, are skipped once the budget is spent. It is what keeps `retrieve` fast as a store grows.
   */
  textBudgetRows: z.number().int().min(1).default(15_000),
  /**
   * Most query words searched: a long query (a whole issue text) keeps its rarest ones. 256 was
   * chosen on the coding-agent dev split, where 64 left out words plain BM25 used (core docs/retrieval-quality.md, "Long queries").
   */
  maxQueryTerms: z.number().int().min(1).max(1_000).default(256),
  /** Candidates each of full-text and vector search contributes before fusion. */
  candidates: z.number().int().min(1).max(1_000).default(100),
  /**
   * Longest wait for the provider to embed the query; past it the answer comes from the other
   * signals, as when the provider fails. Not a quality setting: a bound on an agent's wait. A
   * hosted provider's own retries (the OpenAI provider's last up to two minutes, sized for
   * background learning) kept a retrieve waiting that long when it did not answer.
   */
  embedTimeoutMs: z.number().int().min(1).max(600_000).default(5_000),
});

export type RetrievalConfig = z.input<typeof retrievalConfigSchema>;
export type ResolvedRetrievalConfig = z.output<typeof retrievalConfigSchema>;
export type RetrievalWeights = z.output<typeof retrievalWeightsSchema>;
/** The weights fusion uses: the vector weight resolved for the provider in use. */
export type FusionWeights = Omit<RetrievalWeights, 'vector'> & { vector: number };
