import type { ModelMessage } from 'ai';
import { isHighSurrogate, wellFormed } from './storable-text.js';

function messageText(message: ModelMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

/**
 * The task of a run, by default: the text of its latest user message with any text, which is
 * what this run is asked to do. In a chat, the first user turns are what earlier runs were asked
 * (or context pasted before the request, such as a long log); `''` when no user message has text.
 */
export function latestUserText(messages: readonly ModelMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.role !== 'user') continue;
    const text = messageText(message).trim();
    if (text !== '') return text;
  }
  return '';
}

/**
 * The task as a look-up text of at most `max` characters: a longer one keeps its start and its
 * end (a request is often a question before or after a pasted log), never split inside a
 * surrogate pair, with NUL and lone surrogates as U+FFFD, which the store refuses in a query.
 */
export function queryText(task: string, max: number): string {
  const clean = wellFormed(task).replaceAll('\u0000', '\uFFFD');
  if (clean.length <= max) return clean;
  const gap = '\n…\n';
  const half = Math.floor((max - gap.length) / 2);
  const headEnd = isHighSurrogate(clean.charCodeAt(half - 1)) ? half - 1 : half;
  let tailStart = clean.length - half;
  // The tail must not start with the second half of a pair whose first half was left out.
  if (isHighSurrogate(clean.charCodeAt(tailStart - 1))) tailStart += 1;
  return `${clean.slice(0, headEnd)}${gap}${clean.slice(tailStart)}`;
}
