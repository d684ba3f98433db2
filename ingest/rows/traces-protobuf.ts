// ExportTraceServiceRequest protobuf -> otel_traces rows in one pass: decodeTraceRequest
// (otlp/protobuf.ts) and appendTraces (rows/traces.ts) fused, writing exactly the bytes
// those two write (test/traces-protobuf.test.ts compares them byte for byte), but without
// an object per span or attribute. Strings are copied from the body as UTF-8 bytes, ids
// are written as hex, timestamps as 32-bit halves. Each span is first read into reusable
// scratch (byte ranges into the body), then checked, and only then written, so a rejected
// span writes nothing; a malformed body throws and leaves the block as it was.

import { Buffer } from 'node:buffer';
import { StringColumn, StringMapColumn } from '../../schemas/native.ts';
import { readAnyValue as readModelAnyValue, readKeyValue as readModelKeyValue, readValues } from '../otlp/protobuf.ts';
import { WireReader } from '../otlp/wire.ts';
import { anyValueToString } from './attributes.ts';
import { spanKindName, statusCodeName, type TracesBlock } from './traces.ts';
import { Rejections, spanIdProblem, traceIdProblem } from './validate.ts';

type Columns = TracesBlock['columns'];

/** Appends every valid span of the request; returns what was rejected and why. */
export function appendTraceRequestProtobuf(bytes: Uint8Array, block: TracesBlock): Rejections {
  const marks = block.mark();
  try {
    return appendRequest(new WireReader(bytes, 'ExportTraceServiceRequest'), block.columns);
  } catch (err) {
    // Rows of the request's earlier spans are already in: the block must not keep half a request.
    block.rollback(marks);
    throw err;
  } finally {
    setBody(EMPTY); // not to keep the request alive
  }
}

// ---- scratch -------------------------------------------------------------------
// Reused by every call: one request is processed at a time (nothing here awaits).

/** Rows of `stride` uint32 cells in one growable array. */
class Table {
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
const VALUE = 3;
const KEY_PREFIX = 5;
const KV_STRIDE = 7;

// An event row: time as two halves, name range, and its attributes' rows in `nested`.
const EVENT_TIME = 0;
const EVENT_NAME = 2;
const EVENT_ATTRIBUTES = 4; // [from, to)
const EVENT_STRIDE = 6;

// A link row: the ranges of its trace id, span id and trace state, and its attributes' rows.
const LINK_TRACE_ID = 0;
const LINK_SPAN_ID = 2;
const LINK_TRACE_STATE = 4;
const LINK_ATTRIBUTES = 6;
const LINK_STRIDE = 8;

// The span's byte ranges [start, end) and timestamps (low and high halves).
const TRACE_ID = 0;
const SPAN_ID = 2;
const PARENT_SPAN_ID = 4;
const TRACE_STATE = 6;
const NAME = 8;
const STATUS_MESSAGE = 10;
const START_TIME = 12;
const END_TIME = 14;
const spanCells = new Uint32Array(16);
const span = { kind: 0, statusCode: 0, flags: 0, droppedAttributes: 0, droppedEvents: 0, droppedLinks: 0 };

// The resource's, the scope's or the span's own attributes (in that order: the first two
// are serialized before the spans are read), and those of the span's events and links
// (each event's and link's are contiguous rows, even when they interleave with the span's).
const attributes = new Table(KV_STRIDE);
const nested = new Table(KV_STRIDE);
const events = new Table(EVENT_STRIDE);
const links = new Table(LINK_STRIDE);
const values = new ValueBytes();

// Name and version ranges of the scope.
const SCOPE_NAME = 0;
const SCOPE_VERSION = 2;
const scopeCells = new Uint32Array(4);

// Values the same for every span of a resource or scope, serialized once and copied per span.
const resourceRow = { serviceName: new StringColumn(), attributes: new StringMapColumn() };
const scopeRow = { name: new StringColumn(), version: new StringColumn(), attributes: new StringMapColumn() };

// The request body, as a Buffer for its native hex, base64 and utf8 decoding, and as a
// DataView for the columns to copy strings from.
const EMPTY = new Uint8Array(0);
let body: Buffer = Buffer.alloc(0);
let bodyView = new DataView(body.buffer);

function setBody(bytes: Uint8Array): void {
  body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  bodyView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function resetAttributes(): void {
  attributes.rows = 0;
  values.length = 0;
}

// ---- the envelopes ---------------------------------------------------------------

function appendRequest(r: WireReader, c: Columns): Rejections {
  setBody(r.buf);
  const rejected = new Rejections();
  let ri = 0;
  while (r.pos < r.buf.length) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) appendResourceSpans(r, r.delimitedEnd(), c, rejected, ri++);
    else r.skip(tag);
  }
  return rejected;
}

