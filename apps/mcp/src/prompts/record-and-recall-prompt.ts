import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** The working agreement the prompt gives an agent: recall first, record as you go, report back. */
function recordAndRecallText(task: string | undefined, domain: string | undefined): string {
  const scope =
    domain === undefined ? 'a short name for this project (e.g. the repository name)' : `"${domain}"`;
  return [
    "You have Episodic, a memory of past agents' work, as tools. Use it as follows.",
    '',
    `1. Before you start, call memory_recall with the task in your own words and domain ${scope}. Read the past episodes and patterns it returns and reuse what worked.`,
    '2. Call memory_start_episode (task, taskType, domain) and keep the episode id.',
    '3. As you work, call memory_log_steps after each meaningful action or batch of actions: the command or tool, its result, and success true/false. Log failures with the exact error text.',
    '4. When a command, test or tool call fails, call memory_seen_error with the error text (and your episode id) before you debug: it returns what fixed the same error before.',
    '5. If you followed a pattern, call memory_pattern_feedback with its id, your episode id and whether it helped.',
    '6. When the task ends, call memory_complete_episode with status completed or failed (and successRate if partly done).',
    '',
    'Keep tool answers short: pass maxChars when you need less. Read episode://<id> or pattern://<id> for the full record.',
    ...(task === undefined ? [] : ['', `The task: ${task}`]),
  ].join('\n');
}

export function registerRecordAndRecallPrompt(server: McpServer): void {
  server.registerPrompt(
    'episodic_memory',
    {
      title: 'Work with Episodic memory',
      description:
        'Primes the agent to recall past episodes before a task, record its steps, and report what helped.',
      argsSchema: {
        task: z.string().max(8000).optional().describe('The task you are about to work on.'),
        domain: z.string().max(128).optional().describe('The project or area (e.g. the repository name).'),
      },
    },
    ({ task, domain }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: recordAndRecallText(task, domain) } }],
    }),
  );
}
