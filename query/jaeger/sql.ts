// The SQL of the Jaeger API, as named, reviewed text. Every value that comes from a request
// travels as a query parameter ({name:Type}); nothing a client sends is ever spliced into the
// text. The only generated part is the search's WHERE clause, put together from the fixed
// fragments below with parameter names chosen here (t0k, t0v, ...), never from input.
// test/jaeger.test.ts snapshots the generated SQL.
//
// Times go in as unix microseconds (Int64) and are turned into DateTime64 in SQL, so
// partitions (by day) and the primary key's toDateTime(Timestamp) still prune.
import { spanSource } from '../traces/attribute-lookup.ts';

/** Distinct service names with spans in [start, end]. */
export const SERVICES = `
SELECT DISTINCT ServiceName AS service
FROM otel_traces
WHERE Timestamp >= fromUnixTimestamp64Micro({start:Int64})
  AND Timestamp <= fromUnixTimestamp64Micro({end:Int64})
  AND ServiceName != ''
ORDER BY service`;

/** Distinct (span name, span kind) of one service in [start, end]; kind '' = every kind. */
export const OPERATIONS = `
SELECT SpanName AS name, SpanKind AS kind
FROM otel_traces
WHERE ServiceName = {service:String}
  AND Timestamp >= fromUnixTimestamp64Micro({start:Int64})
  AND Timestamp <= fromUnixTimestamp64Micro({end:Int64})
  AND ({kind:String} = '' OR SpanKind = {kind:String})
GROUP BY name, kind
ORDER BY name, kind`;

// Attribute maps are read as [[key, value], ...] so their order (sorted at ingest) and keys
// such as "42" or "__proto__" survive JSON.parse unchanged.
const SPAN_COLUMNS = `
    TraceId AS traceId,
    SpanId AS spanId,
    ParentSpanId AS parentSpanId,
    TraceState AS traceState,
    SpanName AS name,
    SpanKind AS kind,
    ServiceName AS service,
    arrayZip(mapKeys(ResourceAttributes), mapValues(ResourceAttributes)) AS resource,
    ScopeName AS scopeName,
    ScopeVersion AS scopeVersion,
    arrayZip(mapKeys(SpanAttributes), mapValues(SpanAttributes)) AS attributes,
    toUnixTimestamp64Nano(Timestamp) AS startNs,
    Duration AS durationNs,
    StatusCode AS statusCode,
    StatusMessage AS statusMessage,
    arrayMap(t -> toUnixTimestamp64Nano(t), Events.Timestamp) AS eventTimesNs,
    Events.Name AS eventNames,
    arrayMap(m -> arrayZip(mapKeys(m), mapValues(m)), Events.Attributes) AS eventAttributes,
    Links.TraceId AS linkTraceIds,
    Links.SpanId AS linkSpanIds,
    Links.TraceState AS linkTraceStates,
    arrayMap(m -> arrayZip(mapKeys(m), mapValues(m)), Links.Attributes) AS linkAttributes,
    Flags AS flags`;

/** Every span of the given traces: from the copy of the spans ordered by trace id. */
const OF_TRACES = `
FROM vigil_traces_by_id
WHERE TraceId IN {ids:Array(String)}`;

/**
 * Only the spans that started in [start, end]. Left out when a request names no range: the
 * engine then reads no Timestamp (~2.5 ms of a ~12 ms lookup of one trace at 10M spans).
 */
const IN_RANGE = `
  AND Timestamp >= fromUnixTimestamp64Micro({start:Int64})
  AND Timestamp <= fromUnixTimestamp64Micro({end:Int64})`;

interface SpanStatements {
  json: string;
  withoutJson: string;
}

function spanStatements(from: string): SpanStatements {
  return {
    json: `
SELECT
    Span,
    arrayZip(mapKeys(ResourceAttributes), mapValues(ResourceAttributes)),
    arrayZip(mapKeys(SpanAttributes), mapValues(SpanAttributes))${from}`,
    withoutJson: `
SELECT${SPAN_COLUMNS}${from}
  AND Span = ''`,
  };
}

const ALL_SPANS = spanStatements(OF_TRACES);
const SPANS_IN_RANGE = spanStatements(OF_TRACES + IN_RANGE);

/**
 * The statements that read whole traces, with or without a time range. `json`: the spans of
 * the given traces as [JSON of the span without its attribute maps (column Span,
 * schemas/migrations/0013_span_json.sql), resource attributes, span attributes], from the copy
 * of the spans ordered by trace id (vigil_traces_by_id, 0005_query_speed.sql): a trace is a
 * contiguous range there, found through the primary key, and three columns are read. Spans
 * stored before 0013 have Span = ''; `withoutJson` reads those from their columns. In no
 * particular order.
 */