function appendResourceSpans(r: WireReader, end: number, c: Columns, rejected: Rejections, ri: number): void {
  // The resource may follow its spans, or come in parts to merge: read it before any span.
  const start = r.pos;
  resetAttributes();
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) readResource(r, r.delimitedEnd());
    else r.skip(tag); // scope_spans (2) are read below, schema_url (3) is not stored
  }
  r.exit(end, 'ResourceSpans');
  writeResourceRow();
  r.pos = start;
  let si = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((2 << 3) | 2)) appendScopeSpans(r, r.delimitedEnd(), c, rejected, ri, si++);
    else r.skip(tag);
  }
}

function appendScopeSpans(r: WireReader, end: number, c: Columns, rejected: Rejections, ri: number, si: number): void {
  // Likewise the scope.
  const start = r.pos;
  resetAttributes();
  scopeCells.fill(0);
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) readScope(r, r.delimitedEnd());
    else r.skip(tag);
  }
  r.exit(end, 'ScopeSpans');
  writeScopeRow();
  r.pos = start;
  let i = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag !== ((2 << 3) | 2)) {
      r.skip(tag);
      continue;
    }
    readSpan(r, r.delimitedEnd());
    const problem = spanProblem();
    if (problem === undefined) writeSpan(c);
    else rejected.add(`resourceSpans[${ri}].scopeSpans[${si}].spans[${i}]`, problem);
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
      case (1 << 3) | 2: readRange(r, scopeCells, SCOPE_NAME); break;
      case (2 << 3) | 2: readRange(r, scopeCells, SCOPE_VERSION); break;
      case (3 << 3) | 2: readKeyValue(r, r.delimitedEnd(), attributes); break;
      default: r.skip(tag); // dropped_attributes_count (4) is not stored
    }
  }
  r.exit(end, 'InstrumentationScope');
}

const SERVICE_NAME = Buffer.from('service.name');

function writeResourceRow(): void {
  const { serviceName, attributes: map } = resourceRow;
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
  const { name, version, attributes: map } = scopeRow;
  name.clear();
  name.pushUtf8(bodyView, scopeCells[SCOPE_NAME]!, scopeCells[SCOPE_NAME + 1]!);
  version.clear();
  version.pushUtf8(bodyView, scopeCells[SCOPE_VERSION]!, scopeCells[SCOPE_VERSION + 1]!);
  map.clear();
  writeAttributes(map, attributes, 0, attributes.rows, envelopeOrder);
}

// ---- spans -----------------------------------------------------------------------

function readSpan(r: WireReader, end: number): void {
  spanCells.fill(0);
  span.kind = 0;
  span.statusCode = 0;
  span.flags = 0;
  span.droppedAttributes = 0;
  span.droppedEvents = 0;
  span.droppedLinks = 0;
  resetAttributes();
  nested.rows = 0;
  events.rows = 0;
  links.rows = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readRange(r, spanCells, TRACE_ID); break;
      case (2 << 3) | 2: readRange(r, spanCells, SPAN_ID); break;
      case (3 << 3) | 2: readRange(r, spanCells, TRACE_STATE); break;
      case (4 << 3) | 2: readRange(r, spanCells, PARENT_SPAN_ID); break;
      case (5 << 3) | 2: readRange(r, spanCells, NAME); break;
      case (6 << 3) | 0: span.kind = r.int32(); break;
      case (7 << 3) | 1: readFixed64(r, spanCells, START_TIME); break;
      case (8 << 3) | 1: readFixed64(r, spanCells, END_TIME); break;
      case (9 << 3) | 2: readKeyValue(r, r.delimitedEnd(), attributes); break;
      case (10 << 3) | 0: span.droppedAttributes = r.uint32(); break;
      case (11 << 3) | 2: readEvent(r, r.delimitedEnd()); break;
      case (12 << 3) | 0: span.droppedEvents = r.uint32(); break;
      case (13 << 3) | 2: readLink(r, r.delimitedEnd()); break;
      case (14 << 3) | 0: span.droppedLinks = r.uint32(); break;
      case (15 << 3) | 2: readStatus(r, r.delimitedEnd()); break;
      case (16 << 3) | 5: span.flags = r.fixed32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Span');
}

