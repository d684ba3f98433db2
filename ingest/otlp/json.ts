// Decoders for OTLP/JSON requests: JSON.parse, then one walk that applies the OTLP/JSON
// rules (the proto3 JSON mapping with OTLP's changes) and produces the same model as
// the protobuf decoder:
// - keys are lowerCamelCase; anything else, snake_case included, is an unknown field
//   and ignored; `null` means absent.
// - trace and span ids are hex (not base64), lowercased; a malformed id string passes
//   through so rows/ rejects just that item, but a non-string id is a type error.
// - 64-bit integers are decimal strings or numbers; doubles are numbers or numeric
//   strings, incl. "NaN", "Infinity", "-Infinity"; enums are integers or their names.
// A value of the wrong type fails the whole request with its path, since the sender's
// encoder is broken and guessing would store wrong data.

import { Buffer } from 'node:buffer';
import { vigilError, type VigilError } from '../../schemas/errors.ts';
import { MAX_DEPTH } from './wire.ts';
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
  Span,
  SpanEvent,
  SpanLink,
  SpanStatus,
  SummaryDataPoint,
} from './model.ts';

type JsonObject = { [key: string]: unknown };

export function decodeTraceJson(text: string): ExportTraceRequest {
  const body = parseBody(text);
  return { resourceSpans: list(body.resourceSpans, '', 'resourceSpans', readResourceEnvelope, TRACES) };
}

export function decodeMetricsJson(text: string): ExportMetricsRequest {
  const body = parseBody(text);
  return { resourceMetrics: list(body.resourceMetrics, '', 'resourceMetrics', readResourceEnvelope, METRICS) };
}

export function decodeLogsJson(text: string): ExportLogsRequest {
  const body = parseBody(text);
  return { resourceLogs: list(body.resourceLogs, '', 'resourceLogs', readResourceEnvelope, LOGS) };
}

function parseBody(text: string): JsonObject {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw vigilError('VIGIL_ERR_BAD_JSON', (err as Error).message);
  }
  if (!isObject(body)) {
    throw vigilError('VIGIL_ERR_BAD_OTLP_JSON', '(top level)', `expected an object, got ${describe(body)}`);
  }
  return body;
}

// ---- enums -------------------------------------------------------------------

const SPAN_KIND = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'].map((n) => `SPAN_KIND_${n}`);
const STATUS_CODE = ['UNSET', 'OK', 'ERROR'].map((n) => `STATUS_CODE_${n}`);
const AGGREGATION_TEMPORALITY = ['UNSPECIFIED', 'DELTA', 'CUMULATIVE'].map((n) => `AGGREGATION_TEMPORALITY_${n}`);
const SEVERITY_NUMBER = [
  'UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((l) => [l, `${l}2`, `${l}3`, `${l}4`]),
].map((n) => `SEVERITY_NUMBER_${n}`);

// ---- the envelopes -----------------------------------------------------------
// The three signals nest alike: Resource* { resource, <scopes>, schemaUrl } holds
// Scope* { scope, <items>, schemaUrl }. One reader serves them all; a Signal names the
// two lists and reads an item. The model's keys are the OTLP/JSON keys, so an envelope
// is built under the keys it was read from, and the types check that they match.

type Envelope<HK extends string, H, IK extends string, T> = { [K in HK]: H } & { [K in IK]: T[] } & { schemaUrl: string };
type ScopeEnvelope<IK extends string, T> = Envelope<'scope', InstrumentationScope, IK, T>;

interface Signal<SK extends string, IK extends string, T> {
  readonly scopesKey: SK;
  readonly itemsKey: IK;
  readonly readItem: (v: unknown, path: string) => T;
}

const TRACES = { scopesKey: 'scopeSpans', itemsKey: 'spans', readItem: readSpan } as const;
const LOGS = { scopesKey: 'scopeLogs', itemsKey: 'logRecords', readItem: readLogRecord } as const;
const METRICS = { scopesKey: 'scopeMetrics', itemsKey: 'metrics', readItem: readMetric } as const;

