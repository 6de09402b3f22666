import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AgentMemory } from '../memory/agent-memory.js';
import { toolAnswer } from './tool-answer.js';
import { toolAnnotations, toolFields } from './tool-fields.js';

const startEpisodeInput = z.strictObject({
  task: z
    .string()
    .min(1)
    .max(8000)
    .describe('What you are about to do, in a sentence or two (searchable later).'),
  taskType: toolFields.taskType,
  domain: toolFields.domain,
});

export function registerStartEpisodeTool(server: McpServer, memory: AgentMemory): void {
  server.registerTool(
    'memory_start_episode',
    {
      title: 'Start recording a task',
      description:
        'Call this when you begin a task worth remembering (a bug to fix, a feature, a refactor), after ' +
        'memory_recall. Keep the returned episode id: log what you do with memory_log_steps and finish ' +
        'with memory_complete_episode, so the next agent can learn from it.',
      inputSchema: startEpisodeInput,
      annotations: toolAnnotations.records,
    },
    (input) =>
      toolAnswer(async () => {
        const episode = await memory.episodes.start({
          taskType: input.taskType,
          domain: input.domain,
          context: input.task,
        });
        return `Started episode ${episode.id} (${episode.taskType} in ${episode.domain}). Log steps with memory_log_steps; finish with memory_complete_episode.`;
      }),
  );
}
