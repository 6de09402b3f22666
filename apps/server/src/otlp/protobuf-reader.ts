/**
 * Just enough of the protobuf wire format to read OTLP trace messages: varints, fixed 32/64-bit
 * numbers and length-delimited fields, with unknown fields skipped as the format requires.
 * Every read is bounds-checked, so a truncated or hostile body throws `ProtobufError`.
 */
export class ProtobufError extends Error {}

export const wireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

export class ProtobufReader {
  #at: number;
  readonly #end: number;

  constructor(
    private readonly buffer: Uint8Array,
    start = 0,
    end = buffer.length,
  ) {
    this.#at = start;
    this.#end = end;
  }

  get done(): boolean {
    return this.#at >= this.#end;
  }

  /** A varint as a bigint (64 bits at most). */
  varint(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.#at >= this.#end) throw new ProtobufError('truncated varint');
      const byte = this.buffer[this.#at++] as number;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, value);
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  /** A small varint (a tag, a length, an enum) as a number. */
  uint32(): number {
    const value = this.varint();
    if (value > 0xffffffffn) throw new ProtobufError('value out of range');
    return Number(value);
  }

  #take(length: number): number {
    if (length < 0 || this.#at + length > this.#end) throw new ProtobufError('field runs past the end');
    const at = this.#at;
    this.#at += length;
    return at;
  }

  fixed64(): bigint {
    const at = this.#take(8);
    return new DataView(this.buffer.buffer, this.buffer.byteOffset + at, 8).getBigUint64(0, true);
  }

  double(): number {
    const at = this.#take(8);
    return new DataView(this.buffer.buffer, this.buffer.byteOffset + at, 8).getFloat64(0, true);
  }

  fixed32(): number {
    const at = this.#take(4);
    return new DataView(this.buffer.buffer, this.buffer.byteOffset + at, 4).getUint32(0, true);
  }

  bytes(): Uint8Array {
    const length = this.uint32();
    const at = this.#take(length);
    return this.buffer.subarray(at, at + length);
  }

  string(): string {
    return textDecoder.decode(this.bytes());
  }

  /** A reader over an embedded message. */
  message(): ProtobufReader {
    const length = this.uint32();
    const at = this.#take(length);
    return new ProtobufReader(this.buffer, at, at + length);
  }

  /** The next field's number and wire type. */
  tag(): { field: number; type: number } {
    const tag = this.uint32();
    const field = tag >>> 3;
    if (field === 0) throw new ProtobufError('field number 0');
    return { field, type: tag & 7 };
  }

  skip(type: number): void {
    if (type === wireType.varint) this.varint();
    else if (type === wireType.fixed64) this.#take(8);
    else if (type === wireType.bytes) this.#take(this.uint32());
    else if (type === wireType.fixed32) this.#take(4);
    else throw new ProtobufError(`unsupported wire type ${type}`);
  }
}

// `fatal`: invalid UTF-8 in a string field is a malformed request, not text to store.
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Writes the few small messages the endpoint answers with (a partial success, an error status). */
export function encodeMessage(fields: Array<[number, number | string | Uint8Array]>): Uint8Array {
  // In parts, copied once at the end: spreading a long field into an array's push passed one
  // argument per byte, and a message of ~140 kB overflowed the call stack.
  const parts: Uint8Array[] = [];
  const varint = (value: number) => {
    const bytes: number[] = [];
    let rest = value;
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    bytes.push(rest);
    parts.push(Uint8Array.from(bytes));
  };
  for (const [field, value] of fields) {
    if (typeof value === 'number') {
      varint((field << 3) | wireType.varint);
      varint(value);
    } else {
      const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
      varint((field << 3) | wireType.bytes);
      varint(bytes.length);
      parts.push(bytes);
    }
  }
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