function readResourceEnvelope<SK extends string, IK extends string, T>(
  v: unknown,
  path: string,
  signal: Signal<SK, IK, T>,
): Envelope<'resource', Resource, SK, ScopeEnvelope<IK, T>> {
  return readEnvelope(v, path, 'resource', readResource, signal.scopesKey, readScopeEnvelope, signal);
}

function readScopeEnvelope<SK extends string, IK extends string, T>(v: unknown, path: string, signal: Signal<SK, IK, T>): ScopeEnvelope<IK, T> {
  return readEnvelope(v, path, 'scope', readScope, signal.itemsKey, signal.readItem, signal);
}

/** Reads `headKey` with `readHead`, then the `itemsKey` list (passing `context`), then schemaUrl. */
function readEnvelope<HK extends string, H, IK extends string, T, C>(
  v: unknown,
  path: string,
  headKey: HK,
  readHead: (v: unknown, path: string, key: string) => H,
  itemsKey: IK,
  readItem: (v: unknown, path: string, context: C) => T,
  context: C,
): Envelope<HK, H, IK, T> {
  const o = element(v, path);
  const head = readHead(o[headKey], path, headKey);
  const items = list(o[itemsKey], path, itemsKey, readItem, context);
  return { [headKey]: head, [itemsKey]: items, schemaUrl: string(o.schemaUrl, path, 'schemaUrl') } as Envelope<HK, H, IK, T>;
}

// ---- common/v1, resource/v1 --------------------------------------------------

function readResource(v: unknown, path: string, key: string): Resource {
  const o = message(v, path, key);
  if (o === undefined) return { attributes: [], droppedAttributesCount: 0 };
  const p = join(path, key);
  return {
    attributes: list(o.attributes, p, 'attributes', readKeyValue),
    droppedAttributesCount: uint32(o.droppedAttributesCount, p, 'droppedAttributesCount'),
  };
}

