import { z } from 'zod';

const seconds = z
  .number()
  .positive()
  .max(365 * 24 * 3600);

/** Time to live per keyspace, in seconds; the defaults are the seed's. */
export const cacheTtlSchema = z.strictObject({
  /** `episode:{id}`: an episode with its steps. */
  episode: seconds.default(3600),
  /** `pattern:{type}:{hash}`: one pattern. */
  pattern: seconds.default(1800),
  /** `query:{hash}`: search and list results. */
  query: seconds.default(300),
});

export const cacheSettingsSchema = z.strictObject({
  /**
   * The cache folder. Default: `cache` beside a `file:` database; `./data/cache` for a remote
   * one; none for `:memory:` (no cache unless a path is given).
   */
  path: z.string().min(1).optional(),
  ttl: cacheTtlSchema.default(() => cacheTtlSchema.parse({})),
  /** Most bytes of live data the cache keeps; past it, it evicts (query results first, then oldest). */
  mapSizeBytes: z
    .number()
    .int()
    .min(256 * 1024)
    .max(2 ** 40)
    .default(256 * 1024 * 1024),
  /**
   * Values whose JSON is at least this many bytes are deflated. Below ~16 KiB inflating costs a
   * hit more time than reading the plain bytes, and a page or two of disk is cheap.
   */
  compressionThreshold: z
    .number()
    .int()
    .nonnegative()
    .default(16 * 1024),
  /** How often expired entries are swept away, in ms. */
  sweepIntervalMs: z.number().int().min(10).default(60_000),
  /** Most entries one sweep looks at, so a sweep never holds the event loop for long. */
  sweepBatchSize: z.number().int().positive().default(1000),
  /**
   * How often, in ms, the store reads the database's change feed and drops what writes it did
   * not see made stale (another host's, a process with another cache folder or none, SQL by
   * hand): the most a cached value lags such a write. The store's own writes read it at once.
   */
  feedIntervalMs: z.number().int().min(10).max(3_600_000).default(1000),
});

export type CacheSettings = z.output<typeof cacheSettingsSchema>;

/** `false` turns the cache off, `true` (the default) or an object turns it on. */
export const cacheOptionSchema = z
  .union([z.boolean(), cacheSettingsSchema])
  .default(true)
  .transform((value): CacheSettings | false => {
    if (value === false) return false;
    return value === true ? cacheSettingsSchema.parse({}) : value;
  });
