import { ProtobufError, ProtobufReader, wireType } from './protobuf-reader.js';

/**
 * Decodes an `ExportTraceServiceRequest` (opentelemetry-proto, `collector/trace/v1`) into the
 * shape of its OTLP/JSON encoding: ids as hex, 64-bit numbers as decimal strings, attribute
 * values as `{ stringValue }`, `{ intValue }`… So one zod schema checks both encodings. Only the
 * fields Episodic reads are kept; the rest (links, trace state, dropped counts) are skipped. A
 * field the encoder left out (proto3 writes no default value) stays out: the schema gives it its
 * default, as it does for OTLP/JSON.
 */
export function decodeTraceRequest(body: Uint8Array): unknown {
  return { resourceSpans: repeated(new ProtobufReader(body), 1, resourceSpans) };
}

/** Attribute values nest (arrays, key-value lists); deeper than this is refused, not recursed into. */
const maxValueDepth = 8;

type Handler = (reader: ProtobufReader, type: number) => void;

/** A handler for a field of one wire type: any other type is a malformed message. */
const ofType =
  (wanted: number) =>
  (handle: (reader: ProtobufReader) => void): Handler =>
  (reader, type) => {
    if (type !== wanted) throw new ProtobufError(`unexpected wire type ${type}`);
    handle(reader);
  };
const bytes = ofType(wireType.bytes);
const varint = ofType(wireType.varint);
const fixed64 = ofType(wireType.fixed64);
const fixed32 = ofType(wireType.fixed32);

/** Reads a message field by field, calling `fields[n]` for field n and skipping the others. */
function read(reader: ProtobufReader, fields: Record<number, Handler>): void {
  while (!reader.done) {
    const { field, type } = reader.tag();
    const handle = fields[field];
    if (handle === undefined) reader.skip(type);
    else handle(reader, type);
  }
}

function repeated<T>(reader: ProtobufReader, field: number, decode: (message: ProtobufReader) => T): T[] {
  const items: T[] = [];
  read(reader, { [field]: bytes((r) => items.push(decode(r.message()))) });
  return items;
}

const hex = (value: Uint8Array) => Buffer.from(value).toString('hex');

function anyValue(reader: ProtobufReader, depth: number): Record<string, unknown> {
  if (depth > maxValueDepth) throw new ProtobufError(`attribute values nested deeper than ${maxValueDepth}`);
  let value: Record<string, unknown> = {};
  read(reader, {
    1: bytes((r) => (value = { stringValue: r.string() })),
    2: varint((r) => (value = { boolValue: r.varint() !== 0n })),
    3: varint((r) => (value = { intValue: BigInt.asIntN(64, r.varint()).toString() })),
    4: fixed64((r) => (value = { doubleValue: r.double() })),
    5: bytes(
      (r) => (value = { arrayValue: { values: repeated(r.message(), 1, (m) => anyValue(m, depth + 1)) } }),
    ),
    6: bytes(
      (r) => (value = { kvlistValue: { values: repeated(r.message(), 1, (m) => keyValue(m, depth + 1)) } }),
    ),
    7: bytes((r) => (value = { bytesValue: Buffer.from(r.bytes()).toString('base64') })),
  });
  return value;
}

function keyValue(reader: ProtobufReader, depth = 0) {
  const kv: { key: string; value: Record<string, unknown> } = { key: '', value: {} };
  read(reader, {
    1: bytes((r) => (kv.key = r.string())),
    2: bytes((r) => (kv.value = anyValue(r.message(), depth))),
  });
  return kv;
}

function event(reader: ProtobufReader) {
  const e: Record<string, unknown> = { attributes: [] as unknown[] };
  read(reader, {
    1: fixed64((r) => (e.timeUnixNano = r.fixed64().toString())),
    2: bytes((r) => (e.name = r.string())),
    3: bytes((r) => (e.attributes as unknown[]).push(keyValue(r.message()))),
  });
  return e;
}

function span(reader: ProtobufReader) {
  const s: Record<string, unknown> = { attributes: [] as unknown[], events: [] as unknown[] };
  read(reader, {
    1: bytes((r) => (s.traceId = hex(r.bytes()))),
    2: bytes((r) => (s.spanId = hex(r.bytes()))),
    4: bytes((r) => (s.parentSpanId = hex(r.bytes()))),
    5: bytes((r) => (s.name = r.string())),
    6: varint((r) => (s.kind = r.uint32())),
    7: fixed64((r) => (s.startTimeUnixNano = r.fixed64().toString())),
    8: fixed64((r) => (s.endTimeUnixNano = r.fixed64().toString())),
    9: bytes((r) => (s.attributes as unknown[]).push(keyValue(r.message()))),
    11: bytes((r) => (s.events as unknown[]).push(event(r.message()))),
    15: bytes((r) => {
      const status: Record<string, unknown> = {};
      read(r.message(), {
        2: bytes((m) => (status.message = m.string())),
        3: varint((m) => (status.code = m.uint32())),
      });
      s.status = status;
    }),
    // Span.flags: bits 8 and 9 say whether the parent is in another process (see `isTraceRoot`).
    16: fixed32((r) => (s.flags = r.fixed32())),
  });
  return s;
}

function resourceSpans(reader: ProtobufReader) {
  const rs: Record<string, unknown> = { scopeSpans: [] as unknown[] };
  read(reader, {
    1: bytes((r) => (rs.resource = { attributes: repeated(r.message(), 1, keyValue) })),
    2: bytes((r) => (rs.scopeSpans as unknown[]).push({ spans: repeated(r.message(), 2, span) })),
  });
  return rs;
}
