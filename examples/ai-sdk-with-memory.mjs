// An AI SDK agent whose tool calls become an Episodic episode, and whose next run is shown what
// the first one did. Runs offline: the model is the AI SDK's scripted test model; put a real one
// (e.g. `openai('gpt-4.1-mini')` from `@ai-sdk/openai`) in its place and nothing else changes.
// Run from the repository root after a build: `node examples/ai-sdk-with-memory.mjs`.

import { withMemory } from '@episodic/ai-sdk';
import { openMemory } from '@episodic/core';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';

const tools = {
  runTests: tool({
    description: 'Runs the test suite',
    inputSchema: z.object({ file: z.string() }),
    execute: async ({ file }) => `${file}: TypeError: cannot read properties of undefined (reading 'total')`,
  }),
};

// A model that calls runTests once, then answers; it prints the memory it was given.
const usage = { inputTokens: { total: 1 }, outputTokens: { total: 1 } };
const model = () => {
  let calls = 0;
  return new MockLanguageModelV3({
    doGenerate: async ({ prompt }) => {
      calls += 1;
      // The memory comes as a user message of reference data, just before the task.
      const memoryText = prompt
        .flatMap((m) => (m.role === 'user' ? m.content : []))
        .find((part) => part.type === 'text' && part.text.includes('Episodic'));
      if (calls === 1 && memoryText) console.log(`The model was shown:\n${memoryText.text}\n`);
      return calls === 1
        ? {
            content: [
              { type: 'tool-call', toolCallId: 'c1', toolName: 'runTests', input: '{"file":"cart.test.ts"}' },
            ],
            finishReason: { unified: 'tool-calls' },
            usage,
            warnings: [],
          }
        : {
            content: [{ type: 'text', text: 'Load the items before computing the total.' }],
            finishReason: { unified: 'stop' },
            usage,
            warnings: [],
          };
    },
  });
};

const memory = await openMemory({ url: 'file:./data/memory.db' });
try {
  for (const prompt of ['Checkout total is undefined in cart.test.ts', 'The cart total is undefined again']) {
    const settings = withMemory({ memory, domain: 'example-shop', taskType: 'debugging' });
    const { text } = await generateText({
      ...settings,
      model: model(),
      tools,
      stopWhen: stepCountIs(3),
      prompt,
    });
    const episode = await memory.episodes.get((await settings.episode()).id);
    console.log(`"${prompt}" → ${text}`);
    console.log(
      `  episode ${episode.id} ${episode.status}:`,
      episode.steps.map(
        (s) => `${s.action} ${JSON.stringify(s.metadata.parameters)} → ${s.success ? 'ok' : 'failed'}`,
      ),
    );
  }
} finally {
  await memory.close();
}
