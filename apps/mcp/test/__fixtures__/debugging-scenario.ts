import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';

/** The text of a tool answer, failing the test when the tool reported an error it should not have. */
export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as { type: string; text: string }[]).map((part) => part.text).join('\n');
  expect(result.isError, text).toBeFalsy();
  return text;
}

/** The text of a tool answer that must be an error. */
export async function callFailing(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError).toBe(true);
  return (result.content as { text: string }[]).map((part) => part.text).join('\n');
}

export const episodeIdIn = (text: string) => /episode ([0-9a-f-]{36})/.exec(text)?.[1] as string;

/**
 * Three debugging sessions in which `npm test` failed with the same kind of TypeError (another
 * field, another line each time) and an edit with optional chaining fixed it. The last one
 * waits for learning, so the patterns are mined when it returns. Returns the episode ids.
 */
export async function recordDebuggingEpisodes(client: Client, domain: string): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, field] of ['email', 'name', 'avatar'].entries()) {
    const started = await call(client, 'memory_start_episode', {
      task: `The ${field} form crashes on submit with a TypeError`,
      taskType: 'debugging',
      domain,
    });
    const id = episodeIdIn(started);
    await call(client, 'memory_log_steps', {
      episodeId: id,
      steps: [
        {
          action: 'npm test',
          result: `TypeError: Cannot read properties of undefined (reading '${field}')\n    at validate (src/forms/${field}.ts:${12 + index}:17)`,
          success: false,
        },
        {
          action: `read_file src/forms/${field}.ts`,
          result: `validate() reads form.user.${field} before the user is loaded`,
          success: true,
        },
      ],
    });
    await call(client, 'memory_log_steps', {
      episodeId: id,
      steps: [
        {
          action: `edit_file src/forms/${field}.ts`,
          result: `guarded it: form.user?.${field}`,
          success: true,
        },
        { action: 'npm test', result: 'Tests: 14 passed, 14 total', success: true },
      ],
    });
    const completed = await call(client, 'memory_complete_episode', {
      episodeId: id,
      status: 'completed',
      waitForLearning: index === 2,
    });
    expect(completed).toContain(`Episode ${id} completed, success 100%.`);
    if (index === 2) expect(completed).toMatch(/Learned from it in [\d.]+ s: recall now sees its patterns/);
    ids.push(id);
  }
  return ids;
}

/** The error the next agent meets: the same kind, on a field and line never seen. */
export const newOccurrence =
  "TypeError: Cannot read properties of undefined (reading 'phone')\n    at validate (src/forms/phone.ts:40:9)";

/** A stack frame in an answer would look like this. */
export const stackFrame = /\n\s+at .+\(.+:\d+:\d+\)/;
