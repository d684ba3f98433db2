// ClickHouse's Native format, written column by column. It is the engine's own
// columnar layout, so inserting it costs parsing almost nothing (see
// reference/clickhouse-schema.md: 2.3M span rows/s against 0.3M for TSV).
//
// Block layout: varint column count, varint row count, then per column its name,
// its type name and its data. String: varint length + bytes per row. Fixed-width
// numbers: little-endian. Array(T): UInt64 cumulative end offsets, then T's data
// for all elements. Map(K, V): stored as Array(Tuple(K, V)): offsets, keys, values.
// LowCardinality(String) columns are written as plain String: the engine converts.
// Every column keeps its data in that layout as it is filled, so a block is handed over as
// views of the columns' own buffers (chunks()), written out without a copy into one buffer.

import { isUtf8 } from 'node:buffer';

// The two lowercase hex digits of each byte value as one little-endian 16-bit word, for ids.
const HEX_PAIRS = new Uint16Array(256);
for (let b = 0; b < 256; b++) {
  const digits = b.toString(16).padStart(2, '0');
  HEX_PAIRS[b] = digits.charCodeAt(0) | (digits.charCodeAt(1) << 8);
}

/**
 * Copies n bytes 4 at a time (DataView access compiles to plain unaligned loads and
 * stores); returns the OR of all bytes, whose 0x80 bits say whether any was non-ASCII.
 */
function copyWords(src: DataView, from: number, dst: DataView, to: number, n: number): number {
  let high = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w = src.getInt32(from + i, true);
    dst.setInt32(to + i, w, true);
    high |= w;
  }
  for (; i < n; i++) {
    const b = src.getUint8(from + i);
    dst.setUint8(to + i, b);
    high |= b;
  }
  return high;
}

