import { z } from 'zod';
import { auditOptionsSchema } from './audit/audit-options.js';
import { cacheOptionSchema } from './cache/cache-options.js';
import { embeddingProviderSchema } from './embeddings/provider-schema.js';
import { enumNameSchema } from './enums.js';
import { learningOptionsSchema } from './learning/learning-options.js';
import { consoleLogger, type Logger } from './logger.js';
import { minersSchema } from './mining/miner-registry.js';
import { retrievalConfigSchema } from './retrieval/retrieval-config.js';

/**
 * Upper bounds on what one call may store. They keep a misbehaving agent from filling the disk
 * through one field, and they are what the server's request-size limit is sized against. Declared
 * apart from `limitsSchema` (which `Limits` is checked against below) so that the type reaches
 * clients, such as the SDK's bundled types, without zod.
 */
export interface Limits {
  /** Longest `domain`, in characters. */
  maxDomainChars: number;
  /** Longest episode `context`, in characters. */
  maxContextChars: number;
  /** Longest step `action`, in characters. */
  maxActionChars: number;
  /** Longest step `result`, in characters. */
  maxResultChars: number;
  /** Largest `metadata` object, measured as its JSON text, in characters. */
  maxMetadataChars: number;
  /** Most steps accepted by one `logSteps` call. */
  maxStepsPerCall: number;
  /** Most rows one list or search call returns. */
  maxPageSize: number;
  /**
   * Most text one page of an episode's steps holds (`episodes.get`, `episodes.steps`), in
   * characters of action, result and metadata: a page ends before the step that would exceed it
   * (one step always fits). With `maxPageSize` steps alone a page of large results could reach
   * tens of megabytes (500 × 84 K characters).
   */
  maxStepCharsPerPage: number;
}

export const limitsSchema = z.strictObject({
  maxDomainChars: z.number().int().positive().default(128),
  maxContextChars: z
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  maxActionChars: z
    .number()
    .int()
    .positive()
    .default(4 * 1024),
  maxResultChars: z
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  maxMetadataChars: z
    .number()
    .int()
    .positive()
    .default(16 * 1024),
  maxStepsPerCall: z.number().int().positive().default(1000),
  maxPageSize: z.number().int().positive().default(500),
  // 4 Mi characters: ~60 steps of the largest results, a page a browser renders and a tool reads
  // at once; 3,000 such steps were 181 MB of JSON and 3.5 s, and ~9,000 exceed a V8 string.
  maxStepCharsPerPage: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
});

/** Fails to compile when a limit is added to the schema or the interface but not to both. */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
true satisfies SameKeys<z.output<typeof limitsSchema>, Limits>;

// Strict, as the nested settings are: a misspelt option (`embedding`, `maxResultsChars`) was
// dropped without a word, opening a store without embeddings or with the default limit.
export const memoryConfigSchema = z.strictObject({
  /**
   * Where the database lives: `file:path` (created if missing), `:memory:`, or a libSQL server /
   * Turso URL (`libsql://`, `http(s)://`, `ws(s)://`).
   */
  url: z.string().min(1).default('file:./data/memory.db'),
  /** Token for a remote libSQL server or Turso. */
  authToken: z.string().optional(),
  /** With a `file:` url, makes it an embedded replica of this remote database. */
  syncUrl: z.string().optional(),
  /** Seconds between background syncs of an embedded replica. */
  syncIntervalSeconds: z.number().positive().optional(),
  /**
   * Encrypts the database file and its WAL at rest (libSQL's encryption), and the LMDB cache
   * (lmdb's encryption, with a key derived from this one). Opening an encrypted store without its
   * key, or with another one, fails with a `STORAGE` error; nothing is read. A cache built with
   * another key, or none, is deleted and rebuilt (see the README's "Cache" section). A key that
   * creates the store (no file there yet) needs `minEncryptionKeyChars` (16) characters; an
   * existing store opens with its own key, whatever its length, so no check here.
   */
  encryptionKey: z.string().min(1).optional(),
  /** How long a writer waits for another process's lock before giving up, in ms. */
  busyTimeoutMs: z.number().int().nonnegative().default(5000),
  /**
   * `normal` survives any process crash (WAL); `full` also survives power loss, at the price of
   * an fsync per transaction.
   */
  synchronous: z.enum(['normal', 'full']).default('normal'),
  /**
   * Memory each connection of the native driver keeps database pages in, in MiB (a file gets
   * up to three: one reads, one writes, and the read worker of a large store). SQLite's own is
   * 2 MiB, far below what a large store reads: at 100,000 episodes 16 took retrieve's p95 from
   * ~35 to ~31 ms. It fills as the store is read and stays resident: a 10-minute soak with 16
   * stayed within the 1 MB/min bound (−0.94 after its first 40%), one with 64 grew 7.4 MB/min
   * (core docs/retrieval-speed.md, "Page cache").
   */
  pageCacheMiB: z.number().int().min(1).max(4096).default(16),
  /**
   * The driver of a `file:` or `:memory:` url. `native` talks to libSQL's synchronous `libsql`
   * package and prepares each statement once per connection; `client` goes through
   * `@libsql/client` (what remote urls and embedded replicas always use), which prepares every
   * statement on every call. Same behaviour either way; `client` is there to compare against.
   */
  localDriver: z.enum(['native', 'client']).default('native'),
  /** Task types accepted in addition to the seed's six. */
  taskTypes: z.array(enumNameSchema).default([]),
  /** Pattern types accepted in addition to the seed's four (miners register theirs here). */
  patternTypes: z.array(enumNameSchema).default([]),
  /**
   * Pattern miners run on every finished episode (`@episodic/miner-*`, or your own
   * `PatternMinerV1`). Their pattern types are registered automatically. None by default: the
   * server composes the four built-in miners from its own configuration.
   */
  miners: minersSchema.default([]),
  limits: limitsSchema.default(limitsSchema.parse({})),
  /**
   * The embedding provider (`createLocalEmbeddings()` from `@episodic/embeddings-local`, or any
   * `EmbeddingProviderV1`). Without one, `retrieve` ranks by full text, recency and outcome only.
   */
  embeddings: embeddingProviderSchema.optional(),
  /**
   * Background learning from finished episodes (embedding, mining): whether this process runs
   * the learners, leases, retries and polling; see `learningOptionsSchema`.
   */
  learning: learningOptionsSchema.default(learningOptionsSchema.parse({})),
  /** Weights and sizes of `retrieve`'s fusion; see `retrievalConfigSchema`. */
  retrieval: retrievalConfigSchema.default(retrievalConfigSchema.parse({})),
  /**
   * The LMDB cache in front of libSQL (see the README's "Cache" section): `false` turns it off;
   * an object sets its folder, TTLs (seconds), size bound and compression threshold. On by
   * default, in `cache/` beside a `file:` database and `./data/cache` for a remote one; off for
   * `:memory:` unless `path` is given.
   */
  cache: cacheOptionSchema,
  /** Audit log retention, read aggregation and buffer bound; see `auditOptionsSchema`. */
  audit: auditOptionsSchema.default(auditOptionsSchema.parse({})),
  /** Receives warnings about problems the engine recovers from. Defaults to `console.warn`. */
  logger: z
    .custom<Logger>((value) => typeof (value as Logger | undefined)?.warn === 'function')
    .default(consoleLogger),
});

export type MemoryConfig = z.input<typeof memoryConfigSchema>;
export type ResolvedMemoryConfig = z.output<typeof memoryConfigSchema>;