export function spansOfTraces(inRange: boolean): SpanStatements {
  return inRange ? SPANS_IN_RANGE : ALL_SPANS;
}

// --- trace search -----------------------------------------------------------------------

/** Always part of a search: the time window. */
const SEARCH_TIME = `Timestamp >= fromUnixTimestamp64Micro({start:Int64})
  AND Timestamp <= fromUnixTimestamp64Micro({end:Int64})`;
const SEARCH_SERVICE = 'ServiceName = {service:String}';
const SEARCH_OPERATION = 'SpanName = {operation:String}';
const SEARCH_MIN_DURATION = 'Duration >= {minDuration:UInt64}';
const SEARCH_MAX_DURATION = 'Duration <= {maxDuration:UInt64}';

/**
 * A tag matches a span attribute or a resource attribute with that key and value (mapContains
 * so that an empty value does not match every span lacking the key).
 */
const tagAttribute = (k: string, v: string) =>
  `(mapContains(SpanAttributes, {${k}:String}) AND SpanAttributes[{${k}:String}] = {${v}:String})` +
  ` OR (mapContains(ResourceAttributes, {${k}:String}) AND ResourceAttributes[{${k}:String}] = {${v}:String})`;

/**
 * Tags Jaeger derives from span fields rather than attributes: they match the field (x is the
 * stored form of the value, e.g. span.kind=server -> 'Server') or, as any tag, an attribute.
 */
export const DERIVED_TAG_COLUMNS: Readonly<Record<string, string>> = {
  'span.kind': 'SpanKind',
  'otel.status_code': 'StatusCode',
  error: 'StatusCode',
  'otel.status_description': 'StatusMessage',
  'otel.scope.name': 'ScopeName',
  'otel.scope.version': 'ScopeVersion',
  'w3c.tracestate': 'TraceState',
};

/** A tag condition, with the parameters it needs, as built by traceSearchSql. */
export interface SearchTag {
  key: string;
  value: string;
  /** The stored value of a derived field to compare with (see DERIVED_TAG_COLUMNS), if any. */
  derived?: { column: string; value: string } | undefined;
}

export interface TraceSearchSql {
  query: string;
  params: Record<string, string | number>;
}

/**
 * Ids of the traces with at least one span matching every condition, newest first (by the
 * latest matching span), at most {limit:UInt32} of them. Tags that only attributes can match
 * go through the attribute lookup first (../traces/attribute-lookup.ts).
 */
export function traceSearchSql(filter: {
  service?: string | undefined;
  operation?: string | undefined;
  minDurationNs?: bigint | undefined;
  maxDurationNs?: bigint | undefined;
  tags: readonly SearchTag[];
  startUs: number;
  endUs: number;
  limit: number;
  /** Whether the attribute lookup covers the range (../traces/attribute-lookup.ts). */
  lookup: boolean;
}): TraceSearchSql {
  const where = [SEARCH_TIME];
  const params: Record<string, string | number> = { start: filter.startUs, end: filter.endUs, limit: filter.limit };
  if (filter.service !== undefined) {
    where.push(SEARCH_SERVICE);
    params.service = filter.service;
  }
  if (filter.operation !== undefined) {
    where.push(SEARCH_OPERATION);
    params.operation = filter.operation;
  }
  if (filter.minDurationNs !== undefined) {
    where.push(SEARCH_MIN_DURATION);
    params.minDuration = filter.minDurationNs.toString();
  }
  if (filter.maxDurationNs !== undefined) {
    where.push(SEARCH_MAX_DURATION);
    params.maxDuration = filter.maxDurationNs.toString();
  }
  filter.tags.forEach((tag, i) => {
    const k = `t${i}k`;
    const v = `t${i}v`;
    params[k] = tag.key;
    params[v] = tag.value;
    let condition = tagAttribute(k, v);
    if (tag.derived !== undefined) {
      // The column name comes from DERIVED_TAG_COLUMNS, never from the request.
      const column = Object.values(DERIVED_TAG_COLUMNS).find((c) => c === tag.derived!.column);
      if (column === undefined) throw new Error(`not a derived tag column: ${tag.derived.column}`);
      const x = `t${i}x`;
      params[x] = tag.derived.value;
      condition = `${column} = {${x}:String} OR ${condition}`;
    }
    where.push(`(${condition})`);
  });
  const lookup = filter.lookup ? filter.tags.filter((t) => t.derived === undefined) : [];
  const source = spanSource(lookup, BigInt(Math.floor(filter.startUs / 1e6)), BigInt(Math.floor(filter.endUs / 1e6)), params);
  const query = `
SELECT TraceId AS traceId, max(Timestamp) AS latest
FROM ${source}
WHERE ${where.join('\n  AND ')}
GROUP BY traceId
ORDER BY latest DESC, traceId
LIMIT {limit:UInt32}`;
  return { query, params };
}
