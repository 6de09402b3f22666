import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentMemory } from './memory/agent-memory.js';
import { SessionEpisodes } from './memory/session-episodes.js';
import { registerRecordAndRecallPrompt } from './prompts/record-and-recall-prompt.js';
import { registerEpisodeResource } from './resources/episode-resource.js';
import { registerPatternResource } from './resources/pattern-resource.js';
import { registerCompleteEpisodeTool } from './tools/complete-episode-tool.js';
import { registerLogStepsTool } from './tools/log-steps-tool.js';
import { registerPatternFeedbackTool } from './tools/pattern-feedback-tool.js';
import { registerRecallTool } from './tools/recall-tool.js';
import { registerSeenErrorTool } from './tools/seen-error-tool.js';
import { registerStartEpisodeTool } from './tools/start-episode-tool.js';
import { version } from './version.js';

/**
 * An MCP server with Episodic's tools, resources and prompt over `memory`. One per connection:
 * an `McpServer` serves one transport, and they all share the one memory. `session` keeps the
 * episodes this connection starts and does not complete, for its end (`session.end()`).
 */
export function createEpisodicMcpServer(
  memory: AgentMemory,
  session: SessionEpisodes = new SessionEpisodes(memory),
): McpServer {
  const server = new McpServer(
    { name: 'episodic', title: 'Episodic memory', version },
    {
      instructions:
        'Experience memory for agents: call memory_recall before a task and memory_seen_error when something ' +
        'fails; record your work with memory_start_episode, memory_log_steps and memory_complete_episode.',
    },
  );
  registerRecallTool(server, memory);
  registerSeenErrorTool(server, memory);
  registerStartEpisodeTool(server, memory, session);
  registerLogStepsTool(server, memory);
  registerCompleteEpisodeTool(server, memory, session);
  registerPatternFeedbackTool(server, memory);
  registerEpisodeResource(server, memory);
  registerPatternResource(server, memory);
  registerRecordAndRecallPrompt(server);
  return server;
}
