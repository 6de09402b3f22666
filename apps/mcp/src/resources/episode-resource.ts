import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentMemory } from '../memory/agent-memory.js';
import { episodePage, fieldChars, resourceChars, stepsPage } from './episode-pages.js';
import { registerJsonResource, registerJsonTemplate } from './json-resource.js';

const bounds =
  `One read holds at most ${resourceChars.toLocaleString('en-US')} characters; an action, result or ` +
  `metadata longer than ${fieldChars.toLocaleString('en-US')} characters is cut, ending "… [N more characters]".`;

/**
 * `episode://{id}`: an episode with the first of its steps, as many as fit one read. Lists the
 * most recent. `episode://{id}/steps/{cursor}`: the steps from that step number on, with the
 * `nextCursor` of the page after it.
 */
export function registerEpisodeResource(server: McpServer, memory: AgentMemory): void {
  registerJsonResource(server, {
    scheme: 'episode',
    title: 'Episode',
    description:
      'A recorded task: type, domain, context, outcome, stepCount (how many steps it has) and its first ' +
      `steps with their results. ${bounds} When nextStepsCursor is not null, the rest follow at ` +
      'episode://{id}/steps/{nextStepsCursor}.',
    list: async (limit, call) => (await memory.episodes.list({ limit }, call)).items,
    entry: (episode) => ({
      name: `${episode.taskType} · ${episode.domain} · ${episode.status}`,
      summary: episode.context,
    }),
    read: (id, call) => episodePage(memory, id, call),
  });
  // No list: a page is reached from the episode (its `nextStepsCursor`) or the page before.
  registerJsonTemplate(
    server,
    'episode-steps',
    new ResourceTemplate('episode://{id}/steps/{cursor}', { list: undefined }),
    {
      title: 'Episode steps (next page)',
      description:
        "An episode's steps from a step on: { items, nextCursor }. Start from episode://{id}'s " +
        `nextStepsCursor; while nextCursor is not null, read episode://{id}/steps/{nextCursor}. ${bounds}`,
    },
    (variables, call) => stepsPage(memory, variables('id'), variables('cursor'), call),
  );
}
