// ExportTraceServiceRequest protobuf -> otel_traces rows in one pass: decodeTraceRequest
// (otlp/protobuf.ts) and appendTraces (rows/traces.ts) fused, writing exactly the bytes
// those two write (test/traces-protobuf.test.ts compares them byte for byte), but without
// an object per span or attribute. Strings are copied from the body as UTF-8 bytes, ids
// are written as hex, timestamps as 32-bit halves. Each span is first read into reusable
// scratch (byte ranges into the body), then checked, and only then written, so a rejected
// span writes nothing; a malformed body throws and leaves the block as it was.

import type { WireReader } from '../otlp/wire.ts';
import {
  appendRequestProtobuf, attributes, type FusedSignal, KV_STRIDE, LastOrder, readFixed64, readKeyValue, readRange, requestBody,
  requestView, resetAttributes, resourceRow, scopeRow, spanIdProblemAt, Table, traceIdProblemAt, writeAttributes,
} from './protobuf-rows.ts';
import { spanKindName, statusCodeName, type TracesBlock } from './traces.ts';
import type { Rejections } from './validate.ts';

/** Appends every valid span of the request; returns what was rejected and why. */
export function appendTraceRequestProtobuf(bytes: Uint8Array, block: TracesBlock): Rejections {
  return appendRequestProtobuf(bytes, block, TRACES);
}

// ---- scratch (see protobuf-rows.ts) ------------------------------------------------

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

// The span's own attributes are in `attributes`; those of its events and links in `nested`
// (each event's and link's are contiguous rows, even when they interleave with the span's).
const nested = new Table(KV_STRIDE);
const events = new Table(EVENT_STRIDE);
const links = new Table(LINK_STRIDE);
const spanOrder = new LastOrder();
const eventOrder = new LastOrder();
const linkOrder = new LastOrder();

// ---- spans -----------------------------------------------------------------------

const TRACES: FusedSignal<TracesBlock['columns']> = {
  messages: ['ExportTraceServiceRequest', 'ResourceSpans', 'ScopeSpans'],
  path: ['resourceSpans', 'scopeSpans', 'spans'],
  read: readSpan,
  problem: spanProblem,
  write: writeSpan,
};

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
  const s = spanCells;
  return (
    traceIdProblemAt(s, TRACE_ID) ??
    spanIdProblemAt(s, SPAN_ID) ??
    (s[PARENT_SPAN_ID + 1] === s[PARENT_SPAN_ID] ? undefined : spanIdProblemAt(s, PARENT_SPAN_ID, 'parent span id'))
  );
}

function writeSpan(c: TracesBlock['columns']): void {
  const s = spanCells;
  const buf = requestBody();
  const view = requestView();
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
