import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { clip } from '../format/text-budget.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { readJsonResource, variable } from './read-resource.js';

/** `episode://{id}`: an episode with all its steps, as JSON. Lists the 20 most recent. */
export function registerEpisodeResource(server: McpServer, memory: AgentMemory): void {
  server.registerResource(
    'episode',
    new ResourceTemplate('episode://{id}', {
      list: async () => ({
        resources: (await memory.episodes.list({ limit: 20 })).items.map((episode) => ({
          uri: `episode://${episode.id}`,
          name: `${episode.taskType} · ${episode.domain} · ${episode.status}`,
          description: episode.context === null ? undefined : clip(episode.context, 200),
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Episode',
      description: 'A recorded task: type, domain, context, outcome and every step with its result.',
      mimeType: 'application/json',
    },
    (uri, variables) => readJsonResource(uri, () => memory.episodes.get(variable(variables.id))),
  );
}