/** A growable little-endian byte buffer. */
export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }

  varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.length++] = v;
  }

  string(value: string): void {
    const n = value.length;
    // A UTF-16 code unit takes at most 3 UTF-8 bytes.
    this.ensure(10 + n * 3);
    if (n < 128) {
      // Short ASCII (most names, keys and values) is copied by hand: cheaper than a native call.
      const buf = this.buf;
      const start = this.length + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) break;
        buf[start + i] = c;
      }
      if (i === n) {
        buf[this.length] = n;
        this.length = start + n;
        return;
      }
    }
    this.varint(Buffer.byteLength(value));
    this.length += this.buf.write(value, this.length, 'utf8');
  }

  /** A string given as UTF-8 bytes (e.g. straight from a protobuf message). */
  stringBytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(10 + n);
    this.varint(n);
    this.buf.set(src.subarray(start, end), this.length);
    this.length += n;
  }

  // A DataView of buf for copyWords, remade when buf grows (comparing is cheaper than .buffer).
  private view: DataView | undefined;
  private viewOf: Buffer | undefined;

  private dataView(): DataView {
    let view = this.view;
    if (view === undefined || this.viewOf !== this.buf) {
      view = this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      this.viewOf = this.buf;
    }
    return view;
  }

  /**
   * A string given as UTF-8 bytes from an untrusted message. Valid UTF-8 is copied as is;
   * anything else is written as string() writes its decoding (bad sequences become U+FFFD),
   * so the result is always what decoding the message to JS strings would have written.
   */
  utf8(src: DataView, start: number, end: number): void {
    const n = end - start;
    const length = this.length;
    // The checks of ensure() and varint() inlined for the common case: hot path.
    if (length + 10 + n > this.buf.length) this.ensure(10 + n);
    if (n < 0x80) this.buf[this.length++] = n;
    else this.varint(n);
    const at = this.length;
    const high = copyWords(src, start, this.dataView(), at, n);
    this.length = at + n;
    if ((high & 0x80808080) === 0 || isUtf8(this.buf.subarray(at, at + n))) return;
    this.length = length;
    this.string(Buffer.from(src.buffer, src.byteOffset, src.byteLength).toString('utf8', start, end));
  }

  /** Bytes written as a string of lowercase hex (trace and span ids). */
  hex(src: Uint8Array, start: number, end: number): void {
    const n = 2 * (end - start);
    if (this.length + 10 + n > this.buf.length) this.ensure(10 + n);
    if (n < 0x80) this.buf[this.length++] = n;
    else this.varint(n);
    const view = this.dataView();
    let at = this.length;
    for (let i = start; i < end; i++, at += 2) view.setUint16(at, HEX_PAIRS[src[i]!]!, true);
    this.length = at;
  }

  /** Appends everything `other` holds. */
  append(other: ByteWriter): void {
    const n = other.length;
    if (n === 0) return;
    if (this.length + n > this.buf.length) this.ensure(n);
    // Buffer#copy costs a view and a native call: cheaper only for long runs.
    if (n < 256) copyWords(other.dataView(), 0, this.dataView(), this.length, n);
    else other.buf.copy(this.buf, this.length, 0, n);
    this.length += n;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

export interface NativeColumn {
  /** The ClickHouse type name written into the block. */
  readonly type: string;
  /** Number of values (rows for a top-level column, elements for a nested one). */
  readonly length: number;
  /** Rough number of bytes the column will take in a block; drives flush-by-size. */
  readonly byteSize: number;
  /** Appends views of the column's data, in block order, to `out`: valid until the column changes. */
  chunks(out: Uint8Array[]): void;
  clear(): void;
  /** Appends to `marks` what rollback() needs to return the column to its current size. */
  mark(marks: number[]): void;
  /** Returns the column to the size mark() saved at marks[at]; returns the index after those marks. */
  rollback(marks: readonly number[], at: number): number;
}

/** Strings, serialized as they are pushed: encoding a block is then a copy. */
export class StringColumn implements NativeColumn {
  readonly type = 'String';
  private readonly data = new ByteWriter(16 * 1024);
  length = 0;

  get byteSize(): number {
    return this.data.length;
  }

  push(value: string): void {
    this.data.string(value);
    this.length++;
  }

  pushBytes(src: Uint8Array, start: number, end: number): void {
    this.data.stringBytes(src, start, end);
    this.length++;
  }

  /** UTF-8 bytes from an untrusted message: the value push() of their decoding would write (see ByteWriter.utf8). */
  pushUtf8(src: DataView, start: number, end: number): void {
    this.data.utf8(src, start, end);
    this.length++;
  }

  /** Bytes as lowercase hex (ids). */
  pushHex(src: Uint8Array, start: number, end: number): void {
    this.data.hex(src, start, end);
    this.length++;
  }

  /** Appends every value of `other` (e.g. one value serialized once, then copied into many rows). */
  pushAll(other: StringColumn): void {
    this.data.append(other.data);
    this.length += other.length;
  }

  chunks(out: Uint8Array[]): void {
    out.push(this.data.result());
  }

  clear(): void {
    this.data.length = 0;
    this.length = 0;
  }

  mark(marks: number[]): void {
    marks.push(this.length, this.data.length);
  }

  rollback(marks: readonly number[], at: number): number {
    this.length = marks[at]!;
    this.data.length = marks[at + 1]!;
    return at + 2;
  }
}

type TypedArray = Uint8Array | Uint32Array | Int32Array | Float64Array | BigInt64Array | BigUint64Array;
type TypedArrayConstructor<A extends TypedArray> = { new (length: number): A; readonly BYTES_PER_ELEMENT: number };

/** A column whose rows are its first `length` values: cleared, marked and rolled back by that count. */
abstract class CountedColumn {
  length = 0;

  clear(): void {
    this.length = 0;
  }

  mark(marks: number[]): void {
    marks.push(this.length);
  }

  rollback(marks: readonly number[], at: number): number {
    this.length = marks[at]!;
    return at + 1;
  }
}

/** Fixed-width values kept in a growable typed array that is written as is. */
class FixedColumn<A extends TypedArray> extends CountedColumn implements NativeColumn {
  protected data: A;

  constructor(
    readonly type: string,
    private readonly ctor: TypedArrayConstructor<A>,
  ) {
    super();
    this.data = new ctor(1024);
  }

  get byteSize(): number {
    return this.length * this.ctor.BYTES_PER_ELEMENT;
  }

  protected slot(): number {
    if (this.length === this.data.length) {
      const grown = new this.ctor(this.data.length * 2);
      grown.set(this.data as never);
      this.data = grown;
    }
    return this.length++;
  }

  chunks(out: Uint8Array[]): void {
    out.push(new Uint8Array(this.data.buffer, this.data.byteOffset, this.length * this.ctor.BYTES_PER_ELEMENT));
  }

  // 64-bit columns as 32-bit words, for values given as two halves (no BigInt made);
  // remade when data is (comparing the arrays is cheaper than their .buffer).
  private words: Uint32Array | undefined;
  private wordsOf: A | undefined;

  /** Sets 64-bit value `i` from its halves, little-endian like chunks(). */
  protected setWords(i: number, lo: number, hi: number): void {
    let words = this.words;
    if (words === undefined || this.wordsOf !== this.data) {
      words = this.words = new Uint32Array(this.data.buffer);
      this.wordsOf = this.data;
    }
    words[2 * i] = lo;
    words[2 * i + 1] = hi;
  }
}

export class NumberColumn extends FixedColumn<Uint8Array | Uint32Array | Int32Array | Float64Array> {
  push(value: number): void {
    const i = this.slot(); // before indexing: slot() may replace this.data
    this.data[i] = value;
  }
}

export const uint8Column = (): NumberColumn => new NumberColumn('UInt8', Uint8Array);
export const boolColumn = (): NumberColumn => new NumberColumn('Bool', Uint8Array);
export const uint32Column = (): NumberColumn => new NumberColumn('UInt32', Uint32Array);
export const int32Column = (): NumberColumn => new NumberColumn('Int32', Int32Array);
export const float64Column = (): NumberColumn => new NumberColumn('Float64', Float64Array);

/** UInt64 from a JS number (counts) or a bigint (nanosecond durations). */
export class UInt64Column extends FixedColumn<BigUint64Array> {
  constructor() {
    super('UInt64', BigUint64Array);
  }

  push(value: number | bigint): void {
    const i = this.slot();
    this.data[i] = typeof value === 'bigint' ? BigInt.asUintN(64, value) : BigInt(Math.max(0, Math.trunc(value)));
  }

  /** push() of the value whose low and high 32 bits are `lo` and `hi` (unsigned). */
  pushWords(lo: number, hi: number): void {
    this.setWords(this.slot(), lo, hi);
  }
}

/** DateTime64(9): signed nanoseconds since the epoch, UTC. */
export class DateTime64Column extends FixedColumn<BigInt64Array> {
  constructor() {
    super('DateTime64(9)', BigInt64Array);
  }

  push(nanos: bigint): void {
    const i = this.slot();
    this.data[i] = BigInt.asIntN(64, nanos);
  }

  /** push() of the nanoseconds whose low and high 32 bits are `lo` and `hi` (unsigned). */
  pushWords(lo: number, hi: number): void {
    this.setWords(this.slot(), lo, hi);
  }
}

/**
 * The UInt64 end offsets of Array and Map columns, pushed as numbers and kept as the UInt64
 * they are written as: the low 32-bit word set, the high one left zero (typed arrays are
 * little-endian wherever this runs, as the fixed-width columns above also assume).
 */
class OffsetsColumn extends CountedColumn implements NativeColumn {
  readonly type = 'UInt64';
  private words = new Uint32Array(2 * 1024);

  get byteSize(): number {
    return this.length * 8;
  }

  push(offset: number): void {
    if (2 * this.length === this.words.length) {
      const grown = new Uint32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    this.words[2 * this.length++] = offset;
  }

  at(i: number): number {
    return this.words[2 * i]!;
  }

  chunks(out: Uint8Array[]): void {
    out.push(new Uint8Array(this.words.buffer, 0, this.length * 8));
  }
}

/** Array(T): end offsets per row over an inner column holding every element. */
export class ArrayColumn<C extends NativeColumn> implements NativeColumn {
  readonly type: string;
  private readonly offsets = new OffsetsColumn();

  constructor(readonly inner: C) {
    this.type = `Array(${inner.type})`;
  }

  get length(): number {
    return this.offsets.length;
  }

  get byteSize(): number {
    return this.offsets.byteSize + this.inner.byteSize;
  }

  /** Closes the current row after its elements were pushed into `inner`. */
  endRow(): void {
    this.offsets.push(this.inner.length);
  }

  chunks(out: Uint8Array[]): void {
    this.offsets.chunks(out);
    this.inner.chunks(out);
  }

  clear(): void {
    this.offsets.clear();
    this.inner.clear();
  }

  mark(marks: number[]): void {
    this.offsets.mark(marks);
    this.inner.mark(marks);
  }

  rollback(marks: readonly number[], at: number): number {
    return this.inner.rollback(marks, this.offsets.rollback(marks, at));
  }
}

/** Map(String, String). Callers push entries already sorted by key (see rows/attributes.ts). */
export class StringMapColumn implements NativeColumn {
  readonly type = 'Map(String, String)';
  private readonly offsets = new OffsetsColumn();
  private readonly keys = new StringColumn();
  private readonly values = new StringColumn();

  get length(): number {
    return this.offsets.length;
  }

  get byteSize(): number {
    return this.offsets.byteSize + this.keys.byteSize + this.values.byteSize;
  }

  push(entries: ReadonlyArray<readonly [string, string]>): void {
    for (const [k, v] of entries) {
      this.keys.push(k);
      this.values.push(v);
    }
    this.offsets.push(this.keys.length);
  }

  /**
   * One entry of the current row, key and value as UTF-8 bytes from an untrusted message
   * (see ByteWriter.utf8); endRow() closes the row. Entries come sorted, as for push().
   */
  pushEntryUtf8(keySrc: DataView, keyStart: number, keyEnd: number, valueSrc: DataView, valueStart: number, valueEnd: number): void {
    this.keys.pushUtf8(keySrc, keyStart, keyEnd);
    this.values.pushUtf8(valueSrc, valueStart, valueEnd);
  }

  endRow(): void {
    this.offsets.push(this.keys.length);
  }

  /** Appends every row of `other` (e.g. a resource's attributes, serialized once for all its spans). */
  pushAll(other: StringMapColumn): void {
    const base = this.keys.length;
    for (let i = 0; i < other.length; i++) this.offsets.push(base + other.offsets.at(i));
    this.keys.pushAll(other.keys);
    this.values.pushAll(other.values);
  }

  chunks(out: Uint8Array[]): void {
    this.offsets.chunks(out);
    this.keys.chunks(out);
    this.values.chunks(out);
  }

  clear(): void {
    this.offsets.clear();
    this.keys.clear();
    this.values.clear();
  }

  mark(marks: number[]): void {
    this.offsets.mark(marks);
    this.keys.mark(marks);
    this.values.mark(marks);
  }

  rollback(marks: readonly number[], at: number): number {
    return this.values.rollback(marks, this.keys.rollback(marks, this.offsets.rollback(marks, at)));
  }
}

/** A table's worth of named columns filled row by row and encoded as one block. */
export class NativeBlock<Cols extends Record<string, NativeColumn>> {
  readonly names: readonly string[];

  constructor(readonly columns: Cols) {
    this.names = Object.keys(columns);
  }

  get rows(): number {
    const first = this.columns[this.names[0] as keyof Cols];
    return first ? first.length : 0;
  }

  get byteSize(): number {
    let size = 0;
    for (const name of this.names) size += this.columns[name as keyof Cols]!.byteSize;
    return size;
  }

  /**
   * The block in Native format as a list of byte ranges, in order: the headers, then views of
   * the columns' own buffers (no copy). Valid until the block changes.
   */
  chunks(): Uint8Array[] {
    const rows = this.rows;
    const header = new ByteWriter(32);
    header.varint(this.names.length);
    header.varint(rows);
    const out = [header.result()];
    for (const name of this.names) {
      const column = this.columns[name as keyof Cols]!;
      if (column.length !== rows) throw new Error(`column ${name} has ${column.length} values, expected ${rows}`);
      const head = new ByteWriter(64);
      head.string(name);
      head.string(column.type);
      out.push(head.result());
      column.chunks(out);
    }
    return out;
  }

  /** chunks() as one buffer. */
  encode(): Buffer {
    return Buffer.concat(this.chunks());
  }

  clear(): void {
    for (const name of this.names) this.columns[name as keyof Cols]!.clear();
  }

  /** The block's current size, for rollback() when an append fails half-way. */
  mark(): number[] {
    const marks: number[] = [];
    for (const name of this.names) this.columns[name as keyof Cols]!.mark(marks);
    return marks;
  }

  /** Drops everything appended since mark() returned `marks`. */
  rollback(marks: readonly number[]): void {
    let at = 0;
    for (const name of this.names) at = this.columns[name as keyof Cols]!.rollback(marks, at);
  }
}
