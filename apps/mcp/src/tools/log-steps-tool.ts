import { randomUUID } from 'node:crypto';
import { storableText } from '@episodic/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AgentMemory } from '../memory/agent-memory.js';
import { stepLimits } from './call-size.js';
import { toolAnswer } from './tool-answer.js';
import { toolAnnotations, toolFields } from './tool-fields.js';

const stepInput = z.strictObject({
  action: z
    .string()
    .min(1)
    .max(stepLimits.actionChars)
    .describe('What you did: the tool or command and its main argument, e.g. "npm test -- login".'),
  result: z
    .string()
    .max(stepLimits.resultChars)
    .optional()
    .describe(
      'What came back; for a failure, the error text as it was (it is what later searches match). A NUL character or a lone surrogate is stored as U+FFFD.',
    ),
  success: z.boolean().optional().describe('false when the step failed (an error, a failing test).'),
  durationMs: z
    .number()
    .int()
    .min(0)
    .max(2_147_483_647)
    .optional()
    .describe('How long the step took, in milliseconds.'),
});

const callChars = stepLimits.callChars.toLocaleString('en-US');

const logStepsInput = z.strictObject({
  episodeId: toolFields.episodeId,
  steps: z
    .array(stepInput)
    .min(1)
    .max(stepLimits.steps)
    .refine(
      (steps) =>
        steps.reduce((sum, step) => sum + step.action.length + (step.result?.length ?? 0), 0) <=
        stepLimits.callChars,
      `more than ${callChars} characters of action and result in one call: send the steps over several calls, or shorten the longest results`,
    )
    .describe(
      `Steps in the order you took them: at most ${stepLimits.steps}, and ${callChars} characters of action and result in all.`,
    ),
});

/**
 * A tool's output as the store keeps it: a NUL character (a binary file printed by a shell) or a
 * lone surrogate (a string a tool cut) made the store refuse the whole batch, every step of it
 * lost; each becomes U+FFFD instead, a visible mark, as the OTLP endpoint and the AI SDK
 * integration store them. Same length: the tool's limits still hold.
 */
const storable = (text: string) => storableText(text, text.length);

export function registerLogStepsTool(server: McpServer, memory: AgentMemory): void {
  server.registerTool(
    'memory_log_steps',
    {
      title: 'Record steps of the current task',
      description:
        'Call this after each meaningful action or batch of actions during a recorded task: commands ' +
        'run, files edited, tests run, with their results and whether they succeeded. Always log failed ' +
        'steps with the exact error text: that is how memory_seen_error finds the fix next time.',
      inputSchema: logStepsInput,
      annotations: toolAnnotations.records,
    },
    (input, { signal }) =>
      toolAnswer(
        async () => {
          // Ids of our own make the write safe to send again: against a server, the SDK replays a
          // step write whose answer never came (a connection cut) only when every step has one, and
          // the server stores each id once, so a lost answer neither fails the call nor doubles steps.
          const sent = input.steps.map((step) => ({
            id: randomUUID(),
            ...step,
            action: storable(step.action),
            ...(step.result === undefined ? {} : { result: storable(step.result) }),
          }));
          const steps = await memory.episodes.logSteps(input.episodeId, sent, { signal });
          const first = steps[0]?.stepNumber;
          const last = steps.at(-1)?.stepNumber;
          const range = first === last ? `#${first}` : `#${first}–#${last}`;
          const replaced = sent.filter((step, index) => {
            const asked = input.steps[index];
            return step.action !== asked?.action || step.result !== asked.result;
          }).length;
          const marked =
            replaced === 0
              ? ''
              : ` ${replaced} of them held NUL characters or lone surrogates, stored as U+FFFD.`;
          return `Logged ${steps.length} step${steps.length === 1 ? '' : 's'} (${range}) to episode ${input.episodeId}.${marked}`;
        },
        {
          ifTimedOut: `The steps may have been stored all the same: read episode://${input.episodeId} and check its stepCount before sending them again, or they may be stored twice.`,
        },
      ),
  );
}
