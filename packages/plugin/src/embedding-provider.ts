/**
 * Options for one {@link EmbeddingProviderV1.embed} call.
 */
export interface EmbedOptions {
  /**
   * Aborts the call. A provider must stop its work (cancel its HTTP request, stop between
   * chunks of local work) and reject with an error whose `name` is `'AbortError'` soon after
   * the signal fires. A signal that has already fired when `embed` is called must reject at
   * once without doing any work.
   */
  signal?: AbortSignal | undefined;
}

/**
 * An embedding provider, version 1 of the contract: turns texts into fixed-length vectors whose
 * cosine similarity says how related the texts are.
 *
 * Episodic core depends on no provider. A store is opened with one
 * (`openMemory({ embeddings: provider })`, or `embeddings` in `episodic.config.mjs` for the
 * server); core then embeds every finished episode and every failed step's error text through
 * it, and embeds the query text of `retrieve`.
 *
 * Implement it as a factory that returns a plain object (`defineEmbeddingProvider` validates its
 * options and checks the result), use `postJson` and `embedBatched` for an HTTP API, and run
 * `testEmbeddingProvider` from `@episodic/plugin/testing` in your package's tests: it checks
 * everything below that can be checked from the outside.
 *
 * @example
 * const provider: EmbeddingProviderV1 = {
 *   specificationVersion: 'v1',
 *   provider: 'acme',
 *   model: 'acme-embed-small',
 *   dimensions: 256,
 *   maxBatchSize: 64,
 *   deterministic: true,
 *   async embed(texts, { signal } = {}) {
 *     signal?.throwIfAborted();
 *     return texts.map((text) => acmeEmbed(text));
 *   },
 * };
 */
export interface EmbeddingProviderV1 {
  /**
   * Which version of this contract the object implements. Core switches on it, so later versions
   * can change the shape while stores keep accepting v1 providers.
   */
  readonly specificationVersion: 'v1';

  /**
   * Short name of the implementation, such as `local` or `openai`. Together with `model` and
   * `dimensions` it stamps every stored vector (`local/hashed-ngrams-v1/384`), so a store never
   * compares vectors from two different models.
   */
  readonly provider: string;

  /**
   * The model that produced the vectors, as precise as needed to tell two incompatible vector
   * spaces apart (`text-embedding-3-small`, `nomic-embed-text:v1.5`). A change in how vectors
   * are computed must change this name: core refuses to mix stamps and asks for `reindex`.
   */
  readonly model: string;

  /** Length of every vector `embed` returns. A positive integer. */
  readonly dimensions: number;

  /**
   * Most texts one `embed` call accepts. Core never sends more, and splits larger batches
   * itself; a provider must nevertheless accept any number of texts (the conformance suite
   * checks that a call with more texts still returns one vector per text, in order).
   */
  readonly maxBatchSize: number;

  /**
   * True when the same text always yields the same vector (bit for bit) from this provider
   * object and from any other created with the same options. The conformance suite checks it
   * when promised; remote models usually cannot promise it.
   */
  readonly deterministic: boolean;

  /**
   * What kind of similarity the vectors carry. `lexical`: shared words and word parts (a hashing
   * of n-grams), much like full-text search, so retrieval gives them a small say beside BM25;
   * `semantic`: meaning (a trained model), which finds what shares no words with the query, so
   * they weigh more. Absent means `semantic`.
   */
  readonly kind?: 'lexical' | 'semantic';

  /**
   * Embeds `texts`, returning one vector per text, in the same order, each a `Float32Array` of
   * exactly `dimensions` finite numbers.
   *
   * - Any string is valid input: the empty string, whitespace, any Unicode (emoji, CJK, combining
   *   marks, lone surrogates), and texts far longer than the model's context (truncate, do not
   *   fail). The empty string must still get a vector of the right length (zeros are allowed).
   * - Zeros mean "nothing to represent": core lets such a vector match nothing. Ordinary text must
   *   get a vector that is not all zeros, and clearly different texts vectors that point apart;
   *   the conformance suite checks both.
   * - Vectors need not be normalised; core compares them by cosine similarity and normalises
   *   them itself.
   * - Errors must not contain credentials; a provider reports its own failures with its own
   *   error class.
   */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
}

/** The embedding provider contract in its current version. */
export type EmbeddingProvider = EmbeddingProviderV1;
