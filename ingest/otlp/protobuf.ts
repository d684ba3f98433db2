// Decoders for the binary OTLP requests (opentelemetry-proto collector/*/v1 Export*
// ServiceRequest; the .proto files are in schemas/otlp/). Hand-written over WireReader
// because this is the ingest hot path: one pass, no reflection, no intermediate objects.
//
// Each `case` is a tag, `(fieldNumber << 3) | wireType`, with wire types 0 varint,
// 1 fixed64/double, 2 length-delimited, 5 fixed32. A known field arriving with another
// wire type falls through to `default` and is skipped as unknown, as protobuf's own
// parsers do; the only exception is repeated scalars, accepted both packed and unpacked.
// A scalar or oneof seen twice keeps the last value; Resource, scope, Status and
// Buckets seen twice are merged, as protobuf specifies for singular messages.

import { MAX_DEPTH, WireReader } from './wire.ts';
import type {
  AnyValue,
  Exemplar,
  ExponentialHistogramBuckets,
  ExponentialHistogramDataPoint,
  ExportLogsRequest,
  ExportMetricsRequest,
  ExportTraceRequest,
  HistogramDataPoint,
  InstrumentationScope,
  KeyValue,
  LogRecord,
  Metric,
  MetricData,
  NumberDataPoint,
  Resource,
  ResourceLogs,
  ResourceMetrics,
  ResourceSpans,
  ScopeLogs,
  ScopeMetrics,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanLink,
  SpanStatus,
  SummaryDataPoint,
} from './model.ts';

export function decodeTraceRequest(bytes: Uint8Array): ExportTraceRequest {
  return { resourceSpans: readRequest(bytes, TRACES) };
}

export function decodeMetricsRequest(bytes: Uint8Array): ExportMetricsRequest {
  return { resourceMetrics: readRequest(bytes, METRICS) };
}

export function decodeLogsRequest(bytes: Uint8Array): ExportLogsRequest {
  return { resourceLogs: readRequest(bytes, LOGS) };
}

// ---- the envelopes -----------------------------------------------------------
// The three signals nest alike: Export*ServiceRequest holds Resource* messages (field 1),
// and Resource* and Scope* both hold their resource or scope (1), a repeated field (2)
// and schema_url (3). One reader serves them all; a Signal says what differs: the
// message names (for errors), the item reader, and how to build the model objects,
// whose keys differ. Signals are module constants, so no closure is made per message.

interface Signal<R, S, T> {
  readonly request: string;
  readonly resource: string;
  readonly scope: string;
  readonly readItem: (r: WireReader, end: number) => T;
  readonly scopeOf: (scope: InstrumentationScope, items: T[], schemaUrl: string) => S;
  readonly resourceOf: (resource: Resource, scopes: S[], schemaUrl: string) => R;
}

function signal<R, S, T>(
  [request, resource, scope]: [string, string, string],
  readItem: Signal<R, S, T>['readItem'],
  scopeOf: Signal<R, S, T>['scopeOf'],
  resourceOf: Signal<R, S, T>['resourceOf'],
): Signal<R, S, T> {
  return { request, resource, scope, readItem, scopeOf, resourceOf };
}

const TRACES = signal(
  ['ExportTraceServiceRequest', 'ResourceSpans', 'ScopeSpans'],
  readSpan,
  (scope, spans, schemaUrl): ScopeSpans => ({ scope, spans, schemaUrl }),
  (resource, scopeSpans, schemaUrl): ResourceSpans => ({ resource, scopeSpans, schemaUrl }),
);

const LOGS = signal(
  ['ExportLogsServiceRequest', 'ResourceLogs', 'ScopeLogs'],
  readLogRecord,
  (scope, logRecords, schemaUrl): ScopeLogs => ({ scope, logRecords, schemaUrl }),
  (resource, scopeLogs, schemaUrl): ResourceLogs => ({ resource, scopeLogs, schemaUrl }),
);

const METRICS = signal(
  ['ExportMetricsServiceRequest', 'ResourceMetrics', 'ScopeMetrics'],
  readMetric,
  (scope, metrics, schemaUrl): ScopeMetrics => ({ scope, metrics, schemaUrl }),
  (resource, scopeMetrics, schemaUrl): ResourceMetrics => ({ resource, scopeMetrics, schemaUrl }),
);

function readRequest<R, S, T>(bytes: Uint8Array, signal: Signal<R, S, T>): R[] {
  const r = new WireReader(bytes, signal.request);
  const resources: R[] = [];
  while (r.pos < bytes.length) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) resources.push(readResourceEnvelope(r, r.delimitedEnd(), signal));
    else r.skip(tag);
  }
  return resources;
}

