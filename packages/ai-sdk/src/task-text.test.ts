import type { Memory } from '@episodic/core';
import { generateText, type ModelMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { scriptedModel } from './__fixtures__/scripted-model.js';
import { tempMemoryPerFile } from './__fixtures__/temp-memory.js';
import { queryText } from './task-text.js';
import { withMemory } from './with-memory.js';

let memory: Memory;
tempMemoryPerFile('episodic-ai-sdk-task-', (opened) => {
  memory = opened;
});

/** The store, keeping the text of each look-up. */
function watchedLookUps() {
  const texts: string[] = [];
  const watched = {
    episodes: memory.episodes,
    search: {
      retrieve: (input: Parameters<Memory['search']['retrieve']>[0]) => {
        texts.push(input.text);
        return memory.search.retrieve(input);
      },
    },
  };
  return { watched, texts };
}

const buildLog = Array.from({ length: 150 }, (_, n) => `[${n}] webpack compiled ./src/widget-${n}.tsx`).join(
  '\n',
);
const request = 'Why does the checkout page render a blank total since the last deploy?';
/** A chat whose first turn is a pasted build log and whose latest turn is this run's request. */
const chat: ModelMessage[] = [
  { role: 'user', content: `Here is our build log for context:\n${buildLog}` },
  { role: 'assistant', content: 'Thanks, the build looks clean.' },
  { role: 'user', content: [{ type: 'text', text: request }] },
];

describe('the task of a chat run', () => {
  it('is its latest user turn: stored as the episode’s task and looked up', async () => {
    expect(buildLog.length).toBeGreaterThan(4000);
    const { watched, texts } = watchedLookUps();
    const settings = withMemory({ memory: watched, domain: 'chat', taskType: 'debugging' });
    await generateText({ ...settings, model: scriptedModel([{ text: 'ok' }]).model, messages: chat });
    const episode = await memory.episodes.get((await settings.episode())?.id ?? '');
    expect(episode?.context).toBe(request);
    expect(texts).toEqual([request]);
  });

  it('is what the `task` option makes of the messages, when given', async () => {
    const { watched, texts } = watchedLookUps();
    const settings = withMemory({
      memory: watched,
      domain: 'chat',
      taskType: 'debugging',
      task: (messages) => `checkout: ${messages.length} messages`,
    });
    await generateText({ ...settings, model: scriptedModel([{ text: 'ok' }]).model, messages: chat });
    const episode = await memory.episodes.get((await settings.episode())?.id ?? '');
    expect([episode?.context, texts]).toEqual(['checkout: 3 messages', ['checkout: 3 messages']]);
  });
});

describe('queryText', () => {
  it('keeps the start and the end of a long task, whole characters only', () => {
    const emoji = '\u{1F600}';
    const task = `Build fails:\n${'x'.repeat(9000)}${emoji.repeat(600)}\nWhy does the build fail?`;
    const query = queryText(task, 4000);
    expect(query.length).toBeLessThanOrEqual(4000);
    expect(query.startsWith('Build fails:\nxxx')).toBe(true);
    expect(query.endsWith(`${emoji}\nWhy does the build fail?`)).toBe(true);
    expect(query).toContain('\n…\n');
    expect(query).not.toMatch(/\p{Cs}/u);
    expect(queryText('short\u0000task', 4000)).toBe('short\uFFFDtask');
  });
});
