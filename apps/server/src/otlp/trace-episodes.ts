import { type Limits, type RecordEpisodesInput, storableText } from '@episodic/core';
import { attributeMap } from './attribute-values.js';
import { derivedId } from './derived-id.js';
import type { OtlpSpan, TraceRequest } from './otlp-request-schema.js';
import { taskText } from './task-text.js';
import { asText, failure, nanos, type StepBounds, spanTime, toolCall, toolStep } from './tool-steps.js';

type EpisodeRecord = RecordEpisodesInput[number];

/** A record and how many of the request's spans it stores: its steps', and on a trace's last part the others (root, model calls). */
export interface TracePart {
  record: EpisodeRecord;
  spans: number;
}

export interface TraceDefaults extends StepBounds {
  /** Domain of traces whose resource has no `episodic.domain` attribute. */
  domain: string;
  /** Task type of traces without an `episodic.task_type` attribute, or with one the store does not take. */
  taskType: string;
  /** The task types the store takes. */
  taskTypes: readonly string[];
  limits: StepBounds['limits'] & Pick<Limits, 'maxContextChars' | 'maxStepsPerCall'>;
}

/** `SpanFlags`: the span's parent is known to be in another process (a propagated trace context). */
const parentIsRemote = 0x300;

/**
 * The span that stands for the agent's run: one with no parent; one whose parent is in another
 * process (an agent run inside an HTTP request that carried a trace context: its parent never
 * reaches this receiver, and the episode stayed active for good); or one marked
 * `episodic.root: true` (an agent under a span of its service's own tracer).
 */
function isTraceRoot(span: OtlpSpan): boolean {
  if (!span.parentSpanId || (span.flags & parentIsRemote) === parentIsRemote) return true;
  return attributeMap(span.attributes).get('episodic.root') === true;
}

/** `items` in runs of at most `size`, in order; none gives one empty run. */
function runs<T>(items: T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts.length === 0 ? [[]] : parts;
}

/**
 * The records of each trace and domain in the request. The root span (no parent) gives the task
 * and the outcome; tool spans are steps in order of start; other spans (model calls) are not
 * steps. Without its root, a trace's record has no outcome: the episode stays active for later
 * parts. `spans` counts the request's spans, each once.
 */
export function traceEpisodes(
  request: TraceRequest,
  defaults: TraceDefaults,
): { parts: TracePart[]; spans: number } {
  const traces = new Map<string, { domain: string; taskType: unknown; spans: Map<string, OtlpSpan> }>();
  let count = 0;
  for (const rs of request.resourceSpans) {
    const resource = attributeMap(rs.resource?.attributes);
    const domain = resource.get('episodic.domain');
    const taskType = resource.get('episodic.task_type');
    for (const span of rs.scopeSpans.flatMap((ss) => ss.spans)) {
      const scope = {
        domain: typeof domain === 'string' ? domain : defaults.domain,
        taskType: taskType ?? defaults.taskType,
      };
      const key = `${scope.domain}\u0000${span.traceId}`;
      const trace = traces.get(key) ?? { ...scope, spans: new Map() };
      traces.set(key, trace);
      // A span twice in one export (a collector that merges a retried batch with new ones) is
      // stored once, as one sent again in another export is: the store refuses a step id twice
      // in one write, and with it the whole request.
      if (trace.spans.has(span.spanId)) continue;
      trace.spans.set(span.spanId, span);
      count += 1;
    }
  }
  const parts: TracePart[] = [];
  for (const { domain, taskType, spans: bySpanId } of traces.values()) {
    const spans = [...bySpanId.values()];
    const traceId = (spans[0] as OtlpSpan).traceId;
    const id = derivedId(domain, traceId);
    const root = spans.find(isTraceRoot);
    const steps = spans
      .map((span) => ({ span, call: toolCall(span, attributeMap(span.attributes)) }))
      .filter((entry) => entry.call !== null)
      .sort((a, b) => Number(nanos(a.span.startTimeUnixNano) - nanos(b.span.startTimeUnixNano)))
      .map(({ span, call }) => toolStep(id, span, call as NonNullable<typeof call>, defaults));
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
    const named = rootAttributes?.get('episodic.task_type') ?? taskType;
    // A task type the store does not take ("Code Review") would refuse the whole export with a
    // 400, which exporters do not retry, and every other trace in it with it: the trace is stored
    // under the default, the name it gave kept in its metadata.
    const accepted = typeof named === 'string' && defaults.taskTypes.includes(named);
    const episode = {
      id,
      domain,
      taskType: accepted ? named : defaults.taskType,
      metadata: {
        source: 'otlp',
        traceId,
        ...(root === undefined ? {} : { rootSpanId: root.spanId }),
        // `String` of a key-value list (an object without a prototype) threw: a 500, the export lost.
        ...(accepted ? {} : { taskType: storableText(asText(named) ?? '', 128) }),
      },
      ...(createdAt === undefined ? {} : { createdAt }),
    };
    const end =
      root === undefined || rootAttributes === null
        ? {}
        : {
            context: storableText(taskText(root, rootAttributes), defaults.limits.maxContextChars),
            outcome: {
              status: failure(root) === null ? ('completed' as const) : ('failed' as const),
              ...(completedAt === undefined ? {} : { completedAt }),
            },
          };
    // One record carries at most `maxStepsPerCall` steps (the store's bound on one write's), while
    // an export may carry 10,000 spans: a longer trace goes in parts with the same id, in order.
    // `record` appends each part's steps to the episode the first part creates; the outcome, on
    // the last part only, completes it after them all.
    const runsOfSteps = runs(steps, defaults.limits.maxStepsPerCall);
    runsOfSteps.forEach((run, i) => {
      const last = i === runsOfSteps.length - 1;
      parts.push({
        record: { ...episode, ...(run.length > 0 ? { steps: run } : {}), ...(last ? end : {}) },
        spans: run.length + (last ? spans.length - steps.length : 0),
      });
    });
  }
  return { parts, spans: count };
}
