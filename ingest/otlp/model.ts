// The OTLP data model after decoding, shared by the protobuf and the JSON decoder.
// Names follow the OTLP/JSON field names. Decoders normalise as they go:
// ids are lowercase hex ('' when absent; validity is checked by rows/, so one bad
// span does not sink its request), timestamps are bigint nanoseconds (0n when absent),
// int64 attribute values are bigint so no precision is lost, absent messages become
// empty defaults. Nothing here is validated beyond the wire format.

export type AnyValue =
  | string
  | boolean
  | number // doubleValue
  | bigint // intValue
  | Uint8Array // bytesValue
  | AnyValue[] // arrayValue
  | KeyValueList // kvlistValue
  | null; // AnyValue with no value set

export interface KeyValueList {
  readonly kvlist: KeyValue[];
}

export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

// ---- traces ----------------------------------------------------------------

export interface ExportTraceRequest {
  resourceSpans: ResourceSpans[];
}

export interface ResourceSpans {
  resource: Resource;
  scopeSpans: ScopeSpans[];
  schemaUrl: string;
}

export interface ScopeSpans {
  scope: InstrumentationScope;
  spans: Span[];
  schemaUrl: string;
}

export interface Span {
  traceId: string;
  spanId: string;
  traceState: string;
  parentSpanId: string;
  flags: number;
  name: string;
  kind: number; // SpanKind enum: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status: SpanStatus;
}

export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
}

export interface SpanStatus {
  message: string;
  code: number; // 0 unset, 1 ok, 2 error
}

// ---- logs ------------------------------------------------------------------

export interface ExportLogsRequest {
  resourceLogs: ResourceLogs[];
}

export interface ResourceLogs {
  resource: Resource;
  scopeLogs: ScopeLogs[];
  schemaUrl: string;
}

export interface ScopeLogs {
  scope: InstrumentationScope;
  logRecords: LogRecord[];
  schemaUrl: string;
}

export interface LogRecord {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  body: AnyValue;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
  traceId: string;
  spanId: string;
  eventName: string;
}

// ---- metrics ---------------------------------------------------------------

export interface ExportMetricsRequest {
  resourceMetrics: ResourceMetrics[];
}

export interface ResourceMetrics {
  resource: Resource;
  scopeMetrics: ScopeMetrics[];
  schemaUrl: string;
}

export interface ScopeMetrics {
  scope: InstrumentationScope;
  metrics: Metric[];
  schemaUrl: string;
}

export interface Metric {
  name: string;
  description: string;
  unit: string;
  metadata: KeyValue[];
  data: MetricData | null; // null: the oneof was not set
}

export type MetricData =
  | { type: 'gauge'; dataPoints: NumberDataPoint[] }
  | { type: 'sum'; dataPoints: NumberDataPoint[]; aggregationTemporality: number; isMonotonic: boolean }
  | { type: 'histogram'; dataPoints: HistogramDataPoint[]; aggregationTemporality: number }
  | { type: 'exponentialHistogram'; dataPoints: ExponentialHistogramDataPoint[]; aggregationTemporality: number }
  | { type: 'summary'; dataPoints: SummaryDataPoint[] };

export interface Exemplar {
  filteredAttributes: KeyValue[];
  timeUnixNano: bigint;
  value: number; // as_double, or as_int converted to a double
  spanId: string;
  traceId: string;
}

export interface NumberDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  value: number; // as_double, or as_int converted to a double (the columns are Float64)
  exemplars: Exemplar[];
  flags: number;
}

export interface HistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum: number | undefined; // optional in the protocol
  bucketCounts: number[];
  explicitBounds: number[];
  exemplars: Exemplar[];
  flags: number;
  min: number | undefined;
  max: number | undefined;
}

export interface ExponentialHistogramBuckets {
  offset: number;
  bucketCounts: number[];
}

export interface ExponentialHistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum: number | undefined;
  scale: number;
  zeroCount: number;
  positive: ExponentialHistogramBuckets;
  negative: ExponentialHistogramBuckets;
  flags: number;
  exemplars: Exemplar[];
  min: number | undefined;
  max: number | undefined;
  zeroThreshold: number;
}

export interface SummaryDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
  flags: number;
}
