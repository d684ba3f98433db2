// ExportMetricsServiceRequest protobuf -> the five otel_metrics_* tables in one pass:
// decodeMetricsRequest (otlp/protobuf.ts) and appendMetrics (rows/metrics.ts) fused, writing
// exactly the bytes those two write (test/metrics-protobuf.test.ts compares them byte for
// byte), without an object per point, exemplar or attribute. The envelopes, attributes,
// AnyValue printing and rollback are protobuf-rows.ts'; here are the Metric, its data and
// the data points. A metric is read ahead for its name, description and unit (they may
// follow the data), and its data for the aggregation temporality and monotonicity; only the
// last data field of a metric is stored (the decoder keeps the last), earlier ones are read
// and checked. Each point is read into scratch, checked, and only then written. A block is
// opened (the batcher opens them lazily) only to write a point into it, and a malformed
// body throws and leaves every block it touched as it was.

import { readKeyValue as readModelKeyValue, readValueAtQuantile } from '../otlp/protobuf.ts';
import type { WireReader } from '../otlp/wire.ts';
import { type CommonColumns, type ExemplarColumns, histogramProblem, type MetricBlocks, pushNumbers } from './metrics.ts';
import {
  appendRequestProtobuf, attributes, type FusedItems, type ItemAt, itemPath, KV_STRIDE, LastOrder, readFixed64, readKeyValue,
  readRange, requestBody, requestView, resetAttributes, resourceRow, scopeRow, Table, writeAttributes,
} from './protobuf-rows.ts';
import type { Rejections } from './validate.ts';

/** Appends every valid data point to the table of its type; returns what was rejected and why. */
export function appendMetricsRequestProtobuf(bytes: Uint8Array, blocks: MetricBlocks): Rejections {
  target = blocks;
  try {
    return appendRequestProtobuf(bytes, TARGET, METRICS);
  } finally {
    target = undefined;
    touched.clear();
  }
}

// ---- the blocks ------------------------------------------------------------------

type Table5 = keyof MetricBlocks;

// The request's blocks, and the marks of those written to so far, to roll back.
let target: MetricBlocks | undefined;
const touched = new Map<Table5, number[]>();

/** The columns of `table`, marked for rollback when first written to in this request. */
function open<T extends Table5>(table: T): MetricBlocks[T]['columns'] {
  const block = target![table];
  if (!touched.has(table)) touched.set(table, block.mark());
  return block.columns;
}

// What appendRequestProtobuf writes into and rolls back: no columns of its own (see open()).
const TARGET = {
  columns: undefined,
  mark(): void {
    touched.clear();
  },
  rollback(): void {
    for (const [table, marks] of touched) target![table].rollback(marks);
  },
};

// ---- scratch (see protobuf-rows.ts) ------------------------------------------------

// The metric's name, description and unit ranges.
const NAME = 0;
const DESCRIPTION = 2;
const UNIT = 4;
const metricCells = new Uint32Array(6);

// The point's timestamps (low and high halves); its attributes are in `attributes`.
const START_TIME = 0;
const TIME = 2;
const pointCells = new Uint32Array(4);
// The point's numbers, each 0 unless given; an absent optional sum, min or max is stored as 0.
const FLAGS = 0;
const VALUE = 1;
const COUNT = 2;
const POINT_SUM = 3;
const MIN = 4;
const MAX = 5;
const SCALE = 6;
const ZERO_COUNT = 7;
const ZERO_THRESHOLD = 8;
const POSITIVE_OFFSET = 9;
const NEGATIVE_OFFSET = 10;
const point = new Float64Array(11);
// Repeated numbers as the decoder reads them (packed or not).
const bucketCounts: number[] = [];
const explicitBounds: number[] = [];
const positiveCounts: number[] = [];
const negativeCounts: number[] = [];
const quantiles: number[] = [];
const quantileValues: number[] = [];

