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
  KeyValueList,
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
  const r = new WireReader(bytes, 'ExportTraceServiceRequest');
  const resourceSpans: ResourceSpans[] = [];
  while (r.pos < bytes.length) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) resourceSpans.push(readResourceSpans(r, r.delimitedEnd()));
    else r.skip(tag);
  }
  return { resourceSpans };
}

export function decodeMetricsRequest(bytes: Uint8Array): ExportMetricsRequest {
  const r = new WireReader(bytes, 'ExportMetricsServiceRequest');
  const resourceMetrics: ResourceMetrics[] = [];
  while (r.pos < bytes.length) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) resourceMetrics.push(readResourceMetrics(r, r.delimitedEnd()));
    else r.skip(tag);
  }
  return { resourceMetrics };
}

export function decodeLogsRequest(bytes: Uint8Array): ExportLogsRequest {
  const r = new WireReader(bytes, 'ExportLogsServiceRequest');
  const resourceLogs: ResourceLogs[] = [];
  while (r.pos < bytes.length) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) resourceLogs.push(readResourceLogs(r, r.delimitedEnd()));
    else r.skip(tag);
  }
  return { resourceLogs };
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

function readKeyValue(r: WireReader, end: number, depth: number): KeyValue {
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

function readAnyValue(r: WireReader, end: number, depth: number): AnyValue {
  if (depth > MAX_DEPTH) throw r.fail(`AnyValue at byte ${r.pos} is nested deeper than ${MAX_DEPTH} levels`);
  let value: AnyValue = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: value = r.string(); break;
      case (2 << 3) | 0: value = r.bool(); break;
      case (3 << 3) | 0: value = r.int64(); break;
      case (4 << 3) | 1: value = r.double(); break;
      case (5 << 3) | 2: value = readArrayValue(r, r.delimitedEnd(), depth + 1); break;
      case (6 << 3) | 2: value = readKeyValueList(r, r.delimitedEnd(), depth + 1); break;
      // A copy: the request buffer is reused or freed once the request is answered.
      case (7 << 3) | 2: value = new Uint8Array(r.bytes()); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'AnyValue');
  return value;
}

function readArrayValue(r: WireReader, end: number, depth: number): AnyValue[] {
  const values: AnyValue[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) values.push(readAnyValue(r, r.delimitedEnd(), depth));
    else r.skip(tag);
  }
  r.exit(end, 'ArrayValue');
  return values;
}

function readKeyValueList(r: WireReader, end: number, depth: number): KeyValueList {
  const kvlist: KeyValue[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) kvlist.push(readKeyValue(r, r.delimitedEnd(), depth));
    else r.skip(tag);
  }
  r.exit(end, 'KeyValueList');
  return { kvlist };
}

// ---- trace/v1 ----------------------------------------------------------------

function readResourceSpans(r: WireReader, end: number): ResourceSpans {
  const out: ResourceSpans = { resource: { attributes: [], droppedAttributesCount: 0 }, scopeSpans: [], schemaUrl: '' };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readResource(r, r.delimitedEnd(), out.resource); break;
      case (2 << 3) | 2: out.scopeSpans.push(readScopeSpans(r, r.delimitedEnd())); break;
      case (3 << 3) | 2: out.schemaUrl = r.string(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'ResourceSpans');
  return out;
}

