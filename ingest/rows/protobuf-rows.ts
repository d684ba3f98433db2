// What the fused OTLP protobuf -> rows paths (traces-, logs- and metrics-protobuf.ts) share:
// the request body and the scratch its items are read into, the Resource*/Scope* envelopes
// (the resource and scope read ahead of their items, serialized once and copied per row),
// attribute lists (collected as byte ranges, sorted by key bytes, written as Map rows),
// AnyValues printed as anyValueToString prints them, id checks, and the rollback of a
// request that turns out malformed. Each signal supplies only the reader and writer of
// its items (see FusedSignal). Everything here is module scratch reused by every call:
// one request is processed at a time (nothing here awaits).

import { Buffer } from 'node:buffer';
import { StringColumn, StringMapColumn } from '../../schemas/native.ts';
import { readAnyValue as readModelAnyValue, readKeyValue as readModelKeyValue, readValues } from '../otlp/protobuf.ts';
import { WireReader } from '../otlp/wire.ts';
import { anyValueToString } from './attributes.ts';
import { Rejections, spanIdProblem, traceIdProblem } from './validate.ts';

interface Envelopes {
  /** Message names, for errors: Export*ServiceRequest, Resource*, Scope*. */
  readonly messages: readonly [string, string, string];
  /** The field names of rejection paths, e.g. resourceSpans, scopeSpans, spans. */
  readonly path: readonly [string, string, string];
}

/** What differs between the signals of one row per item; the envelopes around their items are alike. */
export interface FusedSignal<Columns> extends Envelopes {
  /** Reads the item in [r.pos, end) into the signal's scratch, calling resetAttributes() first. */
  readonly read: (r: WireReader, end: number) => void;
  /** Why the item just read is rejected, or undefined. */
  readonly problem: () => string | undefined;
  /** Writes the item just read as a row. */
  readonly write: (columns: Columns) => void;
}

/**
 * A signal whose items are not rows themselves (metrics: a metric holds the rows): `append`
 * reads the item in [r.pos, end), writes its rows, and adds to `rejected` those it rejects,
 * under itemPath(at) and a suffix.
 */
export interface FusedItems<Columns> extends Envelopes {
  readonly append: (r: WireReader, end: number, columns: Columns, rejected: Rejections, at: ItemAt) => void;
}

/** Where an item is in its request: its rejection path is itemPath(at). */
export interface ItemAt {
  path: readonly [string, string, string];
  ri: number;
  si: number;
  i: number;
}

type AnySignal<Columns> = FusedSignal<Columns> | FusedItems<Columns>;

export function itemPath(at: ItemAt): string {
  return `${at.path[0]}[${at.ri}].${at.path[1]}[${at.si}].${at.path[2]}[${at.i}]`;
}

interface Block<Columns, Marks> {
  readonly columns: Columns;
  mark(): Marks;
  rollback(marks: Marks): void;
}

/** Appends every valid item of the request; returns what was rejected and why. */
export function appendRequestProtobuf<Columns, Marks>(
  bytes: Uint8Array,
  block: Block<Columns, Marks>,
  signal: AnySignal<Columns>,
): Rejections {
  const marks = block.mark();
  try {
    return appendRequest(new WireReader(bytes, signal.messages[0]), block.columns, signal);
  } catch (err) {
    // Rows of the request's earlier items are already in: no block may keep half a request.
    block.rollback(marks);
    throw err;
  } finally {
    setBody(EMPTY); // not to keep the request alive
  }
}

// ---- scratch -------------------------------------------------------------------

/** Rows of `stride` uint32 cells in one growable array. */
export class Table {
  cells: Uint32Array;
  rows = 0;

  constructor(readonly stride: number) {
    this.cells = new Uint32Array(stride * 64);
  }

  /** Adds a zeroed row and returns the index of its first cell; `cells` may be replaced. */
  add(): number {
    const at = this.rows * this.stride;
    if (at + this.stride > this.cells.length) {
      const grown = new Uint32Array(this.cells.length * 2);
      grown.set(this.cells);
      this.cells = grown;
    }
    for (let i = 0; i < this.stride; i++) this.cells[at + i] = 0;
    this.rows++;
    return at;
  }
}

