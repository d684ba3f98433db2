// A small protobuf wire-format reader for the OTLP decoders. One cursor walks one
// buffer; a sub-message is just the range [pos, end) of it, so nothing is copied.
// Every read is bounds-checked and every failure is a VIGIL_ERR_BAD_PROTOBUF naming
// the byte offset, so a malformed body becomes a 400 instead of garbage rows.

import { Buffer } from 'node:buffer';
import { vigilError, type VigilError } from '../../schemas/errors.ts';

// Wire types (the low 3 bits of a tag).
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const SGROUP = 3;
const EGROUP = 4;
const I32 = 5;

const TWO_POW_32 = 4294967296;
// Nesting limit for recursive structures (groups here, AnyValue in the decoder), the
// same default protobuf's own parsers use: deep nesting must not overflow the stack.
export const MAX_DEPTH = 100;

export class WireReader {
  pos = 0;
  private tagPos = 0;
  readonly buf: Uint8Array;
  // The same bytes as a Buffer (no copy) for its native utf8 and hex decoding.
  private readonly nodeBuffer: Buffer;
  private readonly view: DataView;
  private readonly messageType: string;

  constructor(buf: Uint8Array, messageType: string) {
    this.buf = buf;
    this.nodeBuffer = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.messageType = messageType;
  }

  fail(detail: string): VigilError {
    return vigilError('VIGIL_ERR_BAD_PROTOBUF', this.messageType, detail);
  }

  /** Reads a field tag: `(fieldNumber << 3) | wireType`. */
  tag(): number {
    this.tagPos = this.pos;
    const tag = this.uint32();
    if (tag >>> 3 === 0) throw this.fail(`invalid field number 0 in the tag at byte ${this.tagPos}`);
    return tag;
  }

