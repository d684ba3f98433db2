// ExportLogsServiceRequest protobuf -> otel_logs rows in one pass: decodeLogsRequest
// (otlp/protobuf.ts) and appendLogs (rows/logs.ts) fused, writing exactly the bytes those
// two write (test/logs-protobuf.test.ts compares them byte for byte), without an object per
// record or attribute. What it shares with the spans' path (envelopes, attributes, AnyValue
// printing, ids, rollback) is in protobuf-rows.ts; here are only the LogRecord's fields.
// Each record is read into scratch, checked, and only then written, so a rejected record
// writes nothing; a malformed body throws and leaves the block as it was.

import type { WireReader } from '../otlp/wire.ts';
import type { LogsBlock } from './logs.ts';
import {
  appendRequestProtobuf, attributes, type FusedSignal, KV_STRIDE, LastOrder, readAnyValue, readFixed64, readKeyValue, readRange,
  requestBody, requestView, resetAttributes, resourceRow, scopeRow, spanIdProblemAt, traceIdProblemAt, VALUE, valueSource, writeAttributes,
} from './protobuf-rows.ts';
import type { Rejections } from './validate.ts';

/**
 * Appends every valid log record of the request; returns what was rejected and why.
 * Timestamp falls back to the observed time, and that to `receivedAtNanos`, as in appendLogs.
 */
export function appendLogsRequestProtobuf(bytes: Uint8Array, block: LogsBlock, receivedAtNanos: bigint): Rejections {
  const received = BigInt.asUintN(64, receivedAtNanos);
  receivedLo = Number(received & 0xffffffffn);
  receivedHi = Number(received >> 32n);
  return appendRequestProtobuf(bytes, block, LOGS);
}

// ---- scratch (see protobuf-rows.ts) ------------------------------------------------

// The record's byte ranges [start, end) and timestamps (low and high halves).
const TIME = 0;
const OBSERVED_TIME = 2;
const SEVERITY_TEXT = 4;
const TRACE_ID = 6;
const SPAN_ID = 8;
const EVENT_NAME = 10;
const recordCells = new Uint32Array(12);
const record = { severityNumber: 0, droppedAttributes: 0, flags: 0 };
// The body as readAnyValue leaves a value in a key-value row (its key unused).
const bodyCells = new Uint32Array(KV_STRIDE);
// The record's own attributes are in `attributes`.
const logOrder = new LastOrder();
// The time of receipt, as halves.
let receivedLo = 0;
let receivedHi = 0;

// ---- log records -----------------------------------------------------------------

const LOGS: FusedSignal<LogsBlock['columns']> = {
  messages: ['ExportLogsServiceRequest', 'ResourceLogs', 'ScopeLogs'],
  path: ['resourceLogs', 'scopeLogs', 'logRecords'],
  read: readLogRecord,
  problem: recordProblem,
  write: writeLogRecord,
};

function readLogRecord(r: WireReader, end: number): void {
  recordCells.fill(0);
  bodyCells.fill(0);
  record.severityNumber = 0;
  record.droppedAttributes = 0;
  record.flags = 0;
  resetAttributes();
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 1: readFixed64(r, recordCells, TIME); break;
      case (2 << 3) | 0: record.severityNumber = r.int32(); break;
      case (3 << 3) | 2: readRange(r, recordCells, SEVERITY_TEXT); break;
      case (5 << 3) | 2: readAnyValue(r, r.delimitedEnd(), bodyCells, 0); break;
      case (6 << 3) | 2: readKeyValue(r, r.delimitedEnd(), attributes); break;
      case (7 << 3) | 0: record.droppedAttributes = r.uint32(); break;
      case (8 << 3) | 5: record.flags = r.fixed32(); break;
      case (9 << 3) | 2: readRange(r, recordCells, TRACE_ID); break;
      case (10 << 3) | 2: readRange(r, recordCells, SPAN_ID); break;
      case (11 << 3) | 1: readFixed64(r, recordCells, OBSERVED_TIME); break;
      case (12 << 3) | 2: readRange(r, recordCells, EVENT_NAME); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'LogRecord');
}

/** Why the record in scratch is rejected (the same words as appendLogs), or undefined: ids are optional. */
function recordProblem(): string | undefined {
  const s = recordCells;
  return (
    (s[TRACE_ID + 1] === s[TRACE_ID] ? undefined : traceIdProblemAt(s, TRACE_ID)) ??
    (s[SPAN_ID + 1] === s[SPAN_ID] ? undefined : spanIdProblemAt(s, SPAN_ID))
  );
}

function writeLogRecord(c: LogsBlock['columns']): void {
  const s = recordCells;
  const buf = requestBody();
  const view = requestView();
  // ObservedTimestamp = observed || received; Timestamp = time || that.
  let observedLo = s[OBSERVED_TIME]!;
  let observedHi = s[OBSERVED_TIME + 1]!;
  if ((observedLo | observedHi) === 0) {
    observedLo = receivedLo;
    observedHi = receivedHi;
  }
  if ((s[TIME]! | s[TIME + 1]!) === 0) c.Timestamp.pushWords(observedLo, observedHi);
  else c.Timestamp.pushWords(s[TIME]!, s[TIME + 1]!);
  c.TraceId.pushHex(buf, s[TRACE_ID]!, s[TRACE_ID + 1]!);
  c.SpanId.pushHex(buf, s[SPAN_ID]!, s[SPAN_ID + 1]!);
  c.TraceFlags.push(record.flags & 0xff);
  c.SeverityText.pushUtf8(view, s[SEVERITY_TEXT]!, s[SEVERITY_TEXT + 1]!);
  c.SeverityNumber.push(record.severityNumber);
  c.ServiceName.pushAll(resourceRow.serviceName);
  c.Body.pushUtf8(valueSource(bodyCells, 0), bodyCells[VALUE]!, bodyCells[VALUE + 1]!);
  c.ResourceSchemaUrl.pushAll(resourceRow.schemaUrl);
  c.ResourceAttributes.pushAll(resourceRow.attributes);
  c.ScopeSchemaUrl.pushAll(scopeRow.schemaUrl);
  c.ScopeName.pushAll(scopeRow.name);
  c.ScopeVersion.pushAll(scopeRow.version);
  c.ScopeAttributes.pushAll(scopeRow.attributes);
  writeAttributes(c.LogAttributes, attributes, 0, attributes.rows, logOrder);
  c.EventName.pushUtf8(view, s[EVENT_NAME]!, s[EVENT_NAME + 1]!);
  c.ObservedTimestamp.pushWords(observedLo, observedHi);
  c.DroppedAttributesCount.push(record.droppedAttributes);
}
