import { seedTaskTypes } from '@episodic/core';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { defaultMaxChars } from '../format/text-budget.js';

/**
 * Text with its surrounding whitespace removed, and refused when nothing is left: `"  "` is no
 * domain, and `"web "` beside `"web"` would split what is learned per domain in two.
 */
export function trimmedText(max: number) {
  return z.string().trim().min(1, 'must not be empty or only whitespace').max(max);
}

/** Input fields several tools share, described for the agent that fills them in. */
export const toolFields = {
  domain: trimmedText(128).describe(
    'The project or area, e.g. the repository name. Patterns are learned per domain.',
  ),
  taskType: trimmedText(64).describe(
    `Kind of task: ${seedTaskTypes.join(', ')} (or a type this store was configured with).`,
  ),
  episodeId: z.uuid().describe('The id memory_start_episode returned.'),
  maxChars: z
    .number()
    .int()
    .min(200)
    .max(50_000)
    .default(defaultMaxChars)
    .describe('Longest answer, in characters (about 4 per token).'),
};

/** Hints for the client (which may ask before a call that writes): all tools touch only this memory. */
export const toolAnnotations = {
  reads: { readOnlyHint: true, openWorldHint: false },
  records: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
} satisfies Record<string, ToolAnnotations>;