function readEvent(r: WireReader, end: number): void {
  const at = events.add();
  events.cells[at + EVENT_ATTRIBUTES] = nested.rows;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 1: readFixed64(r, events.cells, at + EVENT_TIME); break;
      case (2 << 3) | 2: readRange(r, events.cells, at + EVENT_NAME); break;
      case (3 << 3) | 2: readKeyValue(r, r.delimitedEnd(), nested); break;
      default: r.skip(tag); // dropped_attributes_count (4) is not stored
    }
  }
  r.exit(end, 'Span.Event');
  events.cells[at + EVENT_ATTRIBUTES + 1] = nested.rows;
}

function readLink(r: WireReader, end: number): void {
  const at = links.add();
  links.cells[at + LINK_ATTRIBUTES] = nested.rows;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readRange(r, links.cells, at + LINK_TRACE_ID); break;
      case (2 << 3) | 2: readRange(r, links.cells, at + LINK_SPAN_ID); break;
      case (3 << 3) | 2: readRange(r, links.cells, at + LINK_TRACE_STATE); break;
      case (4 << 3) | 2: readKeyValue(r, r.delimitedEnd(), nested); break;
      default: r.skip(tag); // dropped_attributes_count (5), flags (6) are not stored
    }
  }
  r.exit(end, 'Span.Link');
  links.cells[at + LINK_ATTRIBUTES + 1] = nested.rows;
}

function readStatus(r: WireReader, end: number): void {
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (2 << 3) | 2: readRange(r, spanCells, STATUS_MESSAGE); break;
      case (3 << 3) | 0: span.statusCode = r.int32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Status');
}

/** Why the span in scratch is rejected (the same words as appendTraces), or undefined. */
function spanProblem(): string | undefined {
  if (!isId(TRACE_ID, 16)) return traceIdProblem(hexOf(TRACE_ID));
  if (!isId(SPAN_ID, 8)) return spanIdProblem(hexOf(SPAN_ID));
  if (spanCells[PARENT_SPAN_ID + 1] !== spanCells[PARENT_SPAN_ID] && !isId(PARENT_SPAN_ID, 8)) {
    return spanIdProblem(hexOf(PARENT_SPAN_ID), 'parent span id');
  }
  return undefined;
}

/** Whether the span's id at `field` is `size` bytes, not all zero. */
function isId(field: number, size: number): boolean {
  const start = spanCells[field]!;
  const end = spanCells[field + 1]!;
  if (end - start !== size) return false;
  for (let i = start; i < end; i++) if (body[i] !== 0) return true;
  return false;
}

function hexOf(field: number): string {
  return body.toString('hex', spanCells[field], spanCells[field + 1]);
}

function writeSpan(c: Columns): void {
  const s = spanCells;
  const buf = body;
  const view = bodyView;
  c.Timestamp.pushWords(s[START_TIME]!, s[START_TIME + 1]!);
  c.TraceId.pushHex(buf, s[TRACE_ID]!, s[TRACE_ID + 1]!);
  c.SpanId.pushHex(buf, s[SPAN_ID]!, s[SPAN_ID + 1]!);
  c.ParentSpanId.pushHex(buf, s[PARENT_SPAN_ID]!, s[PARENT_SPAN_ID + 1]!);
  c.TraceState.pushUtf8(view, s[TRACE_STATE]!, s[TRACE_STATE + 1]!);
  c.SpanName.pushUtf8(view, s[NAME]!, s[NAME + 1]!);
  c.SpanKind.push(spanKindName(span.kind));
  c.ServiceName.pushAll(resourceRow.serviceName);
  c.ResourceAttributes.pushAll(resourceRow.attributes);
  c.ScopeName.pushAll(scopeRow.name);
  c.ScopeVersion.pushAll(scopeRow.version);
  writeAttributes(c.SpanAttributes, attributes, 0, attributes.rows, spanOrder);
  // end - start as unsigned 64-bit halves; a span that ends before it starts gets 0.
  const startLo = s[START_TIME]!;
  const startHi = s[START_TIME + 1]!;
  const endLo = s[END_TIME]!;
  const endHi = s[END_TIME + 1]!;
  if (endHi > startHi || (endHi === startHi && endLo > startLo)) {
    c.Duration.pushWords((endLo - startLo) >>> 0, (endHi - startHi - (endLo < startLo ? 1 : 0)) >>> 0);
  } else {
    c.Duration.pushWords(0, 0);
  }
  c.StatusCode.push(statusCodeName(span.statusCode));
  c.StatusMessage.pushUtf8(view, s[STATUS_MESSAGE]!, s[STATUS_MESSAGE + 1]!);

  const eventTimes = c['Events.Timestamp'];
  const eventNames = c['Events.Name'];
  const eventAttributes = c['Events.Attributes'];
  const e = events.cells;
  for (let at = 0; at < events.rows * EVENT_STRIDE; at += EVENT_STRIDE) {
    eventTimes.inner.pushWords(e[at + EVENT_TIME]!, e[at + EVENT_TIME + 1]!);
    eventNames.inner.pushUtf8(view, e[at + EVENT_NAME]!, e[at + EVENT_NAME + 1]!);
    writeAttributes(eventAttributes.inner, nested, e[at + EVENT_ATTRIBUTES]!, e[at + EVENT_ATTRIBUTES + 1]!, eventOrder);
  }
  eventTimes.endRow();
  eventNames.endRow();
  eventAttributes.endRow();

  const linkTraceIds = c['Links.TraceId'];
  const linkSpanIds = c['Links.SpanId'];
  const linkTraceStates = c['Links.TraceState'];
  const linkAttributes = c['Links.Attributes'];
  const l = links.cells;
  for (let at = 0; at < links.rows * LINK_STRIDE; at += LINK_STRIDE) {
    // Link ids are stored as sent, unchecked, as appendTraces does.
    linkTraceIds.inner.pushHex(buf, l[at + LINK_TRACE_ID]!, l[at + LINK_TRACE_ID + 1]!);
    linkSpanIds.inner.pushHex(buf, l[at + LINK_SPAN_ID]!, l[at + LINK_SPAN_ID + 1]!);
    linkTraceStates.inner.pushUtf8(view, l[at + LINK_TRACE_STATE]!, l[at + LINK_TRACE_STATE + 1]!);
    writeAttributes(linkAttributes.inner, nested, l[at + LINK_ATTRIBUTES]!, l[at + LINK_ATTRIBUTES + 1]!, linkOrder);
  }
  linkTraceIds.endRow();
  linkSpanIds.endRow();
  linkTraceStates.endRow();
  linkAttributes.endRow();

  c.ScopeAttributes.pushAll(scopeRow.attributes);
  c.Flags.push(span.flags);
  c.DroppedAttributesCount.push(span.droppedAttributes);
  c.DroppedEventsCount.push(span.droppedEvents);
  c.DroppedLinksCount.push(span.droppedLinks);
}

