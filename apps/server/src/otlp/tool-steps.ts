import { type InputSchemas, type Limits, type RecordEpisodesInput, storableText } from '@episodic/core';
import { inexactInteger } from '../http/exact-numbers.js';
import { attributeMap } from './attribute-values.js';
import { derivedId } from './derived-id.js';
import type { OtlpSpan } from './otlp-request-schema.js';

type StepRecord = NonNullable<RecordEpisodesInput[number]['steps']>[number];

/** What a tool span's step must fit: the store's limits, and its own check of metadata. */
export interface StepBounds {
  limits: Pick<Limits, 'maxActionChars' | 'maxResultChars' | 'maxMetadataChars'>;
  /** `memory.schemas.metadata`: a step's metadata is built to pass it, not refused by it. */
  metadata: InputSchemas['metadata'];
}

/** An attribute's value as text: a string as it is, anything else (a number, a list, a key-value list) as its JSON. */
export const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
export const nanos = (value: string) => BigInt(value);

/**
 * A span time as a stored time (an episode's start or end, a step's): undefined when the span
 * leaves it unset (0), and never later than now, so an exporter whose clock runs ahead cannot
 * date a record in the future (which the store refuses).
 */
export function spanTime(unixNano: string): string | undefined {
  const ms = Number(nanos(unixNano) / 1_000_000n);
  return ms <= 0 ? undefined : new Date(Math.min(ms, Date.now())).toISOString();
}

/**
 * A span's duration in ms: unknown (undefined) when it leaves a time unset (0), which would
 * otherwise make it decades long, and 0 when it ends before it starts.
 */
function duration(span: OtlpSpan): number | undefined {
  const start = nanos(span.startTimeUnixNano);
  const end = nanos(span.endTimeUnixNano);
  if (start === 0n || end === 0n) return undefined;
  const ms = end < start ? 0n : (end - start) / 1_000_000n;
  // The store's bound (about 24.8 days): a longer span would lose the whole request to a 400.
  return Number(ms > longestDurationMs ? longestDurationMs : ms);
}

const longestDurationMs = 2_147_483_647n;

/**
 * The AI SDK writes a tool's output as JSON (`JSON.stringify(output)`), and OpenLLMetry too: a
 * tool that returned text was stored quoted (`"ok 3 passed"` with its quotes and escapes). Text
 * comes back as text, any other output as the JSON it was sent as; a value that is not JSON as it is.
 */
function unquoted(result: unknown): unknown {
  if (typeof result !== 'string') return result;
  try {
    const parsed: unknown = JSON.parse(result);
    return typeof parsed === 'string' ? parsed : result;
  } catch {
    return result;
  }
}

/**
 * A tool span's tool name, arguments and result, as one of these records it: the GenAI semantic
 * conventions (`gen_ai.*`), the AI SDK (`ai.toolCall`), OpenInference (`openinference.span.kind`
 * `TOOL`: Arize Phoenix, LangChain, LlamaIndex; the arguments in `input.value`, since its
 * `tool.parameters` is the tool's schema) or OpenLLMetry (`traceloop.span.kind` `tool`); `null`
 * for any other span. Without the last two, their traces were episodes without a step.
 */
export function toolCall(span: OtlpSpan, attributes: Map<string, unknown>) {
  if (attributes.get('gen_ai.operation.name') === 'execute_tool')
    return {
      name: attributes.get('gen_ai.tool.name') ?? span.name,
      args: attributes.get('gen_ai.tool.call.arguments'),
      result: attributes.get('gen_ai.tool.call.result'),
    };
  if (span.name === 'ai.toolCall')
    return {
      name: attributes.get('ai.toolCall.name') ?? span.name,
      args: attributes.get('ai.toolCall.args'),
      result: unquoted(attributes.get('ai.toolCall.result')),
    };
  if (attributes.get('openinference.span.kind') === 'TOOL')
    return {
      name: attributes.get('tool.name') ?? span.name,
      args: attributes.get('input.value'),
      result: attributes.get('output.value'),
    };
  if (attributes.get('traceloop.span.kind') === 'tool')
    return {
      name: attributes.get('traceloop.entity.name') ?? span.name,
      args: attributes.get('traceloop.entity.input'),
      // Written as JSON too (`json.dumps`): a text result is stored as the text.
      result: unquoted(attributes.get('traceloop.entity.output')),
    };
  return null;
}