/** Bytes of the attribute values that are not in the body: numbers, bools, base64, JSON. */
class ValueBytes {
  buf = Buffer.alloc(4096);
  view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.alloc(Math.max(this.length + n, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  text(value: string): void {
    this.reserve(value.length * 3);
    this.length += this.buf.write(value, this.length);
  }

  /** A safe integer in decimal, as String(n) prints it, without making the string. */
  integer(n: number): void {
    this.reserve(17);
    const buf = this.buf;
    let v = n < 0 ? -n : n;
    let digits = 1;
    for (let p = 10; p <= v; p *= 10) digits++;
    if (n < 0) buf[this.length++] = 0x2d; // '-'
    let at = this.length + digits;
    this.length = at;
    for (; v >= 2147483648; v = Math.floor(v / 10)) buf[--at] = 0x30 + (v % 10);
    // The rest in int32 arithmetic.
    let u = v | 0;
    do {
      const q = (u / 10) | 0;
      buf[--at] = 0x30 + u - 10 * q;
      u = q;
    } while (u > 0);
  }
}

// A key-value row: the key's byte range in the body, then the value's range, in the body
// or (VALUE_IN_SCRATCH = 1) in `values`, then the key's first 8 bytes as two big-endian
// words (zero-padded), which decide most comparisons when sorting. A zeroed row is an
// empty key with no value ('').
const KEY = 0;
const VALUE_IN_SCRATCH = 2;
export const VALUE = 3;
const KEY_PREFIX = 5;
export const KV_STRIDE = 7;

/** The resource's, the scope's, then each item's own attributes (see resetAttributes). */
export const attributes = new Table(KV_STRIDE);
const values = new ValueBytes();

/** Empties `attributes` and the printed values, for the next item. */
export function resetAttributes(): void {
  attributes.rows = 0;
  values.length = 0;
}

// Name, version and schema URL ranges of the scope, and the resource's schema URL.
const SCOPE_NAME = 0;
const SCOPE_VERSION = 2;
const SCOPE_SCHEMA_URL = 4;
const RESOURCE_SCHEMA_URL = 6;
const envelopeCells = new Uint32Array(8);

/** Values the same for every item of a resource or scope, serialized once and copied per item. */
export const resourceRow = { serviceName: new StringColumn(), schemaUrl: new StringColumn(), attributes: new StringMapColumn() };
export const scopeRow = {
  /** dropped_attributes_count, the last given (metrics store it). */
  droppedAttributesCount: 0,
  name: new StringColumn(),
  version: new StringColumn(),
  schemaUrl: new StringColumn(),
  attributes: new StringMapColumn(),
};

// The request body, as a Buffer for its native hex, base64 and utf8 decoding, and as a
// DataView for the columns to copy strings from.
const EMPTY = new Uint8Array(0);
// Private to this module (reassigned per request); the signals' writers get them once per item.
let body: Buffer = Buffer.alloc(0);
let bodyView = new DataView(body.buffer);

/** The request body being read, for the signals' writers (once per item). */
export function requestBody(): Buffer {
  return body;
}

/** requestBody() as a DataView, for the columns to copy strings from. */
export function requestView(): DataView {
  return bodyView;
}

function setBody(bytes: Uint8Array): void {
  body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  bodyView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---- the envelopes ---------------------------------------------------------------

function appendRequest<Columns>(r: WireReader, c: Columns, signal: AnySignal<Columns>): Rejections {
  setBody(r.buf);
  const rejected = new Rejections();
  let ri = 0;
  while (r.pos < r.buf.length) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) appendResourceItems(r, r.delimitedEnd(), c, signal, rejected, ri++);
    else r.skip(tag);
  }
  return rejected;
}

function appendResourceItems<Columns>(r: WireReader, end: number, c: Columns, signal: AnySignal<Columns>, rejected: Rejections, ri: number): void {
  // The resource may follow its items, or come in parts to merge: read it before any item.
  const start = r.pos;
  resetAttributes();
  envelopeCells[RESOURCE_SCHEMA_URL] = 0;
  envelopeCells[RESOURCE_SCHEMA_URL + 1] = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) readResource(r, r.delimitedEnd());
    else if (tag === ((3 << 3) | 2)) readRange(r, envelopeCells, RESOURCE_SCHEMA_URL);
    else r.skip(tag); // scope items (2) are read below
  }
  r.exit(end, signal.messages[1]);
  writeResourceRow();
  r.pos = start;
  let si = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((2 << 3) | 2)) appendScopeItems(r, r.delimitedEnd(), c, signal, rejected, ri, si++);
    else r.skip(tag);
  }
}

