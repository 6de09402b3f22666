import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { registerJsonResource } from './json-resource.js';

/** `episode://{id}`: an episode with all its steps. Lists the most recent. */
export function registerEpisodeResource(server: McpServer, memory: AgentMemory): void {
  registerJsonResource(server, {
    scheme: 'episode',
    title: 'Episode',
    description: 'A recorded task: type, domain, context, outcome and every step with its result.',
    list: async (limit) => (await memory.episodes.list({ limit })).items,
    entry: (episode) => ({
      name: `${episode.taskType} · ${episode.domain} · ${episode.status}`,
      summary: episode.context,
    }),
    read: (id) => memory.episodes.get(id),
  });
}