export type ToolCall = NonNullable<ReturnType<typeof toolCall>>;

/** Why a span failed: its status message, else its `exception` event; `null` when it did not. */
export function failure(span: OtlpSpan): string | null {
  const exception = span.events.find((event) => event.name === 'exception');
  if (span.status?.code !== 2 && exception === undefined) return null;
  if (span.status?.message) return span.status.message;
  const attrs = attributeMap(exception?.attributes);
  const type = attrs.get('exception.type');
  const message = attrs.get('exception.message');
  return [type, message].filter((part) => typeof part === 'string' && part !== '').join(': ') || 'error';
}

/**
 * `text` as `storableText` makes it, cut with `…` so that as a JSON string it takes at most
 * `maxChars` characters, quotes and escapes included: a quote or backslash takes two, a control
 * character six, so a cut by length alone can still be too long once stored.
 */
function jsonText(text: string, maxChars: number): string {
  const clean = storableText(text, text.length);
  if (JSON.stringify(clean).length <= maxChars) return clean;
  let used = '""…'.length;
  let end = 0;
  // By code point: an emoji's two halves stay together.
  for (const char of clean) {
    used += JSON.stringify(char).length - 2;
    if (used > maxChars) break;
    end += char.length;
  }
  return `${clean.slice(0, end)}…`;
}

/**
 * A step's metadata: the tool's arguments as `parameters` (parsed, when they are JSON text) and
 * the span id. Arguments the store would refuse (too long once serialised, nested too deep, a
 * `__proto__` key) would lose the whole request to a 400, which exporters do not retry: they are
 * kept as text instead, cut to fit.
 */
function stepMetadata(args: unknown, spanId: string, bounds: StepBounds): StepRecord['metadata'] {
  let parameters: unknown = args ?? null;
  // Arguments holding an integer a double cannot hold (a 64-bit id) stay text: parsed, it would change.
  if (typeof args === 'string' && inexactInteger(args) === null) {
    try {
      parameters = JSON.parse(args);
    } catch {
      // Not JSON: the text as sent.
    }
  }
  const checked = bounds.metadata.safeParse({ parameters, spanId });
  if (checked.success) return checked.data;
  const around = JSON.stringify({ parameters: '', spanId }).length - '""'.length;
  return { parameters: jsonText(asText(args ?? null), bounds.limits.maxMetadataChars - around), spanId };
}

/** A tool span as a step of the episode `episodeId`, made to fit the store (never refused by it). */
export function toolStep(episodeId: string, span: OtlpSpan, call: ToolCall, bounds: StepBounds): StepRecord {
  const { limits } = bounds;
  const error = failure(span);
  const result = error ?? (call.result === undefined ? undefined : asText(call.result));
  const timestamp = spanTime(span.startTimeUnixNano);
  const durationMs = duration(span);
  return {
    id: derivedId(episodeId, span.spanId),
    // A tool span may name its tool nowhere (an empty span name, no tool attribute); an action
    // must not be empty.
    action: storableText(asText(call.name) || 'unknown tool', limits.maxActionChars),
    // What the tool printed, NUL characters and lone surrogates included: the store would refuse
    // them, and with them the whole request.
    ...(result === undefined ? {} : { result: storableText(result, limits.maxResultChars) }),
    success: error === null,
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(timestamp === undefined ? {} : { timestamp }),
    metadata: stepMetadata(call.args, span.spanId, bounds),
  };
}