// An exemplar row: time halves, span and trace id ranges, its attributes' rows in `nested`;
// its value in exemplarValues.
const EXEMPLAR_TIME = 0;
const EXEMPLAR_SPAN_ID = 2;
const EXEMPLAR_TRACE_ID = 4;
const EXEMPLAR_ATTRIBUTES = 6; // [from, to)
const EXEMPLAR_STRIDE = 8;
const exemplars = new Table(EXEMPLAR_STRIDE);
const exemplarValues: number[] = [];
const nested = new Table(KV_STRIDE);
const pointOrder = new LastOrder();
const exemplarOrder = new LastOrder();

// The data's aggregation_temporality and is_monotonic.
const data = { aggregationTemporality: 0, isMonotonic: false };

// ---- metrics ---------------------------------------------------------------------

const METRICS: FusedItems<undefined> = {
  messages: ['ExportMetricsServiceRequest', 'ResourceMetrics', 'ScopeMetrics'],
  path: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  append: appendMetric,
};

/** Where each data field is in Metric, and how its points are read and written. */
interface PointKind {
  /** The data message's name and its points', for errors. */
  readonly data: string;
  readonly name: string;
  readonly attributesTag: number;
  readonly flagsTag: number;
  /** Reads a field other than the common ones into scratch. */
  readonly readField: (r: WireReader, tag: number) => void;
  /** Why the point read is rejected, or undefined. */
  readonly problem: () => string | undefined;
  readonly write: () => void;
}

function appendMetric(r: WireReader, end: number, _c: undefined, rejected: Rejections, at: ItemAt): void {
  const start = r.pos;
  metricCells.fill(0);
  let last = 0; // the start of the last data field's tag
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: readRange(r, metricCells, NAME); break;
      case (2 << 3) | 2: readRange(r, metricCells, DESCRIPTION); break;
      case (3 << 3) | 2: readRange(r, metricCells, UNIT); break;
      case (12 << 3) | 2: readModelKeyValue(r, r.delimitedEnd(), 0); break; // metadata: checked, not stored
      default:
        if (kindOf(tag) === undefined) r.skip(tag);
        else {
          last = r.pos;
          r.pos = r.delimitedEnd();
        }
    }
  }
  r.exit(end, 'Metric');
  r.pos = start;
  while (r.pos < end) {
    const tag = r.tag();
    const kind = kindOf(tag);
    if (kind === undefined) r.skip(tag);
    else {
      const store = r.pos === last;
      appendData(r, r.delimitedEnd(), kind, store ? rejected : undefined, at);
    }
  }
}

function kindOf(tag: number): PointKind | undefined {
  switch (tag) {
    case (5 << 3) | 2: return GAUGE;
    case (7 << 3) | 2: return SUM;
    case (9 << 3) | 2: return HISTOGRAM;
    case (10 << 3) | 2: return EXPONENTIAL_HISTOGRAM;
    case (11 << 3) | 2: return SUMMARY;
    default: return undefined;
  }
}

/** Reads a data message, storing its points unless `rejected` is undefined (a data field replaced by a later one). */
function appendData(r: WireReader, end: number, kind: PointKind, rejected: Rejections | undefined, at: ItemAt): void {
  const start = r.pos;
  data.aggregationTemporality = 0;
  data.isMonotonic = false;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 2: r.pos = r.delimitedEnd(); break; // the points, below
      case (2 << 3) | 0: data.aggregationTemporality = r.int32(); break;
      case (3 << 3) | 0: data.isMonotonic = r.bool(); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, kind.data);
  r.pos = start;
  let pi = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag !== ((1 << 3) | 2)) {
      r.skip(tag);
      continue;
    }
    readPoint(r, r.delimitedEnd(), kind);
    if (rejected !== undefined) {
      const problem = kind.problem();
      if (problem === undefined) kind.write();
      else rejected.add(`${itemPath(at)}.dataPoints[${pi}]`, problem);
    }
    pi++;
  }
}

// ---- points ----------------------------------------------------------------------