function appendScopeItems<Columns>(
  r: WireReader,
  end: number,
  c: Columns,
  signal: AnySignal<Columns>,
  rejected: Rejections,
  ri: number,
  si: number,
): void {
  // Likewise the scope.
  const start = r.pos;
  resetAttributes();
  envelopeCells.fill(0, SCOPE_NAME, SCOPE_SCHEMA_URL + 2);
  scopeRow.droppedAttributesCount = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) readScope(r, r.delimitedEnd());
    else if (tag === ((3 << 3) | 2)) readRange(r, envelopeCells, SCOPE_SCHEMA_URL);
    else r.skip(tag);
  }
  r.exit(end, signal.messages[2]);
  writeScopeRow();
  r.pos = start;
  if ('append' in signal) {
    const at: ItemAt = { path: signal.path, ri, si, i: 0 };
    while (r.pos < end) {
      const tag = r.tag();
      if (tag !== ((2 << 3) | 2)) r.skip(tag);
      else {
        signal.append(r, r.delimitedEnd(), c, rejected, at);
        at.i++;
      }
    }
    return;
  }
  const { read, problem: problemOf, write } = signal;
  let i = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag !== ((2 << 3) | 2)) {
      r.skip(tag);
      continue;
    }
    read(r, r.delimitedEnd());
    const problem = problemOf();
    if (problem === undefined) write(c);
    else rejected.add(`${signal.path[0]}[${ri}].${signal.path[1]}[${si}].${signal.path[2]}[${i}]`, problem);
    i++;
  }
}

function readResource(r: WireReader, end: number): void {
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) readKeyValue(r, r.delimitedEnd(), attributes);
    else r.skip(tag); // dropped_attributes_count (2), entity_refs (3) are not stored
  }
  r.exit(end, 'Resource');
}

function readScope(r: WireReader, end: number): void {
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readRange(r, envelopeCells, SCOPE_NAME); break;
      case (2 << 3) | 2: readRange(r, envelopeCells, SCOPE_VERSION); break;
      case (3 << 3) | 2: readKeyValue(r, r.delimitedEnd(), attributes); break;
      case (4 << 3) | 0: scopeRow.droppedAttributesCount = r.uint32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'InstrumentationScope');
}

const SERVICE_NAME = Buffer.from('service.name');

function writeResourceRow(): void {
  const { serviceName, schemaUrl, attributes: map } = resourceRow;
  schemaUrl.clear();
  schemaUrl.pushUtf8(bodyView, envelopeCells[RESOURCE_SCHEMA_URL]!, envelopeCells[RESOURCE_SCHEMA_URL + 1]!);
  map.clear();
  const kept = writeAttributes(map, attributes, 0, attributes.rows, envelopeOrder);
  serviceName.clear();
  const cells = attributes.cells;
  for (let i = 0; i < kept; i++) {
    const at = order[i]! * KV_STRIDE;
    if (body.subarray(cells[at + KEY], cells[at + KEY + 1]).equals(SERVICE_NAME)) {
      serviceName.pushUtf8(valueSource(cells, at), cells[at + VALUE]!, cells[at + VALUE + 1]!);
      return;
    }
  }
  serviceName.push('');
}