function readScopeSpans(r: WireReader, end: number): ScopeSpans {
  const out: ScopeSpans = {
    scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
    spans: [],
    schemaUrl: '',
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readScope(r, r.delimitedEnd(), out.scope); break;
      case (2 << 3) | 2: out.spans.push(readSpan(r, r.delimitedEnd())); break;
      case (3 << 3) | 2: out.schemaUrl = r.string(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'ScopeSpans');
  return out;
}

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

function readResourceLogs(r: WireReader, end: number): ResourceLogs {
  const out: ResourceLogs = { resource: { attributes: [], droppedAttributesCount: 0 }, scopeLogs: [], schemaUrl: '' };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readResource(r, r.delimitedEnd(), out.resource); break;
      case (2 << 3) | 2: out.scopeLogs.push(readScopeLogs(r, r.delimitedEnd())); break;
      case (3 << 3) | 2: out.schemaUrl = r.string(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'ResourceLogs');
  return out;
}

function readScopeLogs(r: WireReader, end: number): ScopeLogs {
  const out: ScopeLogs = {
    scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
    logRecords: [],
    schemaUrl: '',
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readScope(r, r.delimitedEnd(), out.scope); break;
      case (2 << 3) | 2: out.logRecords.push(readLogRecord(r, r.delimitedEnd())); break;
      case (3 << 3) | 2: out.schemaUrl = r.string(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'ScopeLogs');
  return out;
}

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

function readResourceMetrics(r: WireReader, end: number): ResourceMetrics {
  const out: ResourceMetrics = { resource: { attributes: [], droppedAttributesCount: 0 }, scopeMetrics: [], schemaUrl: '' };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readResource(r, r.delimitedEnd(), out.resource); break;
      case (2 << 3) | 2: out.scopeMetrics.push(readScopeMetrics(r, r.delimitedEnd())); break;
      case (3 << 3) | 2: out.schemaUrl = r.string(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'ResourceMetrics');
  return out;
}

function readScopeMetrics(r: WireReader, end: number): ScopeMetrics {
  const out: ScopeMetrics = {
    scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
    metrics: [],
    schemaUrl: '',
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readScope(r, r.delimitedEnd(), out.scope); break;
      case (2 << 3) | 2: out.metrics.push(readMetric(r, r.delimitedEnd())); break;
      case (3 << 3) | 2: out.schemaUrl = r.string(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'ScopeMetrics');
  return out;
}

function readMetric(r: WireReader, end: number): Metric {
  const metric: Metric = { name: '', description: '', unit: '', metadata: [], data: null };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: metric.name = r.string(); break;
      case (2 << 3) | 2: metric.description = r.string(); break;
      case (3 << 3) | 2: metric.unit = r.string(); break;
      case (5 << 3) | 2: metric.data = readGauge(r, r.delimitedEnd()); break;
      case (7 << 3) | 2: metric.data = readSum(r, r.delimitedEnd()); break;
      case (9 << 3) | 2: metric.data = readHistogram(r, r.delimitedEnd()); break;
      case (10 << 3) | 2: metric.data = readExponentialHistogram(r, r.delimitedEnd()); break;
      case (11 << 3) | 2: metric.data = readSummary(r, r.delimitedEnd()); break;
      case (12 << 3) | 2: metric.metadata.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Metric');
  return metric;
}

function readGauge(r: WireReader, end: number): MetricData {
  const dataPoints: NumberDataPoint[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) dataPoints.push(readNumberDataPoint(r, r.delimitedEnd()));
    else r.skip(tag);
  }
  r.exit(end, 'Gauge');
  return { type: 'gauge', dataPoints };
}

function readSum(r: WireReader, end: number): MetricData {
  const dataPoints: NumberDataPoint[] = [];
  let aggregationTemporality = 0;
  let isMonotonic = false;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: dataPoints.push(readNumberDataPoint(r, r.delimitedEnd())); break;
      case (2 << 3) | 0: aggregationTemporality = r.int32(); break;
      case (3 << 3) | 0: isMonotonic = r.bool(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Sum');
  return { type: 'sum', dataPoints, aggregationTemporality, isMonotonic };
}

function readHistogram(r: WireReader, end: number): MetricData {
  const dataPoints: HistogramDataPoint[] = [];
  let aggregationTemporality = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: dataPoints.push(readHistogramDataPoint(r, r.delimitedEnd())); break;
      case (2 << 3) | 0: aggregationTemporality = r.int32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Histogram');
  return { type: 'histogram', dataPoints, aggregationTemporality };
}

function readExponentialHistogram(r: WireReader, end: number): MetricData {
  const dataPoints: ExponentialHistogramDataPoint[] = [];
  let aggregationTemporality = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: dataPoints.push(readExponentialHistogramDataPoint(r, r.delimitedEnd())); break;
      case (2 << 3) | 0: aggregationTemporality = r.int32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'ExponentialHistogram');
  return { type: 'exponentialHistogram', dataPoints, aggregationTemporality };
}

function readSummary(r: WireReader, end: number): MetricData {
  const dataPoints: SummaryDataPoint[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | 2)) dataPoints.push(readSummaryDataPoint(r, r.delimitedEnd()));
    else r.skip(tag);
  }
  r.exit(end, 'Summary');
  return { type: 'summary', dataPoints };
}

