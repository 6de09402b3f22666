import type { OtlpAttributes } from './otlp-request-schema.js';

/** Nested attribute values deeper than this are refused (the protobuf decoder has the same bound). */
const maxDepth = 8;

export class AttributeError extends Error {}

/** An OTLP `AnyValue` as a plain value: strings, numbers, booleans, arrays and objects. */
export function attributeValue(value: unknown, depth = 0): unknown {
  if (depth > maxDepth) throw new AttributeError(`attribute values nested deeper than ${maxDepth}`);
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (typeof v.doubleValue === 'number') return v.doubleValue;
  if (typeof v.intValue === 'number' || typeof v.intValue === 'string') {
    const n = Number(v.intValue);
    // Beyond 2^53 a number would round: keep the digits.
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  const nested = (v.arrayValue ?? v.kvlistValue) as { values?: unknown } | undefined;
  if (nested === undefined) return null;
  // An empty list is left out by proto3 JSON encoders, as an empty key is (both proto3 defaults).
  const values = nested.values ?? [];
  if (!Array.isArray(values)) throw new AttributeError('arrayValue and kvlistValue need a values array');
  if (v.arrayValue !== undefined) return values.map((item) => attributeValue(item, depth + 1));
  // No prototype: a key named __proto__ stays a key.
  const object: Record<string, unknown> = Object.create(null);
  for (const entry of values as unknown[]) {
    const { key = '', value } = (typeof entry === 'object' && entry !== null ? entry : { key: null }) as {
      key?: unknown;
      value?: unknown;
    };
    if (typeof key !== 'string') throw new AttributeError('kvlistValue entries need a string key');
    object[key] = attributeValue(value, depth + 1);
  }
  return object;
}

/** The attributes of a span, resource or event by key. */
export function attributeMap(attributes: OtlpAttributes | undefined): Map<string, unknown> {
  return new Map((attributes ?? []).map(({ key, value }) => [key, attributeValue(value)]));
}
