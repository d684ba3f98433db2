// The SQL of the series store, as named, reviewed text. Tag keys and values, names, times and
// limits travel as query parameters ({pN:String} ...); the only things spliced into the text
// are fragments chosen here from fixed tables (aggregate functions, column names of the span
// rollup). Tables: schemas/migrations/0006_atlas.sql.
import type { Aggregation, Consolidation, TagQuery } from '../asl/types.ts';
import { NAME, SPAN_SERIES, SPAN_TAG_COLUMNS, STATISTIC } from './series.ts';

export type Params = Record<string, unknown>;

/** How a tag key reads on one source: the SQL of its value and of "the series has it". */
export type TagAccessor = (key: string, params: Params) => { value: string; present: string };

/** Names a new parameter holding `value` and returns its placeholder. */
function param(params: Params, type: string, value: unknown): string {
  const name = `p${Object.keys(params).length}`;
  params[name] = value;
  return `{${name}:${type}}`;
}

/** Catalogue rows: `name` is MetricName, every other key lives in the Tags map. */
export const catalogueTag: TagAccessor = (key, params) => {
  if (key === NAME) return { value: 'MetricName', present: '1' };
  const k = param(params, 'String', key);
  return { value: `Tags[${k}]`, present: `mapContains(Tags, ${k})` };
};

/** Span rollup rows: fixed columns, plus the series name and statistic of the ARRAY JOIN. */
export const spanTag: TagAccessor = (key, params) => {
  if (key === NAME) return { value: 'series.1', present: '1' };
  if (key === STATISTIC) return { value: 'series.2', present: "series.2 != ''" };
  const column = SPAN_TAG_COLUMNS[key as keyof typeof SPAN_TAG_COLUMNS];
  if (column !== undefined) return { value: column, present: '1' };
  // A key the span series do not have: absent (Atlas: comparisons with it are false).
  param(params, 'String', key);
  return { value: "''", present: '0' };
};

/** The tag query as a condition (Atlas semantics: a comparison on a missing key is false). */
export function tagCondition(q: TagQuery, tag: TagAccessor, params: Params): string {
  const compare = (key: string, test: (value: string) => string): string => {
    const { value, present } = tag(key, params);
    return present === '1' ? test(value) : `(${present} AND ${test(value)})`;
  };
  switch (q.op) {
    case 'true':
      return '1';
    case 'false':
      return '0';
    case 'has':
      return tag(q.key, params).present;
    case 'eq':
      return compare(q.key, (v) => `${v} = ${param(params, 'String', q.value)}`);
    case 'lt':
      return compare(q.key, (v) => `${v} < ${param(params, 'String', q.value)}`);
    case 'le':
      return compare(q.key, (v) => `${v} <= ${param(params, 'String', q.value)}`);
    case 'gt':
      return compare(q.key, (v) => `${v} > ${param(params, 'String', q.value)}`);
    case 'ge':
      return compare(q.key, (v) => `${v} >= ${param(params, 'String', q.value)}`);
    case 're':
      // Atlas anchors the pattern at the start of the value.
      return compare(q.key, (v) => `match(${v}, concat('^(?:', ${param(params, 'String', q.value)}, ')'))`);
    case 'reic':
      return compare(q.key, (v) => `match(${v}, concat('(?i)^(?:', ${param(params, 'String', q.value)}, ')'))`);
    case 'contains':
      return compare(q.key, (v) => `position(${v}, ${param(params, 'String', q.value)}) > 0`);
    case 'starts':
      return compare(q.key, (v) => `startsWith(${v}, ${param(params, 'String', q.value)})`);
    case 'ends':
      return compare(q.key, (v) => `endsWith(${v}, ${param(params, 'String', q.value)})`);
    case 'in':
      return compare(q.key, (v) => `has(${param(params, 'Array(String)', q.values)}, ${v})`);
    case 'and':
      return `(${tagCondition(q.left, tag, params)} AND ${tagCondition(q.right, tag, params)})`;
    case 'or':
      return `(${tagCondition(q.left, tag, params)} OR ${tagCondition(q.right, tag, params)})`;
    case 'not':
      return `NOT ${tagCondition(q.query, tag, params)}`;
  }
}