function readScope(v: unknown, path: string, key: string): InstrumentationScope {
  const o = message(v, path, key);
  if (o === undefined) return { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  const p = join(path, key);
  return {
    name: string(o.name, p, 'name'),
    version: string(o.version, p, 'version'),
    attributes: list(o.attributes, p, 'attributes', readKeyValue),
    droppedAttributesCount: uint32(o.droppedAttributesCount, p, 'droppedAttributesCount'),
  };
}

function readKeyValue(v: unknown, path: string, depth = 0): KeyValue {
  const o = element(v, path);
  return { key: string(o.key, path, 'key'), value: readAnyValue(o.value, join(path, 'value'), depth) };
}

function readAnyValue(v: unknown, path: string, depth: number): AnyValue {
  if (v === undefined || v === null) return null;
  if (depth > MAX_DEPTH) throw invalid(path, '', undefined, `AnyValue is nested deeper than ${MAX_DEPTH} levels`);
  const o = element(v, path);
  let value: AnyValue = null;
  let setBy = '';
  // The oneof has one member set in practice, so walk the keys present rather than
  // probing all seven.
  for (const key in o) {
    const raw = o[key];
    if (raw === null) continue;
    let member: AnyValue;
    switch (key) {
      case 'stringValue': member = string(raw, path, key); break;
      case 'boolValue': member = bool(raw, path, key); break;
      case 'intValue': member = int64(raw, path, key); break;
      case 'doubleValue': member = double(raw, path, key); break;
      case 'arrayValue': member = readValues(raw, join(path, key), readAnyValue, depth + 1); break;
      case 'kvlistValue': member = { kvlist: readValues(raw, join(path, key), readKeyValue, depth + 1) }; break;
      case 'bytesValue': member = base64(raw, path, key); break;
      default: continue; // unknown field
    }
    if (setBy !== '') throw invalid(path, '', undefined, `more than one value is set (${setBy} and ${key})`);
    setBy = key;
    value = member;
  }
  return value;
}

/** ArrayValue and KeyValueList: an object whose `values` lists AnyValues or KeyValues. */
function readValues<T>(v: unknown, path: string, readValue: (v: unknown, path: string, depth: number) => T, depth: number): T[] {
  return list(element(v, path).values, path, 'values', readValue, depth);
}

// ---- trace/v1 ----------------------------------------------------------------

function readSpan(v: unknown, path: string): Span {
  const o = element(v, path);
  return {
    traceId: id(o.traceId, path, 'traceId'),
    spanId: id(o.spanId, path, 'spanId'),
    traceState: string(o.traceState, path, 'traceState'),
    parentSpanId: id(o.parentSpanId, path, 'parentSpanId'),
    flags: uint32(o.flags, path, 'flags'),
    name: string(o.name, path, 'name'),
    kind: enumeration(o.kind, path, 'kind', SPAN_KIND),
    startTimeUnixNano: timestamp(o.startTimeUnixNano, path, 'startTimeUnixNano'),
    endTimeUnixNano: timestamp(o.endTimeUnixNano, path, 'endTimeUnixNano'),
    attributes: list(o.attributes, path, 'attributes', readKeyValue),
    droppedAttributesCount: uint32(o.droppedAttributesCount, path, 'droppedAttributesCount'),
    events: list(o.events, path, 'events', readEvent),
    droppedEventsCount: uint32(o.droppedEventsCount, path, 'droppedEventsCount'),
    links: list(o.links, path, 'links', readLink),
    droppedLinksCount: uint32(o.droppedLinksCount, path, 'droppedLinksCount'),
    status: readStatus(o.status, path, 'status'),
  };
}

function readEvent(v: unknown, path: string): SpanEvent {
  const o = element(v, path);
  return {
    timeUnixNano: timestamp(o.timeUnixNano, path, 'timeUnixNano'),
    name: string(o.name, path, 'name'),
    attributes: list(o.attributes, path, 'attributes', readKeyValue),
    droppedAttributesCount: uint32(o.droppedAttributesCount, path, 'droppedAttributesCount'),
  };
}

function readLink(v: unknown, path: string): SpanLink {
  const o = element(v, path);
  return {
    traceId: id(o.traceId, path, 'traceId'),
    spanId: id(o.spanId, path, 'spanId'),
    traceState: string(o.traceState, path, 'traceState'),
    attributes: list(o.attributes, path, 'attributes', readKeyValue),
    droppedAttributesCount: uint32(o.droppedAttributesCount, path, 'droppedAttributesCount'),
    flags: uint32(o.flags, path, 'flags'),
  };
}

function readStatus(v: unknown, path: string, key: string): SpanStatus {
  const o = message(v, path, key);
  if (o === undefined) return { message: '', code: 0 };
  const p = join(path, key);
  return { message: string(o.message, p, 'message'), code: enumeration(o.code, p, 'code', STATUS_CODE) };
}

// ---- logs/v1 -----------------------------------------------------------------

function readLogRecord(v: unknown, path: string): LogRecord {
  const o = element(v, path);
  return {
    timeUnixNano: timestamp(o.timeUnixNano, path, 'timeUnixNano'),
    observedTimeUnixNano: timestamp(o.observedTimeUnixNano, path, 'observedTimeUnixNano'),
    severityNumber: enumeration(o.severityNumber, path, 'severityNumber', SEVERITY_NUMBER),
    severityText: string(o.severityText, path, 'severityText'),
    body: readAnyValue(o.body, join(path, 'body'), 0),
    attributes: list(o.attributes, path, 'attributes', readKeyValue),
    droppedAttributesCount: uint32(o.droppedAttributesCount, path, 'droppedAttributesCount'),
    flags: uint32(o.flags, path, 'flags'),
    traceId: id(o.traceId, path, 'traceId'),
    spanId: id(o.spanId, path, 'spanId'),
    eventName: string(o.eventName, path, 'eventName'),
  };
}

// ---- metrics/v1 --------------------------------------------------------------

const METRIC_DATA_KEYS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

function readMetric(v: unknown, path: string): Metric {
  const o = element(v, path);
  let data: MetricData | null = null;
  let setBy = '';
  for (const key of METRIC_DATA_KEYS) {
    const d = message(o[key], path, key);
    if (d === undefined) continue;
    if (setBy !== '') throw invalid(path, '', undefined, `more than one of the data oneof is set (${setBy} and ${key})`);
    setBy = key;
    data = readMetricData(key, d, join(path, key));
  }
  return {
    name: string(o.name, path, 'name'),
    description: string(o.description, path, 'description'),
    unit: string(o.unit, path, 'unit'),
    metadata: list(o.metadata, path, 'metadata', readKeyValue),
    data,
  };
}

function readMetricData(type: (typeof METRIC_DATA_KEYS)[number], o: JsonObject, path: string): MetricData {
  switch (type) {
    case 'gauge':
      return { type, dataPoints: list(o.dataPoints, path, 'dataPoints', readDataPoint, numberPoint) };
    case 'sum':
      return {
        type,
        dataPoints: list(o.dataPoints, path, 'dataPoints', readDataPoint, numberPoint),
        aggregationTemporality: enumeration(o.aggregationTemporality, path, 'aggregationTemporality', AGGREGATION_TEMPORALITY),
        isMonotonic: bool(o.isMonotonic, path, 'isMonotonic'),
      };
    case 'histogram':
      return {
        type,
        dataPoints: list(o.dataPoints, path, 'dataPoints', readDataPoint, histogramPoint),
        aggregationTemporality: enumeration(o.aggregationTemporality, path, 'aggregationTemporality', AGGREGATION_TEMPORALITY),
      };
    case 'exponentialHistogram':
      return {
        type,
        dataPoints: list(o.dataPoints, path, 'dataPoints', readDataPoint, exponentialHistogramPoint),
        aggregationTemporality: enumeration(o.aggregationTemporality, path, 'aggregationTemporality', AGGREGATION_TEMPORALITY),
      };
    case 'summary':
      return { type, dataPoints: list(o.dataPoints, path, 'dataPoints', readDataPoint, summaryPoint) };
  }
}

/** The `value` oneof of number points and exemplars: as_double or as_int, as a number. */
function pointValue(o: JsonObject, path: string): number {
  const asDouble = o.asDouble;
  const asInt = o.asInt;
  if (asInt === undefined || asInt === null) return double(asDouble, path, 'asDouble');
  if (asDouble !== undefined && asDouble !== null) {
    throw invalid(path, '', undefined, 'more than one of the value oneof is set (asDouble and asInt)');
  }
  return Number(int64(asInt, path, 'asInt'));
}

// The four data point types begin with attributes, startTimeUnixNano and timeUnixNano:
// readDataPoint reads those, in that order, and the type's maker reads the rest.
type PointMaker<P> = (o: JsonObject, path: string, attributes: KeyValue[], startTimeUnixNano: bigint, timeUnixNano: bigint) => P;

function readDataPoint<P>(v: unknown, path: string, make: PointMaker<P>): P {
  const o = element(v, path);
  const attributes = list(o.attributes, path, 'attributes', readKeyValue);
  const startTimeUnixNano = timestamp(o.startTimeUnixNano, path, 'startTimeUnixNano');
  const timeUnixNano = timestamp(o.timeUnixNano, path, 'timeUnixNano');
  return make(o, path, attributes, startTimeUnixNano, timeUnixNano);
}

const numberPoint: PointMaker<NumberDataPoint> = (o, path, attributes, startTimeUnixNano, timeUnixNano) => ({
  attributes,
  startTimeUnixNano,
  timeUnixNano,
  value: pointValue(o, path),
  exemplars: list(o.exemplars, path, 'exemplars', readExemplar),
  flags: uint32(o.flags, path, 'flags'),
});

const histogramPoint: PointMaker<HistogramDataPoint> = (o, path, attributes, startTimeUnixNano, timeUnixNano) => ({
  attributes,
  startTimeUnixNano,
  timeUnixNano,
  count: count(o.count, path, 'count'),
  sum: optionalDouble(o.sum, path, 'sum'),
  bucketCounts: counts(o.bucketCounts, path, 'bucketCounts'),
  explicitBounds: doubles(o.explicitBounds, path, 'explicitBounds'),
  exemplars: list(o.exemplars, path, 'exemplars', readExemplar),
  flags: uint32(o.flags, path, 'flags'),
  min: optionalDouble(o.min, path, 'min'),
  max: optionalDouble(o.max, path, 'max'),
});

const exponentialHistogramPoint: PointMaker<ExponentialHistogramDataPoint> = (o, path, attributes, startTimeUnixNano, timeUnixNano) => ({
  attributes,
  startTimeUnixNano,
  timeUnixNano,
  count: count(o.count, path, 'count'),
  sum: optionalDouble(o.sum, path, 'sum'),
  scale: int32(o.scale, path, 'scale'),
  zeroCount: count(o.zeroCount, path, 'zeroCount'),
  positive: readBuckets(o.positive, path, 'positive'),
  negative: readBuckets(o.negative, path, 'negative'),
  flags: uint32(o.flags, path, 'flags'),
  exemplars: list(o.exemplars, path, 'exemplars', readExemplar),
  min: optionalDouble(o.min, path, 'min'),
  max: optionalDouble(o.max, path, 'max'),
  zeroThreshold: double(o.zeroThreshold, path, 'zeroThreshold'),
});

function readBuckets(v: unknown, path: string, key: string): ExponentialHistogramBuckets {
  const o = message(v, path, key);
  if (o === undefined) return { offset: 0, bucketCounts: [] };
  const p = join(path, key);
  return { offset: int32(o.offset, p, 'offset'), bucketCounts: counts(o.bucketCounts, p, 'bucketCounts') };
}

const summaryPoint: PointMaker<SummaryDataPoint> = (o, path, attributes, startTimeUnixNano, timeUnixNano) => ({
  attributes,
  startTimeUnixNano,
  timeUnixNano,
  count: count(o.count, path, 'count'),
  sum: double(o.sum, path, 'sum'),
  quantileValues: list(o.quantileValues, path, 'quantileValues', readValueAtQuantile),
  flags: uint32(o.flags, path, 'flags'),
});

function readValueAtQuantile(v: unknown, path: string): { quantile: number; value: number } {
  const o = element(v, path);
  return { quantile: double(o.quantile, path, 'quantile'), value: double(o.value, path, 'value') };
}

function readExemplar(v: unknown, path: string): Exemplar {
  const o = element(v, path);
  return {
    filteredAttributes: list(o.filteredAttributes, path, 'filteredAttributes', readKeyValue),
    timeUnixNano: timestamp(o.timeUnixNano, path, 'timeUnixNano'),
    value: pointValue(o, path),
    spanId: id(o.spanId, path, 'spanId'),
    traceId: id(o.traceId, path, 'traceId'),
  };
}

// ---- structure ---------------------------------------------------------------
// Element readers get their own full path; scalar readers get the enclosing path and
// the key, so the path string is only built when there is an error to report.

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object that must be there: an array element or the root of a nested value. */
function element(v: unknown, path: string): JsonObject {
  if (!isObject(v)) throw vigilError('VIGIL_ERR_BAD_OTLP_JSON', path, `expected an object, got ${describe(v)}`);
  return v;
}

/** A singular message field: undefined when absent. */
function message(v: unknown, path: string, key: string): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw typeError(v, path, key, undefined, 'an object');
  return v;
}