  /** A varint's low 32 bits, unsigned (uint32 fields, and int32/enums via `| 0`). */
  uint32(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos < buf.length) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    return this.varintLow32();
  }

  /** int32 and enum fields; negative values arrive as 10-byte varints. */
  int32(): number {
    return this.uint32() | 0;
  }

  /** sint32 fields (zigzag encoded). */
  sint32(): number {
    const n = this.uint32();
    return (n >>> 1) ^ -(n & 1);
  }

  bool(): boolean {
    return this.uint64() !== 0;
  }

  /** A uint64 varint as a number: exact up to 2^53, which counts never reach. */
  uint64(): number {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw this.truncatedVarint(start);
      const b = buf[pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      scale *= 128;
    }
    throw this.overlongVarint(start);
  }

  /** An int64 varint as a signed bigint (negative values are 10-byte two's complement). */
  /** Low and high 32-bit words of the last varint64() (hi signed, as in two's complement). */
  lo = 0;
  hi = 0;

  /** Reads a 64-bit varint into `lo` / `hi`, without a BigInt. */
  varint64(): void {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw this.truncatedVarint(start);
      const b = buf[pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo;
        this.hi = hi;
        return;
      }
    }
    throw this.overlongVarint(start);
  }

  int64(): bigint {
    this.varint64();
    if (this.hi === 0) return BigInt(this.lo >>> 0);
    return BigInt.asIntN(64, (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0));
  }

  fixed32(): number {
    this.need(4, 'fixed32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** fixed64 as an unsigned bigint (timestamps). */
  fixed64(): bigint {
    this.need(8, 'fixed64');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** fixed64 as a number (counts). */
  fixed64Number(): number {
    this.need(8, 'fixed64');
    const v = this.view.getUint32(this.pos, true) + this.view.getUint32(this.pos + 4, true) * TWO_POW_32;
    this.pos += 8;
    return v;
  }

  /** sfixed64 as a number (metric values stored as Float64). */
  sfixed64Number(): number {
    this.need(8, 'sfixed64');
    const v = this.view.getUint32(this.pos, true) + this.view.getInt32(this.pos + 4, true) * TWO_POW_32;
    this.pos += 8;
    return v;
  }

  double(): number {
    this.need(8, 'double');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix, checks it, and returns where the delimited bytes end. */
  delimitedEnd(): number {
    const at = this.pos;
    const buf = this.buf;
    let len: number;
    if (at < buf.length && buf[at]! < 0x80) {
      len = buf[at]!;
      this.pos = at + 1;
    } else {
      len = this.uint64();
    }
    const end = this.pos + len;
    if (end > buf.length) {
      throw this.fail(`length ${len} at byte ${at} runs past the end of the ${buf.length}-byte body`);
    }
    return end;
  }

  /** Length-delimited bytes as a view into the body (callers copy what they keep). */
  bytes(): Uint8Array {
    const end = this.delimitedEnd();
    const v = this.buf.subarray(this.pos, end);
    this.pos = end;
    return v;
  }

  string(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    return start === end ? '' : this.nodeBuffer.toString('utf8', start, end);
  }

  /** Length-delimited bytes as lowercase hex (trace and span ids). */
  hex(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    return start === end ? '' : this.nodeBuffer.toString('hex', start, end);
  }

  /** Appends a packed run of fixed64 values (as numbers) to `out`. */
  packedFixed64(out: number[]): void {
    const end = this.delimitedEnd();
    if ((end - this.pos) % 8 !== 0) {
      throw this.fail(`packed fixed64 field at byte ${this.tagPos} is ${end - this.pos} bytes long, not a multiple of 8`);
    }
    while (this.pos < end) out.push(this.fixed64Number());
  }

  /** Appends a packed run of doubles to `out`. */
  packedDouble(out: number[]): void {
    const end = this.delimitedEnd();
    if ((end - this.pos) % 8 !== 0) {
      throw this.fail(`packed double field at byte ${this.tagPos} is ${end - this.pos} bytes long, not a multiple of 8`);
    }
    while (this.pos < end) out.push(this.double());
  }

  /** Appends a packed run of uint64 varints (as numbers) to `out`. */
  packedUint64(out: number[]): void {
    const end = this.delimitedEnd();
    while (this.pos < end) out.push(this.uint64());
    this.exit(end, 'packed varint field');
  }

  /** Skips the value of a field the decoder does not use, whatever its wire type. */
  skip(tag: number): void {
    switch (tag & 7) {
      case VARINT:
        this.uint64();
        return;
      case I64:
        this.need(8, 'fixed64');
        this.pos += 8;
        return;
      case LEN:
        this.pos = this.delimitedEnd();
        return;
      case I32:
        this.need(4, 'fixed32');
        this.pos += 4;
        return;
      case SGROUP:
        this.skipGroup(tag >>> 3, this.tagPos, 1);
        return;
      case EGROUP:
        throw this.fail(`end-group tag for field ${tag >>> 3} at byte ${this.tagPos} has no matching start-group`);
      default:
        throw this.fail(`invalid wire type ${tag & 7} for field ${tag >>> 3} in the tag at byte ${this.tagPos}`);
    }
  }

  /** Closes a sub-message: its last field must end exactly where its length said. */
  exit(end: number, what: string): void {
    if (this.pos !== end) {
      throw this.fail(`${what} ending at byte ${end} has a field running on to byte ${this.pos}`);
    }
  }

  // Groups are deprecated and never used by OTLP, but they are valid wire format,
  // so unknown ones are skipped rather than rejected.
  private skipGroup(field: number, start: number, depth: number): void {
    if (depth > MAX_DEPTH) throw this.fail(`groups nested deeper than ${MAX_DEPTH} levels at byte ${start}`);
    for (;;) {
      if (this.pos >= this.buf.length) throw this.fail(`group for field ${field} opened at byte ${start} is never closed`);
      const tag = this.tag();
      const wireType = tag & 7;
      if (wireType === EGROUP) {
        if (tag >>> 3 !== field) {
          throw this.fail(`group for field ${field} opened at byte ${start} is closed as field ${tag >>> 3} at byte ${this.tagPos}`);
        }
        return;
      }
      if (wireType === SGROUP) this.skipGroup(tag >>> 3, this.tagPos, depth + 1);
      else this.skip(tag);
    }
  }

  private varintLow32(): number {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let result = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw this.truncatedVarint(start);
      const b = buf[pos++]!;
      if (i < 5) result |= (b & 0x7f) << (7 * i);
      if (b < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    throw this.overlongVarint(start);
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) {
      throw this.fail(`truncated ${what} at byte ${this.pos}: needs ${n} bytes, the body ends at byte ${this.buf.length}`);
    }
  }

  private truncatedVarint(start: number): VigilError {
    return this.fail(`truncated varint at byte ${start}: the body ends at byte ${this.buf.length}`);
  }

  private overlongVarint(start: number): VigilError {
    return this.fail(`varint at byte ${start} is longer than 10 bytes`);
  }
}