function readNumberDataPoint(r: WireReader, end: number): NumberDataPoint {
  const point: NumberDataPoint = { attributes: [], startTimeUnixNano: 0n, timeUnixNano: 0n, value: 0, exemplars: [], flags: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (2 << 3) | 1: point.startTimeUnixNano = r.fixed64(); break;
      case (3 << 3) | 1: point.timeUnixNano = r.fixed64(); break;
      case (4 << 3) | 1: point.value = r.double(); break;
      case (5 << 3) | 2: point.exemplars.push(readExemplar(r, r.delimitedEnd())); break;
      case (6 << 3) | 1: point.value = r.sfixed64Number(); break;
      case (7 << 3) | 2: point.attributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      case (8 << 3) | 0: point.flags = r.uint32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'NumberDataPoint');
  return point;
}

function readHistogramDataPoint(r: WireReader, end: number): HistogramDataPoint {
  const point: HistogramDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    sum: undefined,
    bucketCounts: [],
    explicitBounds: [],
    exemplars: [],
    flags: 0,
    min: undefined,
    max: undefined,
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (2 << 3) | 1: point.startTimeUnixNano = r.fixed64(); break;
      case (3 << 3) | 1: point.timeUnixNano = r.fixed64(); break;
      case (4 << 3) | 1: point.count = r.fixed64Number(); break;
      case (5 << 3) | 1: point.sum = r.double(); break;
      case (6 << 3) | 2: r.packedFixed64(point.bucketCounts); break;
      case (6 << 3) | 1: point.bucketCounts.push(r.fixed64Number()); break;
      case (7 << 3) | 2: r.packedDouble(point.explicitBounds); break;
      case (7 << 3) | 1: point.explicitBounds.push(r.double()); break;
      case (8 << 3) | 2: point.exemplars.push(readExemplar(r, r.delimitedEnd())); break;
      case (9 << 3) | 2: point.attributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      case (10 << 3) | 0: point.flags = r.uint32(); break;
      case (11 << 3) | 1: point.min = r.double(); break;
      case (12 << 3) | 1: point.max = r.double(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'HistogramDataPoint');
  return point;
}

function readExponentialHistogramDataPoint(r: WireReader, end: number): ExponentialHistogramDataPoint {
  const point: ExponentialHistogramDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    sum: undefined,
    scale: 0,
    zeroCount: 0,
    positive: { offset: 0, bucketCounts: [] },
    negative: { offset: 0, bucketCounts: [] },
    flags: 0,
    exemplars: [],
    min: undefined,
    max: undefined,
    zeroThreshold: 0,
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: point.attributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      case (2 << 3) | 1: point.startTimeUnixNano = r.fixed64(); break;
      case (3 << 3) | 1: point.timeUnixNano = r.fixed64(); break;
      case (4 << 3) | 1: point.count = r.fixed64Number(); break;
      case (5 << 3) | 1: point.sum = r.double(); break;
      case (6 << 3) | 0: point.scale = r.sint32(); break;
      case (7 << 3) | 1: point.zeroCount = r.fixed64Number(); break;
      case (8 << 3) | 2: readBuckets(r, r.delimitedEnd(), point.positive); break;
      case (9 << 3) | 2: readBuckets(r, r.delimitedEnd(), point.negative); break;
      case (10 << 3) | 0: point.flags = r.uint32(); break;
      case (11 << 3) | 2: point.exemplars.push(readExemplar(r, r.delimitedEnd())); break;
      case (12 << 3) | 1: point.min = r.double(); break;
      case (13 << 3) | 1: point.max = r.double(); break;
      case (14 << 3) | 1: point.zeroThreshold = r.double(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'ExponentialHistogramDataPoint');
  return point;
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

function readSummaryDataPoint(r: WireReader, end: number): SummaryDataPoint {
  const point: SummaryDataPoint = {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    sum: 0,
    quantileValues: [],
    flags: 0,
  };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (2 << 3) | 1: point.startTimeUnixNano = r.fixed64(); break;
      case (3 << 3) | 1: point.timeUnixNano = r.fixed64(); break;
      case (4 << 3) | 1: point.count = r.fixed64Number(); break;
      case (5 << 3) | 1: point.sum = r.double(); break;
      case (6 << 3) | 2: point.quantileValues.push(readValueAtQuantile(r, r.delimitedEnd())); break;
      case (7 << 3) | 2: point.attributes.push(readKeyValue(r, r.delimitedEnd(), 0)); break;
      case (8 << 3) | 0: point.flags = r.uint32(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'SummaryDataPoint');
  return point;
}

function readValueAtQuantile(r: WireReader, end: number): { quantile: number; value: number } {
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