const NONE: readonly unknown[] = Object.freeze([]);

function array(v: unknown, path: string, key: string): readonly unknown[] {
  if (v === undefined || v === null) return NONE;
  if (!Array.isArray(v)) throw typeError(v, path, key, undefined, 'an array');
  return v;
}

/** Reads each element with `read`, passing it `context` (a module constant, or a depth) if given. */
function list<T, C = undefined>(v: unknown, path: string, key: string, read: (item: unknown, path: string, context: C) => T, context?: C): T[] {
  const items = array(v, path, key);
  const out: T[] = [];
  if (items.length === 0) return out;
  const p = join(path, key);
  for (let i = 0; i < items.length; i++) out.push(read(items[i], `${p}[${i}]`, context as C));
  return out;
}

// ---- scalars -----------------------------------------------------------------

const DECIMAL = /^-?\d+$/;
const NUMERIC = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;
const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function string(v: unknown, path: string, key: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw typeError(v, path, key, undefined, 'a string');
  return v;
}

function id(v: unknown, path: string, key: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw typeError(v, path, key, undefined, 'a hex string');
  return v.toLowerCase();
}

function bool(v: unknown, path: string, key: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw typeError(v, path, key, undefined, 'true or false');
  return v;
}

/** int32/uint32 fields: a JSON number or a decimal string, range-checked. */
function integer(v: unknown, path: string, key: string, min: number, max: number): number {
  if (v === undefined || v === null) return 0;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && DECIMAL.test(v)) n = Number(v);
  else throw typeError(v, path, key, undefined, 'an integer');
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalid(path, key, undefined, `${JSON.stringify(v)} is not an integer in [${min}, ${max}]`);
  }
  return n;
}