/** The group key of a row: the values of the `:by` keys, in order (all present: checked by the caller). */
function groupKey(groupBy: readonly string[], tag: TagAccessor, params: Params): { key: string; present: string } {
  if (groupBy.length === 0) return { key: 'CAST([], \'Array(String)\')', present: '1' };
  const parts = groupBy.map((k) => tag(k, params));
  return { key: `[${parts.map((p) => `toString(${p.value})`).join(', ')}]`, present: parts.map((p) => p.present).join(' AND ') };
}

/**
 * A window in minutes: rows cover [start, end) unix ms, `step` a multiple of one minute. The
 * SQL reads `{start:Int64}`, `{end:Int64}`, `{step:Int64}` (ms).
 */
export interface MinuteWindow {
  start: number;
  end: number;
  step: number;
}

function windowParams(w: MinuteWindow, params: Params): void {
  params.start = w.start;
  params.end = w.end;
  params.step = w.step;
}

/** The catalogue rows matching the query in the window, with their group key (`:all`: the series). */
function catalogueSql(query: TagQuery, groupBy: readonly string[], params: Params): string {
  const condition = tagCondition(query, catalogueTag, params);
  const group = groupKey(groupBy, catalogueTag, params);
  return `SELECT MetricName, SeriesId, Kind, Tags, ${group.key} AS g
    FROM (
        SELECT MetricName, SeriesId, any(Kind) AS Kind, any(Tags) AS Tags, min(FirstSeen) AS first, max(LastSeen) AS last
        FROM vigil_metric_series
        WHERE ${condition}
        GROUP BY MetricName, SeriesId
    )
    WHERE last >= toDateTime(intDiv({start:Int64}, 1000) - 3600) AND first < toDateTime(intDiv({end:Int64}, 1000))
      AND ${group.present}`;
}

/** How many series and lines a request would read: checked against the limits first. */
export function seriesCountSql(query: TagQuery, groupBy: readonly string[], w: MinuteWindow): { query: string; params: Params } {
  const params: Params = {};
  windowParams(w, params);
  const sql = `SELECT count() AS series, uniqExact(g) AS lines FROM (${catalogueSql(query, groupBy, params)})`;
  return { query: sql, params };
}

/** A row's 60 per-minute values (NaN where there is none) from its slots, by the series kind. */
const MINUTE_VALUES = `
    multiIf(
        Kind = 'cumulative',
        if(length(k) = 61 AND StartMin = StartMax AND arrayMin(d) >= 0,
            arrayMap(x -> x / 60, d),
            arrayMap(ix -> if(ix = 0, nan, inc[ix] / 60), arrayMap(j -> indexOf(k, j), range(1, 61)))),
        Kind = 'delta',
        if(length(dk) = 60,
            arrayMap(x -> x / 60, dv),
            arrayMap(j -> if(indexOf(dk, j) = 0, nan, dv[indexOf(dk, j)] / 60), range(1, 61))),
        if(length(k) = 60,
            v,
            arrayMap(j -> if(indexOf(k, j) = 0, nan, v[indexOf(k, j)]), range(1, 61))))`;

// The increase each slot's point brings (cumulative series), per the OTLP rate recipe: the
// difference to the previous point while the start time is the same (a drop without a new
// start is a reset too); on a new start the whole value if the start is before the point,
// else 0; the row's first point counts only if its sequence started within the row.
const INCREASES = `
    arrayMap(i ->
        if(i = 1,
            if(s[1] < t[1] AND s[1] >= toUnixTimestamp64Nano(toDateTime64(Hour, 9)) - 60000000000, v[1], nan),
            if(s[i] = s[i - 1] AND v[i] >= v[i - 1], v[i] - v[i - 1], if(s[i] < t[i], v[i], 0))),
        arrayEnumerate(k))`;

/**
 * Per series and hour: its group key and its 60 minute values. The row's slots are unpacked
 * in the subquery; the per-kind arithmetic runs after the join with the catalogue (which
 * knows the kind), where the slow branch (gaps, restarts) only runs for the rows needing it.
 */