function writeScopeRow(): void {
  const { name, version, schemaUrl, attributes: map } = scopeRow;
  name.clear();
  name.pushUtf8(bodyView, envelopeCells[SCOPE_NAME]!, envelopeCells[SCOPE_NAME + 1]!);
  version.clear();
  version.pushUtf8(bodyView, envelopeCells[SCOPE_VERSION]!, envelopeCells[SCOPE_VERSION + 1]!);
  schemaUrl.clear();
  schemaUrl.pushUtf8(bodyView, envelopeCells[SCOPE_SCHEMA_URL]!, envelopeCells[SCOPE_SCHEMA_URL + 1]!);
  map.clear();
  writeAttributes(map, attributes, 0, attributes.rows, envelopeOrder);
}

// ---- ids -------------------------------------------------------------------------

/** Why the bytes at cells[at], cells[at + 1] are no trace id (appendTraces' words), or undefined. */
export function traceIdProblemAt(cells: Uint32Array, at: number): string | undefined {
  return isId(cells, at, 16) ? undefined : traceIdProblem(hexOf(cells, at));
}

/** Why the bytes at cells[at], cells[at + 1] are no span id (`what`, by default 'span id'), or undefined. */
export function spanIdProblemAt(cells: Uint32Array, at: number, what?: string): string | undefined {
  return isId(cells, at, 8) ? undefined : spanIdProblem(hexOf(cells, at), what);
}

/** Whether the range at cells[at] is `size` bytes, not all zero. */
function isId(cells: Uint32Array, at: number, size: number): boolean {
  const start = cells[at]!;
  const end = cells[at + 1]!;
  if (end - start !== size) return false;
  for (let i = start; i < end; i++) if (body[i] !== 0) return true;
  return false;
}

function hexOf(cells: Uint32Array, at: number): string {
  return body.toString('hex', cells[at], cells[at + 1]);
}

// ---- fields ----------------------------------------------------------------------

/** A length-delimited field as its byte range in the body: cells[at] = start, cells[at + 1] = end. */
export function readRange(r: WireReader, cells: Uint32Array, at: number): void {
  const end = r.delimitedEnd();
  cells[at] = r.pos;
  cells[at + 1] = end;
  r.pos = end;
}

/** A fixed64 as its low and high halves in cells[at], cells[at + 1]: no BigInt. */
export function readFixed64(r: WireReader, cells: Uint32Array, at: number): void {
  const buf = r.buf;
  const p = r.pos;
  if (p + 8 > buf.length) {
    r.fixed64(); // throws the reader's error for a truncated fixed64
    return;
  }
  cells[at] = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
  cells[at + 1] = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
  r.pos = p + 8;
}

// ---- attributes ------------------------------------------------------------------

export function readKeyValue(r: WireReader, end: number, table: Table): void {
  const at = table.add();
  const cells = table.cells;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) readRange(r, cells, at + KEY);
    else if (tag === ((2 << 3) | 2)) readAnyValue(r, r.delimitedEnd(), cells, at);
    else r.skip(tag);
  }
  r.exit(end, 'KeyValue');
  const start = cells[at + KEY]!;
  const n = cells[at + KEY + 1]! - start;
  if (n >= 8) {
    cells[at + KEY_PREFIX] = bodyView.getUint32(start);
    cells[at + KEY_PREFIX + 1] = bodyView.getUint32(start + 4);
    return;
  }
  const buf = r.buf;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < n; i++) {
    if (i < 4) hi |= buf[start + i]! << (24 - 8 * i);
    else lo |= buf[start + i]! << (56 - 8 * i);
  }
  cells[at + KEY_PREFIX] = hi;
  cells[at + KEY_PREFIX + 1] = lo;
}

/**
 * An AnyValue as the bytes anyValueToString prints for it: a string value's range in the
 * body, or the printed value in `values`. The last value field wins, as in the decoder.
 */
