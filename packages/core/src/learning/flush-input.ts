import { z } from 'zod';

export const learningFlushInputSchema = z.strictObject({
  /** How long to wait for the queue to drain before failing with `TIMEOUT`. */
  timeoutMs: z.number().int().min(0).max(3_600_000).default(60_000),
});
export type FlushInput = z.input<typeof learningFlushInputSchema>;