function minuteRowsSql(): string {
  return `SELECT c.g AS g, c.SeriesId AS SeriesId, h.Hour AS Hour, c.Kind AS Kind, h.k AS k, h.v AS v, h.t AS t, h.s AS s,
        h.StartMin AS StartMin, h.StartMax AS StartMax, h.dk AS dk, h.dv AS dv,
        arrayPopFront(arrayDifference(v)) AS d, ${INCREASES} AS inc, ${MINUTE_VALUES} AS r
    FROM (
        SELECT SeriesId, Hour, Last.1 AS k, Last.2.v AS v, Last.2.t AS t, Last.2.s AS s, StartMin, StartMax,
            Deltas.1 AS dk, Deltas.2 AS dv
        FROM vigil_metric_hours FINAL
        WHERE (MetricName, SeriesId) IN (SELECT MetricName, SeriesId FROM cat)
          AND Hour >= toStartOfHour(toDateTime(intDiv({start:Int64}, 1000)))
          AND Hour < toDateTime(intDiv({end:Int64}, 1000))
    ) AS h
    INNER JOIN cat AS c ON c.SeriesId = h.SeriesId`;
}

/**
 * Across the series of a group, per minute: the aggregate of the values that are not NaN
 * (Atlas: NaN only when every series is NaN). count counts the series with a value.
 */
const ACROSS_SERIES: Record<Aggregation, string> = {
  sum: `sumForEach(arrayMap(x -> if(isNaN(x), 0, x), r)) AS a, sumForEach(arrayMap(x -> toUInt32(NOT isNaN(x)), r)) AS n`,
  count: `sumForEach(arrayMap(x -> toFloat64(NOT isNaN(x)), r)) AS a, sumForEach(arrayMap(x -> toUInt32(NOT isNaN(x)), r)) AS n`,
  min: `minForEach(arrayMap(x -> if(isNaN(x), inf, x), r)) AS a, sumForEach(arrayMap(x -> toUInt32(NOT isNaN(x)), r)) AS n`,
  max: `maxForEach(arrayMap(x -> if(isNaN(x), -inf, x), r)) AS a, sumForEach(arrayMap(x -> toUInt32(NOT isNaN(x)), r)) AS n`,
};

/**
 * Finer values into one step (Atlas cf-*): NaN minutes are skipped, except that cf-avg
 * divides by every minute of the step (a partly filled step averages NaN as 0).
 */
const CONSOLIDATE: Record<Consolidation, string> = {
  avg: 'sum(x) / ({step:Int64} / 60000)',
  sum: 'sum(x)',
  min: 'min(x)',
  max: 'max(x)',
};

/** Minute values per line -> (line, [(step index, value)]), steps with no value left out. */
function consolidateSql(inner: string, cf: Consolidation): string {
  return `SELECT g, any(tags) AS tags, groupArray((bucket, value)) AS points
    FROM (
        SELECT g, any(tags) AS tags, intDiv(minute - {start:Int64}, {step:Int64}) AS bucket, ${CONSOLIDATE[cf]} AS value
        FROM (${inner})
        ARRAY JOIN a AS x, n AS present, arrayMap(i -> toInt64(toUnixTimestamp(Hour)) * 1000 + (i - 1) * 60000, arrayEnumerate(a)) AS minute
        WHERE present > 0 AND minute >= {start:Int64} AND minute < {end:Int64}
        GROUP BY g, bucket
    )
    GROUP BY g`;
}

/**
 * The metric series of a data request, aggregated per group and consolidated per step.
 * `aggregation` 'all': one line per series, tags = its name and tags.
 */