/** The fields every point type has, here; the others by kind.readField. */
function readPoint(r: WireReader, end: number, kind: PointKind): void {
  resetPoint();
  const { attributesTag, flagsTag, readField } = kind;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === attributesTag) readKeyValue(r, r.delimitedEnd(), attributes);
    else if (tag === ((2 << 3) | 1)) readFixed64(r, pointCells, START_TIME);
    else if (tag === ((3 << 3) | 1)) readFixed64(r, pointCells, TIME);
    else if (tag === flagsTag) point[FLAGS] = r.uint32();
    else readField(r, tag);
  }
  r.exit(end, kind.name);
}

function resetPoint(): void {
  resetAttributes();
  nested.rows = 0;
  exemplars.rows = 0;
  if (exemplarValues.length !== 0) exemplarValues.length = 0;
  pointCells.fill(0);
  point.fill(0);
  // Setting an array's length costs even when it is 0 already.
  if (bucketCounts.length !== 0) bucketCounts.length = 0;
  if (explicitBounds.length !== 0) explicitBounds.length = 0;
  if (positiveCounts.length !== 0) positiveCounts.length = 0;
  if (negativeCounts.length !== 0) negativeCounts.length = 0;
  if (quantiles.length !== 0) quantiles.length = 0;
  if (quantileValues.length !== 0) quantileValues.length = 0;
}

const noProblem = (): undefined => undefined;

function pointKind(
  data: string,
  name: string,
  attributesField: number,
  flagsField: number,
  readField: PointKind['readField'],
  write: PointKind['write'],
  problem: PointKind['problem'] = noProblem,
): PointKind {
  return { data, name, attributesTag: (attributesField << 3) | 2, flagsTag: (flagsField << 3) | 0, readField, problem, write };
}

function readNumberPointField(r: WireReader, tag: number): void {
  switch (tag) {
    case (4 << 3) | 1: point[VALUE] = r.double(); break;
    case (5 << 3) | 2: readExemplar(r, r.delimitedEnd()); break;
    case (6 << 3) | 1: point[VALUE] = r.sfixed64Number(); break;
    default: r.skip(tag);
  }
}

const GAUGE = pointKind('Gauge', 'NumberDataPoint', 7, 8, readNumberPointField, () => {
  const c = open('otel_metrics_gauge');
  writeCommon(c);
  c.Value.push(point[VALUE]!);
  writeExemplars(c);
});

const SUM = pointKind('Sum', 'NumberDataPoint', 7, 8, readNumberPointField, () => {
  const c = open('otel_metrics_sum');
  writeCommon(c);
  c.Value.push(point[VALUE]!);
  writeExemplars(c);
  c.AggregationTemporality.push(data.aggregationTemporality);
  c.IsMonotonic.push(data.isMonotonic ? 1 : 0);
});

const HISTOGRAM = pointKind(
  'Histogram',
  'HistogramDataPoint',
  9,
  10,
  (r, tag) => {
    switch (tag) {
      case (4 << 3) | 1: point[COUNT] = r.fixed64Number(); break;
      case (5 << 3) | 1: point[POINT_SUM] = r.double(); break;
      case (6 << 3) | 2: r.packedFixed64(bucketCounts); break;
      case (6 << 3) | 1: bucketCounts.push(r.fixed64Number()); break;
      case (7 << 3) | 2: r.packedDouble(explicitBounds); break;
      case (7 << 3) | 1: explicitBounds.push(r.double()); break;
      case (8 << 3) | 2: readExemplar(r, r.delimitedEnd()); break;
      case (11 << 3) | 1: point[MIN] = r.double(); break;
      case (12 << 3) | 1: point[MAX] = r.double(); break;
      default: r.skip(tag);
    }
  },
  () => {
    const c = open('otel_metrics_histogram');
    writeCommon(c);
    c.Count.push(point[COUNT]!);
    c.Sum.push(point[POINT_SUM]!);
    pushNumbers(c.BucketCounts, bucketCounts);
    pushNumbers(c.ExplicitBounds, explicitBounds);
    writeExemplars(c);
    c.Min.push(point[MIN]!);
    c.Max.push(point[MAX]!);
    c.AggregationTemporality.push(data.aggregationTemporality);
  },
  () => histogramProblem(bucketCounts, explicitBounds),
);

