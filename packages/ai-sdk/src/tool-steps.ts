import { jsonText } from './json-text.js';
import type { RecordedStep } from './memory-port.js';
import { storableText, wellFormedJson } from './storable-text.js';

/** A tool outcome as a step's `content` holds it (`tool-result` or `tool-error`). */
export interface ToolOutcomePart {
  type: string;
  toolCallId?: string;
  toolName?: string;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  preliminary?: boolean;
}

export interface StepLimits {
  /** Longest stored result; longer ones keep their start and end, marked cut (`storableText`). */
  maxResultChars: number;
  /** Longest stored argument object, as JSON text; longer ones are stored cut, as text. */
  maxParameterChars: number;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.message;
  try {
    return jsonText(value) ?? String(value);
  } catch {
    // A `toJSON` or a getter of the tool's own that throws.
    return String(value);
  }
}

/** The arguments as JSON the store accepts: undefined fields dropped, too-long ones kept as cut text. */
function parameters(input: unknown, max: number): unknown {
  if (input === undefined) return null;
  let json: string | undefined;
  try {
    json = jsonText(input);
  } catch {
    return storableText(String(input), max);
  }
  if (json === undefined) return null;
  // A lone surrogate in an argument made the store refuse the whole batch of the run's steps.
  return json.length <= max ? wellFormedJson(JSON.parse(json)) : storableText(json, max);
}

/**
 * The tool calls finished in one model step, as steps in the order the model made the calls
 * (a stream reports results as they finish). `durations` holds what
 * `experimental_onToolCallFinish` measured, by tool call id.
 */
export function toolSteps(
  content: readonly ToolOutcomePart[],
  durations: ReadonlyMap<string, number>,
  limits: StepLimits,
): RecordedStep[] {
  const callOrder = new Map<string | undefined, number>();
  content.forEach((part, index) => part.type === 'tool-call' && callOrder.set(part.toolCallId, index));
  const outcomes = content
    .filter(
      (part) => (part.type === 'tool-result' || part.type === 'tool-error') && part.preliminary !== true,
    )
    .sort((a, b) => (callOrder.get(a.toolCallId) ?? 0) - (callOrder.get(b.toolCallId) ?? 0));
  const steps: RecordedStep[] = [];
  for (const part of outcomes) {
    const failed = part.type === 'tool-error';
    const duration = part.toolCallId === undefined ? undefined : durations.get(part.toolCallId);
    const outcome = failed ? part.error : part.output;
    steps.push({
      // An id of its own makes the write safe to send again: the SDK replays a step write whose
      // connection failed before any answer (a kept-alive socket closed) only when every step has one.
      id: crypto.randomUUID(),
      action: part.toolName ?? 'unknown tool',
      // A tool that returns nothing has no result: not the text "undefined".
      ...(outcome === undefined ? {} : { result: storableText(asText(outcome), limits.maxResultChars) }),
      success: !failed,
      ...(duration === undefined ? {} : { durationMs: Math.max(0, Math.round(duration)) }),
      metadata: {
        parameters: parameters(part.input, limits.maxParameterChars),
        ...(part.toolCallId === undefined ? {} : { toolCallId: part.toolCallId }),
      },
    });
  }
  return steps;
}