export function fetchMetricSql(
  query: TagQuery,
  groupBy: readonly string[],
  aggregation: Aggregation | 'all',
  cf: Consolidation,
  w: MinuteWindow,
): { query: string; params: Params } {
  const params: Params = {};
  windowParams(w, params);
  const cat = catalogueSql(query, groupBy, params);
  const rows = minuteRowsSql();
  const inner =
    aggregation === 'all'
      ? `SELECT [toString(SeriesId)] AS g, any(c2.tags) AS tags, Hour, any(r) AS a, arrayMap(x -> toUInt32(NOT isNaN(x)), a) AS n
         FROM (${rows}) AS m INNER JOIN (SELECT SeriesId, mapUpdate(Tags, map('name', MetricName)) AS tags FROM cat) AS c2 ON c2.SeriesId = m.SeriesId
         GROUP BY SeriesId, Hour`
      : `SELECT g, map() AS tags, Hour, ${ACROSS_SERIES[aggregation]} FROM (${rows}) GROUP BY g, Hour`;
  return { query: `WITH cat AS (${cat})\n${consolidateSql(inner, cf)}`, params };
}

/**
 * The span RED series (vigil.span.*) of a data request: per minute one value per span
 * series, aggregated per group like the metric series.
 */
export function fetchSpanSql(
  query: TagQuery,
  groupBy: readonly string[],
  aggregation: Aggregation | 'all',
  cf: Consolidation,
  w: MinuteWindow,
): { query: string; params: Params } {
  const params: Params = {};
  windowParams(w, params);
  const condition = tagCondition(query, spanTag, params);
  const group = groupKey(groupBy, spanTag, params);
  const seriesList = `[${SPAN_SERIES.map((s) => `('${s.name}', '${s.statistic}')`).join(', ')}]`;
  const value = `multiIf(${SPAN_SERIES.map((s) => `series.1 = '${s.name}' AND series.2 = '${s.statistic}', ${s.value}`).join(', ')}, nan)`;
  const allTags = `mapFilter((k, v) -> v != '', map('name', series.1, 'statistic', series.2, ${Object.entries(SPAN_TAG_COLUMNS)
    .map(([k, c]) => `'${k}', ${c}`)
    .join(', ')}))`;
  const perMinute = `SELECT ${aggregation === 'all' ? `[toString(cityHash64(${allTags}))]` : group.key} AS g, ${aggregation === 'all' ? allTags : 'map()'} AS tags,
            toInt64(toUnixTimestamp(Minute)) * 1000 AS minute, ${value} AS r
        FROM (
            SELECT ServiceName, ServiceVersion, SpanName, SpanKind, StatusCode, Minute,
                sum(Calls) AS Calls, sum(Errors) AS Errors, sum(DurationSum) AS DurationSum, max(DurationMax) AS DurationMax
            FROM vigil_span_red_version_1m
            WHERE Minute >= toDateTime(intDiv({start:Int64}, 1000)) AND Minute < toDateTime(intDiv({end:Int64}, 1000))
            GROUP BY ServiceName, ServiceVersion, SpanName, SpanKind, StatusCode, Minute
        )
        ARRAY JOIN ${seriesList} AS series
        WHERE ${condition} AND ${group.present}`;
  const across: Record<Aggregation | 'all', string> = { sum: 'sum(r)', count: 'toFloat64(count())', min: 'min(r)', max: 'max(r)', all: 'any(r)' };
  const sql = `SELECT g, any(tags) AS tags, groupArray((bucket, value)) AS points
    FROM (
        SELECT g, any(tags) AS tags, intDiv(minute - {start:Int64}, {step:Int64}) AS bucket, ${CONSOLIDATE[cf]} AS value
        FROM (SELECT g, any(tags) AS tags, minute, ${across[aggregation]} AS x FROM (${perMinute}) GROUP BY g, minute)
        GROUP BY g, bucket
    )
    GROUP BY g`;
  return { query: sql, params };
}

/** Tags of a raw histogram row, as the series views make them (0006_atlas.sql). */
const RAW_TAGS = `mapSort(mapUpdate(
    mapFilter((k, v) -> has({resourceKeys:Array(String)}, k), ResourceAttributes),
    mapFilter((k, v) -> k NOT IN ('name', 'statistic', 'percentile'), Attributes)))`;

/** Raw histogram rows: the name column and the tags computed like the views do. */
const rawTag: TagAccessor = (key, params) => {
  if (key === NAME) return { value: 'MetricName', present: '1' };
  const k = param(params, 'String', key);
  return { value: `Tags[${k}]`, present: `mapContains(Tags, ${k})` };
};