function readResourceEnvelope<R, S, T>(r: WireReader, end: number, signal: Signal<R, S, T>): R {
  const resource: Resource = { attributes: [], droppedAttributesCount: 0 };
  return readEnvelope(r, end, signal.resource, readResource, resource, readScopeEnvelope, signal, signal.resourceOf);
}

function readScopeEnvelope<R, S, T>(r: WireReader, end: number, signal: Signal<R, S, T>): S {
  const scope: InstrumentationScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  return readEnvelope(r, end, signal.scope, readScope, scope, signal.readItem, signal, signal.scopeOf);
}

/**
 * Reads a Resource* or Scope* message: `readHead` merges field 1 into `head`, `readItem`
 * reads each field 2 (given `context`), and `make` builds the result.
 */
function readEnvelope<H, T, C, O>(
  r: WireReader,
  end: number,
  what: string,
  readHead: (r: WireReader, end: number, head: H) => void,
  head: H,
  readItem: (r: WireReader, end: number, context: C) => T,
  context: C,
  make: (head: H, items: T[], schemaUrl: string) => O,
): O {
  const items: T[] = [];
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readHead(r, r.delimitedEnd(), head); break;
      case (2 << 3) | 2: items.push(readItem(r, r.delimitedEnd(), context)); break;
      case (3 << 3) | 2: schemaUrl = r.string(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, what);
  return make(head, items, schemaUrl);
}

// ---- common/v1, resource/v1 --------------------------------------------------

function readResource(r: WireReader, end: number, resource: Resource): void {
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: resource.attributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      case (2 << 3) | 0: resource.droppedAttributesCount = r.uint32(); break;
      default: r.skip(tag); // entity_refs (3) is not stored
    }
  }
  r.exit(end, 'Resource');
}

function readScope(r: WireReader, end: number, scope: InstrumentationScope): void {
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: scope.name = r.string(); break;
      case (2 << 3) | 2: scope.version = r.string(); break;
      case (3 << 3) | 2: scope.attributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      case (4 << 3) | 0: scope.droppedAttributesCount = r.uint32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'InstrumentationScope');
}

export function readKeyValue(r: WireReader, end: number, depth: number): KeyValue {
  let key = '';
  let value: AnyValue = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: key = r.string(); break;
      case (2 << 3) | 2: value = readAnyValue(r, r.delimitedEnd(), depth); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'KeyValue');
  return { key, value };
}

export function readAnyValue(r: WireReader, end: number, depth: number): AnyValue {
  if (depth > MAX_DEPTH) throw r.fail(`AnyValue at byte ${r.pos} is nested deeper than ${MAX_DEPTH} levels`);
  let value: AnyValue = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: value = r.string(); break;
      case (2 << 3) | 0: value = r.bool(); break;
      case (3 << 3) | 0: value = r.int64(); break;
      case (4 << 3) | 1: value = r.double(); break;
      case (5 << 3) | 2: value = readValues(r, r.delimitedEnd(), 'ArrayValue', readAnyValue, depth + 1); break;
      case (6 << 3) | 2: value = { kvlist: readValues(r, r.delimitedEnd(), 'KeyValueList', readKeyValue, depth + 1) }; break;
      // A copy: the request buffer is reused or freed once the request is answered.
      case (7 << 3) | 2: value = new Uint8Array(r.bytes()); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'AnyValue');
  return value;
}

// ArrayValue and KeyValueList: one repeated field (1), of AnyValue or of KeyValue.
/** A repeated message field (ArrayValue.values, KeyValueList.values). */
export function readValues<T>(
  r: WireReader,
  end: number,
  what: string,
  readValue: (r: WireReader, end: number, depth: number) => T,
  depth: number,
): T[] {
  const values: T[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) values.push(readValue(r, r.delimitedEnd(), depth));
    else r.skip(tag);
  }
  r.exit(end, what);
  return values;
}

// ---- trace/v1 ----------------------------------------------------------------

