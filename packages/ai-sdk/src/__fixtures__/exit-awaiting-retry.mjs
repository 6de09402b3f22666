// A process whose run fails with an error the AI SDK retries, but with no retry left
// (`maxRetries: 0`): it catches the error and ends on its own, without asking for the episode.
import { openMemory } from '@episodic/core';
import { APICallError, generateText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { withMemory } from '../../dist/index.js';

const memory = await openMemory({ url: `file:${process.argv[2]}` });
const model = new MockLanguageModelV3({
  doGenerate: async () => {
    throw new APICallError({
      message: 'overloaded',
      url: 'https://api.example.test/v1/chat',
      requestBodyValues: {},
      statusCode: 529,
      isRetryable: true,
    });
  },
});
try {
  await generateText({
    ...withMemory({ memory, domain: 'exit', taskType: 'debugging' }),
    model,
    maxRetries: 0,
    prompt: 'A run that fails',
  });
} catch (error) {
  console.log(`run failed: ${error.message}`);
}
// The store closes when the process is about to exit, after the episode's outcome is written.
process.once('beforeExit', () => void memory.close());
