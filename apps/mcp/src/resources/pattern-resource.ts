import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { registerJsonResource } from './json-resource.js';

/** `pattern://{id}`: a mined pattern with its evidence. Lists the first page of patterns. */
export function registerPatternResource(server: McpServer, memory: AgentMemory): void {
  registerJsonResource(server, {
    scheme: 'pattern',
    title: 'Pattern',
    description: 'A pattern mined from past episodes: its data, support, success rate and usage.',
    list: async (limit, call) => (await memory.patterns.list({ limit }, call)).items,
    entry: (pattern) => ({
      name: `${pattern.patternType} · ${pattern.domain ?? 'any domain'}`,
      summary: pattern.summary,
    }),
    read: (id, call) => memory.patterns.get(id, call),
  });
}