const EXPONENTIAL_HISTOGRAM = pointKind(
  'ExponentialHistogram',
  'ExponentialHistogramDataPoint',
  1,
  10,
  (r, tag) => {
    switch (tag) {
      case (4 << 3) | 1: point[COUNT] = r.fixed64Number(); break;
      case (5 << 3) | 1: point[POINT_SUM] = r.double(); break;
      case (6 << 3) | 0: point[SCALE] = r.sint32(); break;
      case (7 << 3) | 1: point[ZERO_COUNT] = r.fixed64Number(); break;
      case (8 << 3) | 2: point[POSITIVE_OFFSET] = readBuckets(r, r.delimitedEnd(), point[POSITIVE_OFFSET]!, positiveCounts); break;
      case (9 << 3) | 2: point[NEGATIVE_OFFSET] = readBuckets(r, r.delimitedEnd(), point[NEGATIVE_OFFSET]!, negativeCounts); break;
      case (11 << 3) | 2: readExemplar(r, r.delimitedEnd()); break;
      case (12 << 3) | 1: point[MIN] = r.double(); break;
      case (13 << 3) | 1: point[MAX] = r.double(); break;
      case (14 << 3) | 1: point[ZERO_THRESHOLD] = r.double(); break;
      default: r.skip(tag);
    }
  },
  () => {
    const c = open('otel_metrics_exponential_histogram');
    writeCommon(c);
    c.Count.push(point[COUNT]!);
    c.Sum.push(point[POINT_SUM]!);
    c.Scale.push(point[SCALE]!);
    c.ZeroCount.push(point[ZERO_COUNT]!);
    c.PositiveOffset.push(point[POSITIVE_OFFSET]!);
    pushNumbers(c.PositiveBucketCounts, positiveCounts);
    c.NegativeOffset.push(point[NEGATIVE_OFFSET]!);
    pushNumbers(c.NegativeBucketCounts, negativeCounts);
    writeExemplars(c);
    c.Min.push(point[MIN]!);
    c.Max.push(point[MAX]!);
    c.AggregationTemporality.push(data.aggregationTemporality);
    c.ZeroThreshold.push(point[ZERO_THRESHOLD]!);
  },
);

/** Buckets merged into `counts`; returns the offset, `offset` unless given. */
function readBuckets(r: WireReader, end: number, offset: number, counts: number[]): number {
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (1 << 3) | 0: offset = r.sint32(); break;
      case (2 << 3) | 2: r.packedUint64(counts); break;
      case (2 << 3) | 0: counts.push(r.uint64()); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'ExponentialHistogramDataPoint.Buckets');
  return offset;
}

const SUMMARY = pointKind(
  'Summary',
  'SummaryDataPoint',
  7,
  8,
  (r, tag) => {
    switch (tag) {
      case (4 << 3) | 1: point[COUNT] = r.fixed64Number(); break;
      case (5 << 3) | 1: point[POINT_SUM] = r.double(); break;
      case (6 << 3) | 2: {
        const q = readValueAtQuantile(r, r.delimitedEnd()); // summaries are rare: the object is fine
        quantiles.push(q.quantile);
        quantileValues.push(q.value);
        break;
      }
      default: r.skip(tag);
    }
  },
  () => {
    const c = open('otel_metrics_summary');
    writeCommon(c);
    c.Count.push(point[COUNT]!);
    c.Sum.push(point[POINT_SUM]!);
    pushNumbers(c['ValueAtQuantiles.Quantile'], quantiles);
    pushNumbers(c['ValueAtQuantiles.Value'], quantileValues);
  },
);