function uint32(v: unknown, path: string, key: string): number {
  return integer(v, path, key, 0, 0xffffffff);
}

function int32(v: unknown, path: string, key: string): number {
  return integer(v, path, key, -0x80000000, 0x7fffffff);
}

/** Enums: the integer (unknown values kept, proto3 enums are open) or the value's name. */
function enumeration(v: unknown, path: string, key: string, names: readonly string[]): number {
  if (typeof v === 'string' && !DECIMAL.test(v)) {
    const n = names.indexOf(v);
    if (n < 0) throw invalid(path, key, undefined, `unknown enum value ${JSON.stringify(v)}; expected an integer or one of ${names.join(', ')}`);
    return n;
  }
  return int32(v, path, key);
}

/** A 64-bit integer as a bigint: a decimal string, or a JSON number holding an integer. */
function bigInteger(v: unknown, path: string, key: string, index: number | undefined, min: bigint, max: bigint): bigint {
  let n: bigint;
  if (typeof v === 'string' && DECIMAL.test(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else throw typeError(v, path, key, index, 'an integer (a decimal string or a number)');
  if (n < min || n > max) throw invalid(path, key, index, `${v} is out of range [${min}, ${max}]`);
  return n;
}

/** fixed64 timestamps, in nanoseconds. */
function timestamp(v: unknown, path: string, key: string): bigint {
  if (v === undefined || v === null) return 0n;
  return bigInteger(v, path, key, undefined, 0n, UINT64_MAX);
}

function int64(v: unknown, path: string, key: string): bigint {
  return bigInteger(v, path, key, undefined, INT64_MIN, INT64_MAX);
}

/** uint64/fixed64 counts, as numbers (exact up to 2^53). */
function count(v: unknown, path: string, key: string, index?: number): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  return Number(bigInteger(v, path, key, index, 0n, UINT64_MAX));
}

function counts(v: unknown, path: string, key: string): number[] {
  const items = array(v, path, key);
  const out: number[] = [];
  for (let i = 0; i < items.length; i++) out.push(count(items[i], path, key, i));
  return out;
}

function double(v: unknown, path: string, key: string, index?: number): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (NUMERIC.test(v)) return Number(v);
  }
  throw typeError(v, path, key, index, 'a number (or "NaN", "Infinity", "-Infinity")');
}

