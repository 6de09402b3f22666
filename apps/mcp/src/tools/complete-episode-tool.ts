import { EpisodicError } from '@episodic/core';
import { type RemoteCallOptions, TRPCClientError } from '@episodic/sdk';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AgentMemory } from '../memory/agent-memory.js';
import type { SessionEpisodes } from '../memory/session-episodes.js';
import { describeError, toolAnswer } from './tool-answer.js';
import { toolAnnotations, toolFields } from './tool-fields.js';

/** How long `waitForLearning` waits at most: mining a few episodes takes well under a second. */
const learningWaitMs = 20_000;

const completeEpisodeInput = z.strictObject({
  episodeId: toolFields.episodeId,
  status: z.enum(['completed', 'failed']).describe('completed: the task was done; failed: it was given up.'),
  successRate: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('How well it went, 0 to 1 (default: 1 for completed, 0 for failed).'),
  waitForLearning: z
    .boolean()
    .default(false)
    .describe(
      'Wait (up to 20 s) until the episode is learned from, so the next memory_recall or ' +
        'memory_seen_error already sees its patterns. Leave false unless you recall right after.',
    ),
});

/** The queue drained, or why this caller could not wait for it (learning goes on regardless). */
async function waitForLearning(memory: AgentMemory, call: RemoteCallOptions): Promise<string> {
  const started = performance.now();
  try {
    const status = await memory.learning.flush({ timeoutMs: learningWaitMs }, call);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return status.failed === 0
      ? ` Learned from it in ${seconds} s: recall now sees its patterns.`
      : ` Learning finished in ${seconds} s; the queue holds ${status.failed} failed item(s) (the store's operator can retry them).`;
  } catch (error) {
    const forbidden =
      error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === 'FORBIDDEN';
    if (forbidden)
      return ' Learning runs in the background on the server (waiting for it needs an admin token).';
    if (EpisodicError.isInstance(error) && error.code === 'TIMEOUT')
      return ` Learning is still running after ${learningWaitMs / 1000} s; it goes on in the background.`;
    return ` Could not wait for learning (${describeError(error)}); it goes on in the background.`;
  }
}

export function registerCompleteEpisodeTool(
  server: McpServer,
  memory: AgentMemory,
  session: SessionEpisodes,
): void {
  server.registerTool(
    'memory_complete_episode',
    {
      title: 'Finish recording a task',
      description:
        'Call this when a recorded task ends, whether it succeeded or was abandoned, with its outcome. ' +
        'Episodic then learns from it in the background (patterns, error fixes).',
      inputSchema: completeEpisodeInput,
      annotations: toolAnnotations.records,
    },
    (input, { signal }) =>
      toolAnswer(
        async () => {
          const call = { signal };
          // A completion sent again after a lost answer (the SDK's replay, or the agent's call) is
          // answered with the episode: the store answers an end it already has.
          const outcome = { status: input.status, successRate: input.successRate };
          const episode = await memory.episodes.complete(input.episodeId, outcome, call);
          session.completed(episode.id);
          const rate =
            episode.successRate === null ? '' : `, success ${Math.round(episode.successRate * 100)}%`;
          const learning = input.waitForLearning
            ? await waitForLearning(memory, call)
            : ' Learning from it runs in the background.';
          return `Episode ${episode.id} ${episode.status}${rate}.${learning}`;
        },
        {
          ifTimedOut: `It may have been completed all the same: read episode://${input.episodeId} and check its status before sending this again.`,
        },
      ),
  );
}