export function readAnyValue(r: WireReader, end: number, cells: Uint32Array, at: number): void {
  cells[at + VALUE_IN_SCRATCH] = 0;
  cells[at + VALUE] = 0;
  cells[at + VALUE + 1] = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2:
        cells[at + VALUE_IN_SCRATCH] = 0;
        readRange(r, cells, at + VALUE);
        break;
      case (2 << 3) | 0: valueText(cells, at, r.bool() ? 'true' : 'false'); break;
      case (3 << 3) | 0: readInt64(r, cells, at); break;
      case (4 << 3) | 1: valueText(cells, at, String(r.double())); break;
      case (5 << 3) | 2:
        valueText(cells, at, anyValueToString(readValues(r, r.delimitedEnd(), 'ArrayValue', readModelAnyValue, 1)));
        break;
      case (6 << 3) | 2:
        valueText(cells, at, anyValueToString({ kvlist: readValues(r, r.delimitedEnd(), 'KeyValueList', readModelKeyValue, 1) }));
        break;
      case (7 << 3) | 2: {
        const bytesEnd = r.delimitedEnd();
        valueText(cells, at, body.toString('base64', r.pos, bytesEnd));
        r.pos = bytesEnd;
        break;
      }
      default: r.skip(tag);
    }
  }
  r.exit(end, 'AnyValue');
}

function valueText(cells: Uint32Array, at: number, text: string): void {
  cells[at + VALUE_IN_SCRATCH] = 1;
  cells[at + VALUE] = values.length;
  values.text(text);
  cells[at + VALUE + 1] = values.length;
}

/** An int64 varint read as WireReader.int64 reads it, but with a BigInt only beyond 2^53. */
function readInt64(r: WireReader, cells: Uint32Array, at: number): void {
  r.varint64();
  const { lo, hi } = r;
  cells[at + VALUE_IN_SCRATCH] = 1;
  cells[at + VALUE] = values.length;
  // hi is signed: within ±2^21 the value is a safe integer.
  if (hi >= -0x200000 && hi < 0x200000) values.integer(hi * 4294967296 + (lo >>> 0));
  else values.text(BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString());
  cells[at + VALUE + 1] = values.length;
}

export function valueSource(cells: Uint32Array, at: number): DataView {
  return cells[at + VALUE_IN_SCRATCH] === 1 ? values.view : bodyView;
}

// Row numbers of one attribute list in key order, repeated keys dropped (see sortAttributes).
let order = new Int32Array(64);

/**
 * The key order of the last list sorted at one place (span, event, link, log attributes), as
 * offsets from its first row; length -1 when there is none to try. Spans of one request
 * mostly list the same keys in the same order, so this order is tried first.
 */
export class LastOrder {
  offsets = new Int32Array(64);
  length = -1;
}

const envelopeOrder = new LastOrder();

/**
 * Rows [from, to) of `table` as one Map value: sorted by key, the last of equal keys kept.
 * Returns how many were kept; `order` lists them.
 */
export function writeAttributes(map: StringMapColumn, table: Table, from: number, to: number, last: LastOrder): number {
  const kept = sortAttributes(table, from, to, last);
  const cells = table.cells;
  const keys = bodyView;
  for (let i = 0; i < kept; i++) {
    const at = order[i]! * KV_STRIDE;
    map.pushEntryUtf8(keys, cells[at + KEY]!, cells[at + KEY + 1]!, valueSource(cells, at), cells[at + VALUE]!, cells[at + VALUE + 1]!);
  }
  map.endRow();
  return kept;
}

/**
 * Puts rows [from, to) of `table` into `order` as attributeEntries orders entries: a stable
 * sort by key keeping the last of equal keys. Returns how many are kept. Keys compare as
 * bytes, which is JS string order as long as the deciding byte is ASCII; otherwise, and for
 * long lists, the keys are decoded and sorted as strings.
 */
function sortAttributes(table: Table, from: number, to: number, last: LastOrder): number {
  const n = to - from;
  if (n > 32) return sortByStrings(table, from, to);
  if (order.length < n) order = new Int32Array(64 + n);
  const cells = table.cells;
  // Strictly increasing keys in the last list's order: that is the (only) sorted order.
  if (n === last.length) {
    let i = 0;
    for (; i < n; i++) order[i] = from + last.offsets[i]!;
    for (i = 1; i < n; i++) if (compareKeys(cells, order[i - 1]!, order[i]!) !== -1) break;
    if (i >= n) return n;
  }
  const kept = insertionSort(cells, from, n);
  if (kept < 0) return sortByStrings(table, from, to);
  // Remembered only without repeated keys, for which the check above is enough.
  last.length = -1;
  if (kept === n) {
    if (last.offsets.length < n) last.offsets = new Int32Array(64 + n);
    for (let i = 0; i < n; i++) last.offsets[i] = order[i]! - from;
    last.length = n;
  }
  return kept;
}

