import { maxRecordedStepsPerCall } from '@episodic/core';
import { z } from 'zod';

/**
 * Most spans one export request may carry: more than the OTel batch processors send by default
 * (the SDKs' 512, the collector's 8,192). Its spans become at most as many steps, so they fit the
 * engine's bound on one `episodes.record` call's steps, and the request's calls hold the store for
 * about a second. More is refused with 413, as OTLP receivers refuse a request too large to take.
 */
export const maxSpansPerRequest = maxRecordedStepsPerCall;

const hexId = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`, 'u'), `must be ${bytes} bytes in hex`)
    .transform((id) => id.toLowerCase());
/**
 * A fixed64 in OTLP/JSON, as decimal digits; 0 (absent) is unset. The proto3 JSON mapping writes
 * it as a string and accepts a number too, which some exporters send (the JS one where BigInt is
 * missing). A time in nanoseconds is past 2^53, so such a number is rarely a safe integer: any
 * whole number in the fixed64 range is taken, as the digits of its exact value.
 */
const unixNano = z
  .union([
    z.string().regex(/^\d{1,20}$/u, 'must be decimal nanoseconds'),
    z
      .number()
      .nonnegative()
      .lt(2 ** 64)
      .refine(Number.isInteger, 'must be whole nanoseconds')
      .transform((n) => BigInt(n).toString()),
  ])
  .default('0');
/** Nested values (`arrayValue`, `kvlistValue`) are checked and bounded by `attributeValue`. */
const anyValue = z.record(z.string(), z.unknown());
const attributes = z
  .array(z.strictObject({ key: z.string().max(1024).default(''), value: anyValue.optional() }))
  .max(1000)
  .default([]);

// Proto3 encoders (Python's, Go's) leave out every scalar and repeated field that holds its default
// value (an empty name, a time of 0, no attributes), and OTLP/JSON may too: absent means that
// default here, as in the OTLP trace proto. An absent trace or span id is the empty id, which is
// malformed: `prefault` runs it through the hex check (`default` would pass it unchecked).
const span = z.object({
  traceId: hexId(16).prefault(''),
  spanId: hexId(8).prefault(''),
  parentSpanId: z.union([hexId(8), z.literal('')]).default(''),
  /** OTLP's `SpanFlags`: W3C trace flags, and in bits 8–9 whether the parent is remote. */
  flags: z.number().int().min(0).max(0xffffffff).default(0),
  name: z.string().max(4096).default(''),
  kind: z.number().int().default(0),
  startTimeUnixNano: unixNano,
  endTimeUnixNano: unixNano,
  attributes,
  events: z
    .array(
      z.object({
        name: z.string().max(4096).default(''),
        timeUnixNano: unixNano,
        attributes,
      }),
    )
    .max(1000)
    .default([]),
  status: z
    .object({ code: z.number().int().min(0).max(2).default(0), message: z.string().default('') })
    .optional(),
});

/**
 * An OTLP `ExportTraceServiceRequest` as far as Episodic reads it (unknown fields pass, as the
 * OTLP spec asks of receivers), in its JSON shape; protobuf bodies are decoded into it first.
 */
export const traceRequestSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes }).optional(),
        scopeSpans: z.array(z.object({ spans: z.array(span).default([]) })).default([]),
      }),
    )
    .default([]),
});

export type TraceRequest = z.output<typeof traceRequestSchema>;
export type OtlpSpan = z.output<typeof span>;
export type OtlpAttributes = z.output<typeof attributes>;

const listOf = (value: unknown, key: string): unknown[] => {
  const list =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return Array.isArray(list) ? list : [];
};

/**
 * The spans of a request as sent (one sent twice counted twice), counted on the decoded body
 * before it is validated: 2.6 million empty spans (7.8 MB) were each validated first, the serving
 * thread held 39 s, and answered 500 when zod's list of issues overflowed the stack.
 */
export const sentSpans = (decoded: unknown): number =>
  listOf(decoded, 'resourceSpans').reduce<number>(
    (sum, resource) =>
      sum + listOf(resource, 'scopeSpans').reduce<number>((n, scope) => n + listOf(scope, 'spans').length, 0),
    0,
  );
