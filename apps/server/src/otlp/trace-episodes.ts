import { type Limits, type RecordEpisodesInput, storableText } from '@episodic/core';
import { attributeMap } from './attribute-values.js';
import { derivedId } from './derived-id.js';
import type { OtlpSpan, TraceRequest } from './otlp-request-schema.js';

type EpisodeRecord = RecordEpisodesInput[number];
type StepRecord = NonNullable<EpisodeRecord['steps']>[number];

export interface TraceDefaults {
  /** Domain of traces whose resource has no `episodic.domain` attribute. */
  domain: string;
  /** Task type of traces without an `episodic.task_type` attribute. */
  taskType: string;
  limits: Pick<Limits, 'maxContextChars' | 'maxActionChars' | 'maxResultChars' | 'maxMetadataChars'>;
}

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const nanos = (value: string | number) => BigInt(value);

/**
 * A span time as a stored time (an episode's start or end, a step's): undefined when the span
 * leaves it unset (0), and never later than now, so an exporter whose clock runs ahead cannot
 * date a record in the future (which the store refuses).
 */
function spanTime(unixNano: string | number): string | undefined {
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

/** `gen_ai.*` (GenAI semantic conventions) or the AI SDK's `ai.toolCall` span: the tool's name, arguments and result. */
function toolCall(span: OtlpSpan, attributes: Map<string, unknown>) {
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
      result: attributes.get('ai.toolCall.result'),
    };
  return null;
}

/** Why a span failed: its status message, else its `exception` event; `null` when it did not. */
function failure(span: OtlpSpan): string | null {
  const exception = span.events.find((event) => event.name === 'exception');
  if (span.status?.code !== 2 && exception === undefined) return null;
  if (span.status?.message) return span.status.message;
  const attrs = attributeMap(exception?.attributes);
  const type = attrs.get('exception.type');
  const message = attrs.get('exception.message');
  return [type, message].filter((part) => typeof part === 'string' && part !== '').join(': ') || 'error';
}

/** Arguments are JSON text in both conventions: stored parsed when they parse. */
function parameters(args: unknown, max: number): unknown {
  if (typeof args !== 'string') return args ?? null;
  try {
    const parsed: unknown = JSON.parse(args);
    return asText(parsed).length <= max ? parsed : storableText(args, max);
  } catch {
    return storableText(args, max);
  }
}

function step(
  episodeId: string,
  span: OtlpSpan,
  call: NonNullable<ReturnType<typeof toolCall>>,
  limits: TraceDefaults['limits'],
): StepRecord {
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
    metadata: {
      parameters: parameters(call.args, Math.floor(limits.maxMetadataChars / 2)),
      spanId: span.spanId,
    },
  };
}

/** The task of a trace: `episodic.context`, else the AI SDK's prompt, else the root span's name. */
function taskText(root: OtlpSpan, attributes: Map<string, unknown>): string {
  const given = attributes.get('episodic.context');
  if (typeof given === 'string' && given !== '') return given;
  const prompt = attributes.get('ai.prompt');
  if (typeof prompt === 'string') {
    try {
      const parsed = JSON.parse(prompt) as { prompt?: unknown };
      if (typeof parsed.prompt === 'string') return parsed.prompt;
    } catch {
      // Not JSON: the prompt as sent.
    }
    return prompt;
  }
  return root.name;
}

/**
 * One record per trace and domain in the request. The root span (no parent) gives the task and
 * the outcome; tool spans are steps in order of start; other spans (model calls) are not steps.
 * Without its root, a trace's record has no outcome: the episode stays active for later parts.
 */
export function traceEpisodes(
  request: TraceRequest,
  defaults: TraceDefaults,
): { records: EpisodeRecord[]; spans: number } {
  const traces = new Map<string, { domain: string; taskType: string; spans: OtlpSpan[] }>();
  let count = 0;
  for (const rs of request.resourceSpans) {
    const resource = attributeMap(rs.resource?.attributes);
    const domain = resource.get('episodic.domain');
    const taskType = resource.get('episodic.task_type');
    for (const span of rs.scopeSpans.flatMap((ss) => ss.spans)) {
      count += 1;
      const scope = {
        domain: typeof domain === 'string' ? domain : defaults.domain,
        taskType: typeof taskType === 'string' ? taskType : defaults.taskType,
      };
      const key = `${scope.domain}\u0000${span.traceId}`;
      const trace = traces.get(key) ?? { ...scope, spans: [] };
      trace.spans.push(span);
      traces.set(key, trace);
    }
  }
  const records: EpisodeRecord[] = [];
  for (const { domain, taskType, spans } of traces.values()) {
    const traceId = (spans[0] as OtlpSpan).traceId;
    const id = derivedId(domain, traceId);
    const root = spans.find((span) => !span.parentSpanId);
    const steps = spans
      .map((span) => ({ span, call: toolCall(span, attributeMap(span.attributes)) }))
      .filter((entry) => entry.call !== null)
      .sort((a, b) => Number(nanos(a.span.startTimeUnixNano) - nanos(b.span.startTimeUnixNano)))
      .map(({ span, call }) => step(id, span, call as NonNullable<typeof call>, defaults.limits));
    if (root === undefined && steps.length === 0) continue;
    // The trace began when its root did (or, in a part without it, its first span): the episode's start.
    const first =
      root ?? spans.reduce((a, b) => (nanos(b.startTimeUnixNano) < nanos(a.startTimeUnixNano) ? b : a));
    const createdAt = spanTime(first.startTimeUnixNano);
    const ended = root === undefined ? undefined : spanTime(root.endTimeUnixNano);
    // A root that ends before it starts is the exporter's slip, not a reason to refuse the request:
    // the episode then ends when it began.
    const completedAt =
      ended !== undefined && createdAt !== undefined && ended < createdAt ? createdAt : ended;
    const rootAttributes = root === undefined ? null : attributeMap(root.attributes);
    const rootTaskType = rootAttributes?.get('episodic.task_type');
    records.push({
      id,
      domain,
      taskType: typeof rootTaskType === 'string' ? rootTaskType : taskType,
      metadata: { source: 'otlp', traceId, ...(root === undefined ? {} : { rootSpanId: root.spanId }) },
      ...(createdAt === undefined ? {} : { createdAt }),
      ...(steps.length > 0 ? { steps } : {}),
      ...(root === undefined || rootAttributes === null
        ? {}
        : {
            context: storableText(taskText(root, rootAttributes), defaults.limits.maxContextChars),
            outcome: {
              status: failure(root) === null ? ('completed' as const) : ('failed' as const),
              ...(completedAt === undefined ? {} : { completedAt }),
            },
          }),
    });
  }
  return { records, spans: count };
}