/** Stable insertion sort of n rows from `from` into `order`, then the last of equal keys kept; -1 when UNSURE. */
function insertionSort(cells: Uint32Array, from: number, n: number): number {
  for (let i = 0; i < n; i++) {
    const row = from + i;
    let j = i - 1;
    for (; j >= 0; j--) {
      const c = compareKeys(cells, order[j]!, row);
      if (c === UNSURE) return -1;
      if (c <= 0) break;
      order[j + 1] = order[j]!;
    }
    order[j + 1] = row;
  }
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (i + 1 < n) {
      const c = compareKeys(cells, order[i]!, order[i + 1]!);
      if (c === UNSURE) return -1;
      if (c === 0) continue;
    }
    order[kept++] = order[i]!;
  }
  return kept;
}

const UNSURE = 2;

/**
 * -1, 0 or 1 as the keys of rows a and b compare as bytes, or UNSURE when a non-ASCII
 * byte decides: UTF-8 byte order is not UTF-16 order for every character, and invalid
 * sequences decode to U+FFFD, so different bytes may even be equal strings.
 */
function compareKeys(cells: Uint32Array, a: number, b: number): number {
  const aPrefix = cells[a * KV_STRIDE + KEY_PREFIX]!;
  const bPrefix = cells[b * KV_STRIDE + KEY_PREFIX]!;
  if (aPrefix !== bPrefix) return comparePrefixes(aPrefix, bPrefix);
  const aPrefix2 = cells[a * KV_STRIDE + KEY_PREFIX + 1]!;
  const bPrefix2 = cells[b * KV_STRIDE + KEY_PREFIX + 1]!;
  if (aPrefix2 !== bPrefix2) return comparePrefixes(aPrefix2, bPrefix2);
  const buf = body;
  const aStart = cells[a * KV_STRIDE + KEY]!;
  const aLength = cells[a * KV_STRIDE + KEY + 1]! - aStart;
  const bStart = cells[b * KV_STRIDE + KEY]!;
  const bLength = cells[b * KV_STRIDE + KEY + 1]! - bStart;
  const n = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < n; i++) {
    const x = buf[aStart + i]!;
    const y = buf[bStart + i]!;
    if (x !== y) return (x | y) >= 0x80 ? UNSURE : x < y ? -1 : 1;
  }
  if (aLength === bLength) return 0;
  // One is a prefix of the other: the byte after it decides (ASCII: it is a whole character).
  const next = aLength < bLength ? buf[bStart + n]! : buf[aStart + n]!;
  return next >= 0x80 ? UNSURE : aLength < bLength ? -1 : 1;
}

/** Compares two different prefix words the way compareKeys compares bytes; padding is 0. */
function comparePrefixes(a: number, b: number): number {
  // The first differing byte, aligned to the top: a padding 0 is the end of a shorter key.
  const shift = Math.clz32(a ^ b) & ~7;
  const x = ((a << shift) >>> 24) & 0xff;
  const y = ((b << shift) >>> 24) & 0xff;
  return (x | y) >= 0x80 ? UNSURE : x < y ? -1 : 1;
}

function sortByStrings(table: Table, from: number, to: number): number {
  const cells = table.cells;
  const keys: string[] = [];
  const rows: number[] = [];
  for (let row = from; row < to; row++) {
    const at = row * KV_STRIDE;
    keys.push(body.toString('utf8', cells[at + KEY], cells[at + KEY + 1]));
    rows.push(row);
  }
  const key = (row: number) => keys[row - from]!;
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (order.length < rows.length) order = new Int32Array(64 + rows.length);
  let kept = 0;
  for (let i = 0; i < rows.length; i++) {
    if (i + 1 < rows.length && key(rows[i + 1]!) === key(rows[i]!)) continue;
    order[kept++] = rows[i]!;
  }
  return kept;
}
