import { newId } from '@episodic/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AgentMemory } from '../memory/agent-memory.js';
import type { SessionEpisodes } from '../memory/session-episodes.js';
import { toolAnswer } from './tool-answer.js';
import { toolAnnotations, toolFields, trimmedText } from './tool-fields.js';

const startEpisodeInput = z.strictObject({
  task: trimmedText(8000).describe('What you are about to do, in a sentence or two (searchable later).'),
  taskType: toolFields.taskType,
  domain: toolFields.domain,
});

export function registerStartEpisodeTool(
  server: McpServer,
  memory: AgentMemory,
  session: SessionEpisodes,
): void {
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
    (input, { signal }) => {
      // Named here, so that a start whose answer does not come can be looked up, and archived
      // with the session's other open episodes if it was made.
      const id = newId();
      session.starting(id);
      return toolAnswer(
        async () => {
          const episode = await memory.episodes.start(
            { id, taskType: input.taskType, domain: input.domain, context: input.task },
            { signal },
          );
          return `Started episode ${episode.id} (${episode.taskType} in ${episode.domain}). Log steps with memory_log_steps; finish with memory_complete_episode.`;
        },
        {
          fields: { context: 'task' },
          ifTimedOut: `The episode may have been started all the same, as ${id}: read episode://${id}, and if it is there use that id rather than starting another.`,
        },
      );
    },
  );
}