function optionalDouble(v: unknown, path: string, key: string): number | undefined {
  return v === undefined || v === null ? undefined : double(v, path, key);
}

function doubles(v: unknown, path: string, key: string): number[] {
  const items = array(v, path, key);
  const out: number[] = [];
  for (let i = 0; i < items.length; i++) out.push(double(items[i], path, key, i));
  return out;
}

function base64(v: unknown, path: string, key: string): Uint8Array {
  if (typeof v !== 'string') throw typeError(v, path, key, undefined, 'a base64 string');
  if (!BASE64.test(v) || v.replace(/=+$/, '').length % 4 === 1) {
    throw invalid(path, key, undefined, `${describe(v)} is not valid base64`);
  }
  // A copy: Buffer.from may hand out a slice of its shared pool.
  return new Uint8Array(Buffer.from(v, 'base64'));
}

// ---- errors ------------------------------------------------------------------

function join(path: string, key: string): string {
  if (key === '') return path;
  return path === '' ? key : `${path}.${key}`;
}

function invalid(path: string, key: string, index: number | undefined, detail: string): VigilError {
  const where = join(path, key) + (index === undefined ? '' : `[${index}]`);
  return vigilError('VIGIL_ERR_BAD_OTLP_JSON', where, detail);
}

function typeError(v: unknown, path: string, key: string, index: number | undefined, expected: string): VigilError {
  return invalid(path, key, index, `expected ${expected}, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case 'number':
      return `the number ${v}`;
    case 'boolean':
      return `${v}`;
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}
