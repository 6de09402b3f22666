import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { patternHeadline } from '../format/describe-pattern.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { toolAnswer } from './tool-answer.js';
import { toolAnnotations, toolFields } from './tool-fields.js';

const patternFeedbackInput = z.strictObject({
  patternId: z
    .string()
    .min(1)
    .max(128)
    .describe('The id of a pattern memory_recall or memory_seen_error returned.'),
  episodeId: toolFields.episodeId.describe('The episode (from memory_start_episode) in which you used it.'),
  helped: z.boolean().describe('Whether following the pattern helped.'),
});

export function registerPatternFeedbackTool(server: McpServer, memory: AgentMemory): void {
  server.registerTool(
    'memory_pattern_feedback',
    {
      title: 'Say whether a pattern helped',
      description:
        'Call this after you followed (or tried) a pattern from memory_recall or memory_seen_error in a ' +
        'recorded episode: whether it helped moves its ranking for every later agent. Once per pattern ' +
        'and episode; calling again replaces the verdict.',
      inputSchema: patternFeedbackInput,
      annotations: { ...toolAnnotations.records, idempotentHint: true },
    },
    (input, { signal }) =>
      toolAnswer(
        async () => {
          const pattern = await memory.patterns.recordUsage(
            input.patternId,
            { episodeId: input.episodeId, helped: input.helped },
            { signal },
          );
          return `Recorded that pattern ${pattern.id} ${input.helped ? 'helped' : 'did not help'} in episode ${input.episodeId}.\n${patternHeadline(pattern)}`;
        },
        {
          ifTimedOut:
            'It may have been recorded all the same; sending it again is safe (the verdict is replaced, not counted twice).',
        },
      ),
  );
}
