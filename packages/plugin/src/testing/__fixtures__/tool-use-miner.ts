import { z } from 'zod';
import { toolName } from '../../canonical-actions.js';
import type { PatternMinerV1 } from '../../pattern-miner.js';

export type ToolUse = { tool: string; used: string };

/** A small real miner for the suite's own tests: each tool an episode used, per task type. */
export function createToolUseMiner(): PatternMinerV1<ToolUse> {
  return {
    specificationVersion: 'v1',
    patternType: 'tool_use',
    dataSchema: z.strictObject({ tool: z.string(), used: z.enum(['once', 'repeatedly']) }),
    describe: (data) => `uses ${data.tool} ${data.used}`,
    mine({ episode, succeeded, signal }) {
      signal?.throwIfAborted();
      const counts = new Map<string, number>();
      for (const step of episode.steps.slice(0, 1000)) {
        const tool = toolName(step.action);
        counts.set(tool, (counts.get(tool) ?? 0) + 1);
      }
      return [...counts].map(([tool, count]) => ({
        data: { tool, used: count === 1 ? 'once' : 'repeatedly' },
        success: succeeded,
        perTaskType: true,
        measurements: { count },
      }));
    },
  };
}
