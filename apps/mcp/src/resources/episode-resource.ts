import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { registerJsonResource, registerJsonTemplate } from './json-resource.js';

/**
 * `episode://{id}`: an episode with the first page of its steps (all of them unless
 * `nextStepsCursor` is set). Lists the most recent. `episode://{id}/steps/{cursor}`: the page of
 * steps after that cursor, with the `nextCursor` of the page after it.
 */
export function registerEpisodeResource(server: McpServer, memory: AgentMemory): void {
  registerJsonResource(server, {
    scheme: 'episode',
    title: 'Episode',
    description:
      'A recorded task: type, domain, context, outcome, stepCount (how many steps it has) and its steps ' +
      'with their results, up to one page of them (500 by default, fewer when they are long). When ' +
      'nextStepsCursor is not null, the rest follow at episode://{id}/steps/{nextStepsCursor}.',
    list: async (limit) => (await memory.episodes.list({ limit })).items,
    entry: (episode) => ({
      name: `${episode.taskType} · ${episode.domain} · ${episode.status}`,
      summary: episode.context,
    }),
    read: (id) => memory.episodes.get(id),
  });
  // No list: a page is reached from the episode (its `nextStepsCursor`) or the page before.
  registerJsonTemplate(
    server,
    'episode-steps',
    new ResourceTemplate('episode://{id}/steps/{cursor}', { list: undefined }),
    {
      title: 'Episode steps (next page)',
      description:
        "The page of an episode's steps after a cursor: { items, nextCursor }. Start from " +
        "episode://{id}'s nextStepsCursor; while nextCursor is not null, read episode://{id}/steps/{nextCursor}.",
    },
    (variables) => memory.episodes.steps(variables('id'), { cursor: variables('cursor') }),
  );
}