function readExemplar(r: WireReader, end: number): void {
  const at = exemplars.add();
  const cells = exemplars.cells;
  const index = exemplarValues.length;
  exemplarValues.push(0);
  cells[at + EXEMPLAR_ATTRIBUTES] = nested.rows;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case (2 << 3) | 1: readFixed64(r, cells, at + EXEMPLAR_TIME); break;
      case (3 << 3) | 1: exemplarValues[index] = r.double(); break;
      case (4 << 3) | 2: readRange(r, cells, at + EXEMPLAR_SPAN_ID); break;
      case (5 << 3) | 2: readRange(r, cells, at + EXEMPLAR_TRACE_ID); break;
      case (6 << 3) | 1: exemplarValues[index] = r.sfixed64Number(); break;
      case (7 << 3) | 2: readKeyValue(r, r.delimitedEnd(), nested); break;
      default: r.skip(tag);
    }
  }
  r.exit(end, 'Exemplar');
  cells[at + EXEMPLAR_ATTRIBUTES + 1] = nested.rows;
}

// ---- rows ------------------------------------------------------------------------

/** The columns every point type has, for the point in scratch. */
function writeCommon(c: CommonColumns): void {
  const view = requestView();
  c.ResourceAttributes.pushAll(resourceRow.attributes);
  c.ResourceSchemaUrl.pushAll(resourceRow.schemaUrl);
  c.ScopeName.pushAll(scopeRow.name);
  c.ScopeVersion.pushAll(scopeRow.version);
  c.ScopeAttributes.pushAll(scopeRow.attributes);
  c.ScopeDroppedAttrCount.push(scopeRow.droppedAttributesCount);
  c.ScopeSchemaUrl.pushAll(scopeRow.schemaUrl);
  c.ServiceName.pushAll(resourceRow.serviceName);
  c.MetricName.pushUtf8(view, metricCells[NAME]!, metricCells[NAME + 1]!);
  c.MetricDescription.pushUtf8(view, metricCells[DESCRIPTION]!, metricCells[DESCRIPTION + 1]!);
  c.MetricUnit.pushUtf8(view, metricCells[UNIT]!, metricCells[UNIT + 1]!);
  writeAttributes(c.Attributes, attributes, 0, attributes.rows, pointOrder);
  c.StartTimeUnix.pushWords(pointCells[START_TIME]!, pointCells[START_TIME + 1]!);
  c.TimeUnix.pushWords(pointCells[TIME]!, pointCells[TIME + 1]!);
  c.Flags.push(point[FLAGS]!);
}

/** The point's exemplars, as one row of each Exemplars.* column. */
function writeExemplars(c: ExemplarColumns): void {
  const buf = requestBody();
  const cells = exemplars.cells;
  const filtered = c['Exemplars.FilteredAttributes'];
  const time = c['Exemplars.TimeUnix'];
  const value = c['Exemplars.Value'];
  const spanId = c['Exemplars.SpanId'];
  const traceId = c['Exemplars.TraceId'];
  for (let e = 0; e < exemplars.rows; e++) {
    const at = e * EXEMPLAR_STRIDE;
    writeAttributes(filtered.inner, nested, cells[at + EXEMPLAR_ATTRIBUTES]!, cells[at + EXEMPLAR_ATTRIBUTES + 1]!, exemplarOrder);
    time.inner.pushWords(cells[at + EXEMPLAR_TIME]!, cells[at + EXEMPLAR_TIME + 1]!);
    value.inner.push(exemplarValues[e]!);
    spanId.inner.pushHex(buf, cells[at + EXEMPLAR_SPAN_ID]!, cells[at + EXEMPLAR_SPAN_ID + 1]!);
    traceId.inner.pushHex(buf, cells[at + EXEMPLAR_TRACE_ID]!, cells[at + EXEMPLAR_TRACE_ID + 1]!);
  }
  filtered.endRow();
  time.endRow();
  value.endRow();
  spanId.endRow();
  traceId.endRow();
}
