// ClickHouse's Native format, written column by column. It is the engine's own
// columnar layout, so inserting it costs parsing almost nothing (see
// reference/clickhouse-schema.md: 2.3M span rows/s against 0.3M for TSV).
//
// Block layout: varint column count, varint row count, then per column its name,
// its type name and its data. String: varint length + bytes per row. Fixed-width
// numbers: little-endian. Array(T): UInt64 cumulative end offsets, then T's data
// for all elements. Map(K, V): stored as Array(Tuple(K, V)): offsets, keys, values.
// LowCardinality(String) columns are written as plain String: the engine converts.

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

  bytes(view: ArrayBufferView): void {
    this.ensure(view.byteLength);
    this.buf.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), this.length);
    this.length += view.byteLength;
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
  write(out: ByteWriter): void;
  clear(): void;
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

  write(out: ByteWriter): void {
    out.bytes(this.data.result());
  }

  clear(): void {
    this.data.length = 0;
    this.length = 0;
  }
}

type TypedArray = Uint8Array | Uint32Array | Int32Array | Float64Array | BigInt64Array | BigUint64Array;
type TypedArrayConstructor<A extends TypedArray> = { new (length: number): A; readonly BYTES_PER_ELEMENT: number };

/** Fixed-width values kept in a growable typed array that is written as is. */
class FixedColumn<A extends TypedArray> implements NativeColumn {
  protected data: A;
  length = 0;

  constructor(
    readonly type: string,
    private readonly ctor: TypedArrayConstructor<A>,
  ) {
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

  write(out: ByteWriter): void {
    out.bytes(this.data.subarray(0, this.length));
  }

  clear(): void {
    this.length = 0;
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
}

/** The UInt64 end offsets of Array and Map columns, kept as 32-bit numbers until written. */
class OffsetsColumn extends FixedColumn<Uint32Array> {
  constructor() {
    super('UInt64', Uint32Array);
  }

  override get byteSize(): number {
    return this.length * 8;
  }

  push(offset: number): void {
    const i = this.slot();
    this.data[i] = offset;
  }

  override write(out: ByteWriter): void {
    const wide = new BigUint64Array(this.length);
    for (let i = 0; i < this.length; i++) wide[i] = BigInt(this.data[i]!);
    out.bytes(wide);
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

  write(out: ByteWriter): void {
    this.offsets.write(out);
    this.inner.write(out);
  }

  clear(): void {
    this.offsets.clear();
    this.inner.clear();
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

  write(out: ByteWriter): void {
    this.offsets.write(out);
    this.keys.write(out);
    this.values.write(out);
  }

  clear(): void {
    this.offsets.clear();
    this.keys.clear();
    this.values.clear();
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

  encode(): Buffer {
    const rows = this.rows;
    const out = new ByteWriter(Math.max(1024, Math.ceil(this.byteSize * 1.2)));
    out.varint(this.names.length);
    out.varint(rows);
    for (const name of this.names) {
      const column = this.columns[name as keyof Cols]!;
      if (column.length !== rows) throw new Error(`column ${name} has ${column.length} values, expected ${rows}`);
      out.string(name);
      out.string(column.type);
      column.write(out);
    }
    return out.result();
  }

  clear(): void {
    for (const name of this.names) this.columns[name as keyof Cols]!.clear();
  }
}
