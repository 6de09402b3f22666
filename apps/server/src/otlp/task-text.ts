import type { OtlpSpan } from './otlp-request-schema.js';

type Message = { role?: unknown; content?: unknown; parts?: unknown };

/** The text of a chat message's content: a string, or its text parts joined. */
function messageText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const texts = content.flatMap((part: { type?: unknown; text?: unknown; content?: unknown }) => {
    if (part?.type !== 'text') return [];
    // The AI SDK's parts hold `text`; the GenAI conventions' hold `content`.
    const text = part.text ?? part.content;
    return typeof text === 'string' ? [text] : [];
  });
  return texts.length === 0 ? null : texts.join('\n');
}

/** The latest user message's text, or `null`: a chat's request of this run, never its system prompt. */
function latestUserText(messages: unknown): string | null {
  if (!Array.isArray(messages)) return null;
  for (const message of (messages as (Message | null)[]).toReversed()) {
    const text = message?.role === 'user' ? messageText(message.content ?? message.parts) : null;
    if (text !== null && text.trim() !== '') return text;
  }
  return null;
}

/** `value` parsed when it is JSON text, as it is otherwise (an attribute may carry it either way). */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * The task in the AI SDK's `ai.prompt` (`JSON.stringify({ system, prompt, messages })`): its
 * `prompt`, else the latest user message of its `messages`. Not JSON: the prompt as sent.
 */
function promptTask(prompt: string): string {
  const given = parsed(prompt) as { prompt?: unknown; messages?: unknown } | string | null;
  if (typeof given !== 'object' || given === null) return prompt;
  if (typeof given.prompt === 'string') return given.prompt;
  return latestUserText(given.messages) ?? prompt;
}

/** A non-empty text attribute, or `null`. */
function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/**
 * The task of a trace, from its root span: `episodic.context`; else the AI SDK's prompt
 * (`ai.prompt`); else the latest user message of the GenAI conventions' `gen_ai.input.messages`
 * (`[{ role, parts: [{ type: 'text', content }] }]`); else the root's input as OpenInference
 * (`input.value`: Arize Phoenix, LangChain and LlamaIndex instrumentations) or OpenLLMetry
 * (`traceloop.entity.input`) records it; else the span's name.
 */
export function taskText(root: OtlpSpan, attributes: Map<string, unknown>): string {
  const given = text(attributes.get('episodic.context'));
  if (given !== null) return given;
  const prompt = attributes.get('ai.prompt');
  if (typeof prompt === 'string') return promptTask(prompt);
  return (
    latestUserText(parsed(attributes.get('gen_ai.input.messages'))) ??
    text(attributes.get('input.value')) ??
    text(attributes.get('traceloop.entity.input')) ??
    root.name
  );
}