// ---- fields ----------------------------------------------------------------------

/** A length-delimited field as its byte range in the body: cells[at] = start, cells[at + 1] = end. */
function readRange(r: WireReader, cells: Uint32Array, at: number): void {
  const end = r.delimitedEnd();
  cells[at] = r.pos;
  cells[at + 1] = end;
  r.pos = end;
}

/** A fixed64 as its low and high halves in cells[at], cells[at + 1]: no BigInt. */
function readFixed64(r: WireReader, cells: Uint32Array, at: number): void {
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

function readKeyValue(r: WireReader, end: number, table: Table): void {
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
function readAnyValue(r: WireReader, end: number, cells: Uint32Array, at: number): void {
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
  const buf = r.buf;
  let pos = r.pos;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10 && pos < buf.length; i++) {
    const b = buf[pos++]!;
    const bits = b & 0x7f;
    if (i < 4) lo |= bits << (7 * i);
    else if (i === 4) {
      lo |= bits << 28;
      hi |= bits >>> 4;
    } else hi |= bits << (7 * i - 32);
    if (b < 0x80) {
      r.pos = pos;
      cells[at + VALUE_IN_SCRATCH] = 1;
      cells[at + VALUE] = values.length;
      // hi is signed: within ±2^21 the value is a safe integer.
      if (hi >= -0x200000 && hi < 0x200000) values.integer(hi * 4294967296 + (lo >>> 0));
      else values.text(BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString());
      cells[at + VALUE + 1] = values.length;
      return;
    }
  }
  valueText(cells, at, r.int64().toString()); // truncated or too long: the reader throws its error
}

function valueSource(cells: Uint32Array, at: number): DataView {
  return cells[at + VALUE_IN_SCRATCH] === 1 ? values.view : bodyView;
}

// Row numbers of one attribute list in key order, repeated keys dropped (see sortAttributes).
let order = new Int32Array(64);

/**
 * The key order of the last list sorted at one place (span, event, link attributes), as
 * offsets from its first row; length -1 when there is none to try. Spans of one request
 * mostly list the same keys in the same order, so this order is tried first.
 */
class LastOrder {
  offsets = new Int32Array(64);
  length = -1;
}

const spanOrder = new LastOrder();
const eventOrder = new LastOrder();
const linkOrder = new LastOrder();
const envelopeOrder = new LastOrder();

/**
 * Rows [from, to) of `table` as one Map value: sorted by key, the last of equal keys kept.
 * Returns how many were kept; `order` lists them.
 */
function writeAttributes(map: StringMapColumn, table: Table, from: number, to: number, last: LastOrder): number {
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
