import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { clip } from '../format/text-budget.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { readJsonResource, variable } from './read-resource.js';

/** `pattern://{id}`: a mined pattern with its evidence, as JSON. Lists the 20 first patterns. */
export function registerPatternResource(server: McpServer, memory: AgentMemory): void {
  server.registerResource(
    'pattern',
    new ResourceTemplate('pattern://{id}', {
      list: async () => ({
        resources: (await memory.patterns.list({ limit: 20 })).items.map((pattern) => ({
          uri: `pattern://${pattern.id}`,
          name: `${pattern.patternType} · ${pattern.domain ?? 'any domain'}`,
          description: pattern.summary === null ? undefined : clip(pattern.summary, 200),
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Pattern',
      description: 'A pattern mined from past episodes: its data, support, success rate and usage.',
      mimeType: 'application/json',
    },
    (uri, variables) => readJsonResource(uri, () => memory.patterns.get(variable(variables.id))),
  );
}