function readSpan(r: WireReader, end: number): Span {
  const span: Span = {
    traceId: '',
    spanId: '',
    traceState: '',
    parentSpanId: '',
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { message: '', code: 0 },
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: span.traceId = r.hex(); break;
      case (2 << 3) | 2: span.spanId = r.hex(); break;
      case (3 << 3) | 2: span.traceState = r.string(); break;
      case (4 << 3) | 2: span.parentSpanId = r.hex(); break;
      case (5 << 3) | 2: span.name = r.string(); break;
      case (6 << 3) | 0: span.kind = r.int32(); break;
      case (7 << 3) | 1: span.startTimeUnixNano = r.fixed64(); break;
      case (8 << 3) | 1: span.endTimeUnixNano = r.fixed64(); break;
      case (9 << 3) | 2: span.attributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      case (10 << 3) | 0: span.droppedAttributesCount = r.uint32(); break;
      case (11 << 3) | 2: span.events.push(readEvent(r, r.delimitedEnd())); break;
      case (12 << 3) | 0: span.droppedEventsCount = r.uint32(); break;
      case (13 << 3) | 2: span.links.push(readLink(r, r.delimitedEnd())); break;
      case (14 << 3) | 0: span.droppedLinksCount = r.uint32(); break;
      case (15 << 3) | 2: readStatus(r, r.delimitedEnd(), span.status); break;
      case (16 << 3) | 5: span.flags = r.fixed32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Span');
  return span;
}

function readEvent(r: WireReader, end: number): SpanEvent {
  const event: SpanEvent = { timeUnixNano: 0n, name: '', attributes: [], droppedAttributesCount: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 1: event.timeUnixNano = r.fixed64(); break;
      case (2 << 3) | 2: event.name = r.string(); break;
      case (3 << 3) | 2: event.attributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      case (4 << 3) | 0: event.droppedAttributesCount = r.uint32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Span.Event');
  return event;
}

function readLink(r: WireReader, end: number): SpanLink {
  const link: SpanLink = { traceId: '', spanId: '', traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: link.traceId = r.hex(); break;
      case (2 << 3) | 2: link.spanId = r.hex(); break;
      case (3 << 3) | 2: link.traceState = r.string(); break;
      case (4 << 3) | 2: link.attributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      case (5 << 3) | 0: link.droppedAttributesCount = r.uint32(); break;
      case (6 << 3) | 5: link.flags = r.fixed32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Span.Link');
  return link;
}

function readStatus(r: WireReader, end: number, status: SpanStatus): void {
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (2 << 3) | 2: status.message = r.string(); break;
      case (3 << 3) | 0: status.code = r.int32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Status');
}

// ---- logs/v1 -----------------------------------------------------------------

function readLogRecord(r: WireReader, end: number): LogRecord {
  const log: LogRecord = {
    timeUnixNano: 0n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    body: null,
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: '',
    spanId: '',
    eventName: '',
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 1: log.timeUnixNano = r.fixed64(); break;
      case (2 << 3) | 0: log.severityNumber = r.int32(); break;
      case (3 << 3) | 2: log.severityText = r.string(); break;
      case (5 << 3) | 2: log.body = readAnyValue(r, r.delimitedEnd(), 0); break;
      case (6 << 3) | 2: log.attributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      case (7 << 3) | 0: log.droppedAttributesCount = r.uint32(); break;
      case (8 << 3) | 5: log.flags = r.fixed32(); break;
      case (9 << 3) | 2: log.traceId = r.hex(); break;
      case (10 << 3) | 2: log.spanId = r.hex(); break;
      case (11 << 3) | 1: log.observedTimeUnixNano = r.fixed64(); break;
      case (12 << 3) | 2: log.eventName = r.string(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'LogRecord');
  return log;
}

// ---- metrics/v1 --------------------------------------------------------------

function readMetric(r: WireReader, end: number): Metric {
  const metric: Metric = { name: '', description: '', unit: '', metadata: [], data: null };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: metric.name = r.string(); break;
      case (2 << 3) | 2: metric.description = r.string(); break;
      case (3 << 3) | 2: metric.unit = r.string(); break;
      case (5 << 3) | 2: metric.data = readMetricData(r, r.delimitedEnd(), GAUGE); break;
      case (7 << 3) | 2: metric.data = readMetricData(r, r.delimitedEnd(), SUM); break;
      case (9 << 3) | 2: metric.data = readMetricData(r, r.delimitedEnd(), HISTOGRAM); break;
      case (10 << 3) | 2: metric.data = readMetricData(r, r.delimitedEnd(), EXPONENTIAL_HISTOGRAM); break;
      case (11 << 3) | 2: metric.data = readMetricData(r, r.delimitedEnd(), SUMMARY); break;
      case (12 << 3) | 2: metric.metadata.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Metric');
  return metric;
}

// Gauge, Sum, Histogram, ExponentialHistogram and Summary all hold data_points (1);
// all but Gauge and Summary hold aggregation_temporality (2), and Sum is_monotonic (3).
// One reader serves the five. A varint field a type does not have is read and dropped,
// which consumes the same bytes, and fails the same way, as skipping it would.

interface DataType<P extends DataPoint> {
  readonly name: string;
  readonly points: PointType<P>;
  readonly dataOf: (dataPoints: P[], aggregationTemporality: number, isMonotonic: boolean) => MetricData;
}

function dataType<P extends DataPoint>(name: string, points: PointType<P>, dataOf: DataType<P>['dataOf']): DataType<P> {
  return { name, points, dataOf };
}

function readMetricData<P extends DataPoint>(r: WireReader, end: number, type: DataType<P>): MetricData {
  const dataPoints: P[] = [];
  let aggregationTemporality = 0;
  let isMonotonic = false;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: dataPoints.push(readDataPoint(r, r.delimitedEnd(), type.points)); break;
      case (2 << 3) | 0: aggregationTemporality = r.int32(); break;
      case (3 << 3) | 0: isMonotonic = r.bool(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, type.name);
  return type.dataOf(dataPoints, aggregationTemporality, isMonotonic);
}

// The four data point types share start_time_unix_nano (2), time_unix_nano (3),
// attributes and flags, the last two at field numbers that differ by type.
// readDataPoint reads those and hands every other field to the type's field reader.

interface DataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  flags: number;
}

interface PointType<P extends DataPoint> {
  readonly name: string;
  readonly attributesTag: number;
  readonly flagsTag: number;
  readonly readField: (r: WireReader, tag: number, point: P) => void;
  readonly create: () => P;
}

/** A point type from its message name, the field numbers of its attributes and flags, its reader for the other fields, and its defaults. */
function pointType<P extends DataPoint>(
  name: string,
  attributesField: number,
  flagsField: number,
  readField: PointType<P>['readField'],
  create: () => P,
): PointType<P> {
  return { name, attributesTag: (attributesField << 3) | 2, flagsTag: (flagsField << 3) | 0, readField, create };
}

function readDataPoint<P extends DataPoint>(r: WireReader, end: number, type: PointType<P>): P {
  const point = type.create();
  const attributesTag = type.attributesTag;
  const flagsTag = type.flagsTag;
  const readField = type.readField;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === attributesTag) point.attributes.push(readKeyValue(r, r.delimitedEnd(), 0));
    else if (tag === ((2 << 3) | 1)) point.startTimeUnixNano = r.fixed64();
    else if (tag === ((3 << 3) | 1)) point.timeUnixNano = r.fixed64();
    else if (tag === flagsTag) point.flags = r.uint32();
    else readField(r, tag, point);
  }
  r.exit(end, type.name);
  return point;
}

const NUMBER_POINT = pointType('NumberDataPoint', 7, 8, readNumberPointField, () => ({
  attributes: [], startTimeUnixNano: 0n, timeUnixNano: 0n, value: 0, exemplars: [], flags: 0,
}));
const GAUGE = dataType('Gauge', NUMBER_POINT, (dataPoints) => ({ type: 'gauge', dataPoints }));
const SUM = dataType('Sum', NUMBER_POINT, (dataPoints, aggregationTemporality, isMonotonic) => ({
  type: 'sum', dataPoints, aggregationTemporality, isMonotonic,
}));

function readNumberPointField(r: WireReader, tag: number, point: NumberDataPoint): void {
  switch (tag) {
    case (4 << 3) | 1: point.value = r.double(); break;
    case (5 << 3) | 2: point.exemplars.push(readExemplar(r, r.delimitedEnd())); break;
    case (6 << 3) | 1: point.value = r.sfixed64Number(); break;
    default: r.skip(tag);
  }
}

const HISTOGRAM_POINT = pointType('HistogramDataPoint', 9, 10, readHistogramPointField, () => ({
  attributes: [], startTimeUnixNano: 0n, timeUnixNano: 0n, count: 0, sum: undefined,
  bucketCounts: [], explicitBounds: [], exemplars: [], flags: 0, min: undefined, max: undefined,
}));
const HISTOGRAM = dataType('Histogram', HISTOGRAM_POINT, (dataPoints, aggregationTemporality) => ({
  type: 'histogram', dataPoints, aggregationTemporality,
}));

function readHistogramPointField(r: WireReader, tag: number, point: HistogramDataPoint): void {
  switch (tag) {
    case (4 << 3) | 1: point.count = r.fixed64Number(); break;
    case (5 << 3) | 1: point.sum = r.double(); break;
    case (6 << 3) | 2: r.packedFixed64(point.bucketCounts); break;
    case (6 << 3) | 1: point.bucketCounts.push(r.fixed64Number()); break;
    case (7 << 3) | 2: r.packedDouble(point.explicitBounds); break;
    case (7 << 3) | 1: point.explicitBounds.push(r.double()); break;
    case (8 << 3) | 2: point.exemplars.push(readExemplar(r, r.delimitedEnd())); break;
    case (11 << 3) | 1: point.min = r.double(); break;
    case (12 << 3) | 1: point.max = r.double(); break;
    default: r.skip(tag);
  }
}

const EXPONENTIAL_HISTOGRAM_POINT = pointType('ExponentialHistogramDataPoint', 1, 10, readExponentialHistogramPointField, () => ({
  attributes: [], startTimeUnixNano: 0n, timeUnixNano: 0n, count: 0, sum: undefined,
  scale: 0, zeroCount: 0, positive: { offset: 0, bucketCounts: [] }, negative: { offset: 0, bucketCounts: [] },
  flags: 0, exemplars: [], min: undefined, max: undefined, zeroThreshold: 0,
}));
const EXPONENTIAL_HISTOGRAM = dataType('ExponentialHistogram', EXPONENTIAL_HISTOGRAM_POINT, (dataPoints, aggregationTemporality) => ({
  type: 'exponentialHistogram', dataPoints, aggregationTemporality,
}));

function readExponentialHistogramPointField(r: WireReader, tag: number, point: ExponentialHistogramDataPoint): void {
  switch (tag) {
    case (4 << 3) | 1: point.count = r.fixed64Number(); break;
    case (5 << 3) | 1: point.sum = r.double(); break;
    case (6 << 3) | 0: point.scale = r.sint32(); break;
    case (7 << 3) | 1: point.zeroCount = r.fixed64Number(); break;
    case (8 << 3) | 2: readBuckets(r, r.delimitedEnd(), point.positive); break;
    case (9 << 3) | 2: readBuckets(r, r.delimitedEnd(), point.negative); break;
    case (11 << 3) | 2: point.exemplars.push(readExemplar(r, r.delimitedEnd())); break;
    case (12 << 3) | 1: point.min = r.double(); break;
    case (13 << 3) | 1: point.max = r.double(); break;
    case (14 << 3) | 1: point.zeroThreshold = r.double(); break;
    default: r.skip(tag);
  }
}

function readBuckets(r: WireReader, end: number, buckets: ExponentialHistogramBuckets): void {
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 0: buckets.offset = r.sint32(); break;
      case (2 << 3) | 2: r.packedUint64(buckets.bucketCounts); break;
      case (2 << 3) | 0: buckets.bucketCounts.push(r.uint64()); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'ExponentialHistogramDataPoint.Buckets');
}

