import { z } from 'zod';
import type { Limits } from '../config.js';
import { episodeStatusSchema, seedPatternTypes, seedTaskTypes } from '../enums.js';
import { uuidPattern } from '../ids.js';
import { jsonObjectSchema } from './json-object.js';
import { shownNameMessage, shownNamePattern } from './shown-name.js';
import { storedText } from './stored-text.js';
import { pastTimestampSchema, timestampSchema, zonedTimestampSchema } from './timestamp.js';

export interface InputSchemaOptions {
  limits: Limits;
  /** Task types accepted besides the seed's. */
  taskTypes?: readonly string[];
  /** Pattern types accepted besides the seed's. */
  patternTypes?: readonly string[];
}

/**
 * The zod schemas for every input `@episodic/core` accepts, built for one set of limits and
 * enumerations. The server uses the same objects for its procedure inputs, so a request is
 * refused with the same field paths at the edge as it would be in the engine.
 */
export function createInputSchemas({ limits, taskTypes = [], patternTypes = [] }: InputSchemaOptions) {
  const taskType = z.enum([...seedTaskTypes, ...taskTypes] as [string, ...string[]]);
  const patternType = z.enum([...seedPatternTypes, ...patternTypes] as [string, ...string[]]);
  // Composed (NFC): `café` typed with a combining accent (as macOS file names and some keyboards
  // give it) looked like the same domain and was another one, out of reach of a token for `café`.
  const domain = storedText(limits.maxDomainChars)
    .normalize('NFC')
    .min(1)
    .regex(shownNamePattern, shownNameMessage);
  // Lower case, as stored: RFC 9562 reads UUIDs case-insensitively, so `ABC…` names the same row as `abc…`.
  const id = z.string().regex(uuidPattern, 'must be a UUID').toLowerCase();
  const metadata = jsonObjectSchema(limits.maxMetadataChars);
  /** A page size, `fallback` when not given: at most `maxPageSize` either way, so a smaller bound holds for the default too. */
  const limit = (fallback: number) =>
    z.number().int().min(1).max(limits.maxPageSize).default(Math.min(fallback, limits.maxPageSize));

  const startEpisode = z.strictObject({
    /**
     * Client-chosen id (default a new UUIDv7), so a start whose answer was lost can be sent again:
     * starting the same id with the same input again returns that episode as it is now, once.
     */
    id: id.optional(),
    taskType,
    domain,
    context: storedText(limits.maxContextChars).optional(),
    metadata: metadata.optional(),
    /**
     * When the episode began, for one recorded after the fact (an imported history, a trace sent
     * late); default now. Recency, time filters and named dates read it. Not in the future.
     */
    createdAt: pastTimestampSchema.optional(),
  });

  const step = z.strictObject({
    /** Client-chosen id: logging the same step id twice stores it once (safe retries). */
    id: id.optional(),
    action: storedText(limits.maxActionChars).min(1),
    result: storedText(limits.maxResultChars).optional(),
    // -0 would come back from the database as 0: normalise it here so the caller sees what is stored.
    durationMs: z
      .number()
      .int()
      .nonnegative()
      .max(2_147_483_647)
      .transform((ms) => ms + 0)
      .optional(),
    success: z.boolean().optional(),
    /** When the step ran, for one recorded after the fact; default now. Not in the future. */
    timestamp: pastTimestampSchema.optional(),
    metadata: metadata.optional(),
  });
  // Refused here rather than when stored, so the path names where the steps sit (`3.steps.1.id` in `record`).
  const steps = z
    .array(step)
    .min(1)
    .max(limits.maxStepsPerCall)
    .superRefine((list, ctx) => {
      const firstIndex = new Map<string, number>();
      list.forEach((item, index) => {
        if (item.id === undefined) return;
        const earlier = firstIndex.get(item.id);
        if (earlier === undefined) firstIndex.set(item.id, index);
        else
          ctx.addIssue({
            code: 'custom',
            message: `repeats the id of steps.${earlier}`,
            path: [index, 'id'],
          });
      });
    });

  const completeEpisode = z.strictObject({
    status: z.enum(['completed', 'failed']),
    successRate: z.number().min(0).max(1).optional(),
    /** When the episode ended, for one recorded after the fact; default now. Not before it began, nor in the future. */
    completedAt: pastTimestampSchema.optional(),
  });

  const timeRange = {
    since: timestampSchema.optional(),
    until: timestampSchema.optional(),
  };

  const listEpisodes = z.strictObject({
    domain: domain.optional(),
    status: episodeStatusSchema.optional(),
    taskType: taskType.optional(),
    ...timeRange,
    limit: limit(50),
    cursor: z.string().max(512).optional(),
  });

  const searchText = z.strictObject({
    text: z.string().max(limits.maxContextChars),
    domain: domain.optional(),
    status: episodeStatusSchema.optional(),
    taskType: taskType.optional(),
    ...timeRange,
    limit: limit(20),
  });

  /** `retrieve`: the filters of `searchText`, a required query text, and fewer results by default. */
  const retrieve = z.strictObject({
    text: z.string().min(1).max(limits.maxContextChars),
    domain: domain.optional(),
    status: episodeStatusSchema.optional(),
    taskType: taskType.optional(),
    ...timeRange,
    limit: limit(10),
    /**
     * When the task is asked (default: now). Recency is measured back from it, and dates the text
     * names ("two weeks ago", "in April") are read relative to it, on the calendar of the zone it
     * is given in (`2024-04-01T09:00:00+14:00` is April 1 to the asker, though March 31 in UTC).
     */
    at: zonedTimestampSchema.optional(),
    /** How many of the patterns relevant to the task to return beside the episodes (0 for none). */
    patterns: z.number().int().min(0).max(50).default(5),
    /**
     * Episodes never to return, nor to learn the query's expansion or feedback from: typically the
     * caller's own episode for this task, which matches its own description best but is not past
     * experience.
     */
    exclude: z.array(id).max(100).optional(),
  });

  /** A page of one episode's steps (`episodes.steps`): as many as fit, by default. */
  const listSteps = z.strictObject({
    limit: limit(limits.maxPageSize),
    /** `nextCursor` of the previous page, or an episode's `nextStepsCursor`. */
    cursor: z.string().max(512).optional(),
    /**
     * Start at this step number instead of the first (not with `cursor`): a step named elsewhere
     * (a search match, `why`) is read without paging up to it.
     */
    fromStep: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  });

  const listPatterns = z.strictObject({
    type: patternType.optional(),
    domain: domain.optional(),
    minSuccessRate: z.number().min(0).max(1).default(0),
    limit: limit(50),
    /** `nextCursor` of the previous page. */
    cursor: z.string().max(512).optional(),
  });

  return {
    id,
    domain,
    /** A page size with its default; `relevantPatterns` takes its own from it. */
    pageLimit: limit,
    taskType,
    patternType,
    metadata,
    startEpisode,
    step,
    steps,
    completeEpisode,
    listEpisodes,
    listSteps,
    searchText,
    retrieve,
    listPatterns,
  };
}

export type InputSchemas = ReturnType<typeof createInputSchemas>;
export type StartEpisodeInput = z.input<InputSchemas['startEpisode']>;
export type StepInput = z.input<InputSchemas['step']>;
export type CompleteEpisodeInput = z.input<InputSchemas['completeEpisode']>;
export type ListEpisodesInput = z.input<InputSchemas['listEpisodes']>;
export type ListStepsInput = z.input<InputSchemas['listSteps']>;
export type SearchTextInput = z.input<InputSchemas['searchText']>;
export type RetrieveInput = z.input<InputSchemas['retrieve']>;
export type ListPatternsInput = z.input<InputSchemas['listPatterns']>;