/** The window in nanoseconds, one step earlier (a cumulative histogram needs the step before). */
function bucketWindowParams(w: MinuteWindow, params: Params, resourceKeys: readonly string[]): void {
  windowParams(w, params);
  params.fromNs = (BigInt(w.start - w.step) * 1_000_000n).toString();
  params.toNs = (BigInt(w.end) * 1_000_000n).toString();
  params.resourceKeys = resourceKeys;
}

/**
 * Histogram points of the matching series, per series and step (index -1: the step before
 * the window): the latest point of the step for cumulative series, every point for delta.
 * `table` is one of the two histogram tables, chosen by the caller from a fixed pair.
 */
export function histogramPointsSql(
  table: 'otel_metrics_histogram' | 'otel_metrics_exponential_histogram',
  query: TagQuery,
  groupBy: readonly string[],
  w: MinuteWindow,
  resourceKeys: readonly string[],
): { query: string; params: Params } {
  const params: Params = {};
  bucketWindowParams(w, params, resourceKeys);
  const condition = tagCondition(query, rawTag, params);
  const group = groupKey(groupBy, rawTag, params);
  const buckets =
    table === 'otel_metrics_histogram'
      ? `(ExplicitBounds, BucketCounts)`
      : `(Scale, ZeroCount, ZeroThreshold, PositiveOffset, PositiveBucketCounts)`;
  const sql = `SELECT toString(cityHash64(MetricName, Tags)) AS series, any(g) AS g, step, AggregationTemporality = 1 AS delta,
        if(delta, groupArray(p), [argMax(p, TimeUnix)]) AS points
    FROM (
        SELECT MetricName, ${RAW_TAGS} AS Tags, ${group.key} AS g, AggregationTemporality, TimeUnix,
            intDiv(toUnixTimestamp64Milli(TimeUnix) - {start:Int64}, {step:Int64}) - (toUnixTimestamp64Milli(TimeUnix) < {start:Int64}) AS step,
            (toUnixTimestamp64Milli(StartTimeUnix), toUnixTimestamp64Milli(TimeUnix), ${buckets}) AS p
        FROM ${table}
        WHERE TimeUnix >= fromUnixTimestamp64Nano({fromNs:Int64}) AND TimeUnix < fromUnixTimestamp64Nano({toNs:Int64})
          AND bitAnd(Flags, 1) = 0
    )
    WHERE ${condition} AND ${group.present}
    GROUP BY series, step, delta`;
  return { query: sql, params };
}

/**
 * Span latency percentiles (vigil.span.duration) per group and step, in seconds, merged
 * from the per-minute t-digests. `levels` are 0..1 numbers checked by the caller (aggregate
 * function parameters cannot be query parameters).
 */
export function spanPercentilesSql(query: TagQuery, groupBy: readonly string[], levels: readonly number[], w: MinuteWindow): { query: string; params: Params } {
  if (!levels.every((l) => Number.isFinite(l) && l >= 0 && l <= 1)) throw new Error('percentile levels must be within 0..1');
  const params: Params = {};
  windowParams(w, params);
  const condition = tagCondition(query, spanTag, params);
  const group = groupKey(groupBy, spanTag, params);
  const sql = `SELECT g, step, arrayMap(x -> x / 1e9, quantilesTDigestMerge(${levels.map((l) => String(l)).join(', ')})(DurationQuantiles)) AS values
    FROM (
        SELECT ${group.key} AS g, intDiv(toInt64(toUnixTimestamp(Minute)) * 1000 - {start:Int64}, {step:Int64}) AS step, DurationQuantiles
        FROM vigil_span_red_version_1m
        ARRAY JOIN [('${SPAN_SERIES[2].name}', '')] AS series
        WHERE Minute >= toDateTime(intDiv({start:Int64}, 1000)) AND Minute < toDateTime(intDiv({end:Int64}, 1000))
          AND ${condition} AND ${group.present}
    )
    GROUP BY g, step`;
  return { query: sql, params };
}