const SUMMARY_POINT = pointType('SummaryDataPoint', 7, 8, readSummaryPointField, () => ({
  attributes: [], startTimeUnixNano: 0n, timeUnixNano: 0n, count: 0, sum: 0, quantileValues: [], flags: 0,
}));
const SUMMARY = dataType('Summary', SUMMARY_POINT, (dataPoints) => ({ type: 'summary', dataPoints }));

function readSummaryPointField(r: WireReader, tag: number, point: SummaryDataPoint): void {
  switch (tag) {
    case (4 << 3) | 1: point.count = r.fixed64Number(); break;
    case (5 << 3) | 1: point.sum = r.double(); break;
    case (6 << 3) | 2: point.quantileValues.push(readValueAtQuantile(r, r.delimitedEnd())); break;
    default: r.skip(tag);
  }
}

export function readValueAtQuantile(r: WireReader, end: number): { quantile: number; value: number } {
  let quantile = 0;
  let value = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 1: quantile = r.double(); break;
      case (2 << 3) | 1: value = r.double(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'SummaryDataPoint.ValueAtQuantile');
  return { quantile, value };
}

function readExemplar(r: WireReader, end: number): Exemplar {
  const exemplar: Exemplar = { filteredAttributes: [], timeUnixNano: 0n, value: 0, spanId: '', traceId: '' };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (2 << 3) | 1: exemplar.timeUnixNano = r.fixed64(); break;
      case (3 << 3) | 1: exemplar.value = r.double(); break;
      case (4 << 3) | 2: exemplar.spanId = r.hex(); break;
      case (5 << 3) | 2: exemplar.traceId = r.hex(); break;
      case (6 << 3) | 1: exemplar.value = r.sfixed64Number(); break;
      case (7 << 3) | 2: exemplar.filteredAttributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Exemplar');
  return exemplar;
}
