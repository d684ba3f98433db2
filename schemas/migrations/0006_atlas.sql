-- Atlas-style series (issue 5): every OTel metric point becomes a point of a series
-- (name + tags), kept at ingest by materialized views so graph queries read one short row
-- per series and hour instead of the raw points. docs/metrics.md describes the mapping.
-- Placeholders ({{...}}) are filled by schemas/ddl.ts: see docs/storage.md.
--
-- Flow: otel_metrics_{gauge,sum,histogram,exponential_histogram,summary}
--   --(one normalizing view each)--> vigil_metric_points_in (Null engine: nothing stored)
--   --> vigil_metric_series (the series catalogue) and vigil_metric_hours (per series and hour,
--       one slot per minute).

-- Normalized points: name, kind, tags and one value. Kind says how a step's value is made:
-- 'gauge' = last value, 'cumulative' = rate of increase (resets by start time), 'delta' = sum
-- of the deltas as a rate. The series id is a hash of the name and the sorted tags.
CREATE TABLE IF NOT EXISTS {{table:vigil_metric_points_in}} {{on_cluster}}
(
    MetricName LowCardinality(String),
    Kind LowCardinality(String),
    Tags Map(LowCardinality(String), String),
    TimeUnix DateTime64(9),
    StartTimeUnix DateTime64(9),
    Value Float64,
    SeriesId UInt64 ALIAS cityHash64(MetricName, Kind, Tags)
)
ENGINE = Null;

-- The series catalogue: one row per series (after merges), with its tags and when it was seen.
-- Sorted by name first: a query naming the metric reads only that metric's series.
CREATE TABLE IF NOT EXISTS {{table:vigil_metric_series}} {{on_cluster}}
(
    MetricName LowCardinality(String) CODEC(ZSTD(1)),
    SeriesId UInt64 CODEC(ZSTD(1)),
    Kind SimpleAggregateFunction(any, String) CODEC(ZSTD(1)),
    Tags SimpleAggregateFunction(any, Map(String, String)) CODEC(ZSTD(1)),
    FirstSeen SimpleAggregateFunction(min, DateTime) CODEC(Delta(4), ZSTD(1)),
    LastSeen SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1)),
    IngestTime SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{aggregating_engine:vigil_metric_series}}
ORDER BY (MetricName, SeriesId)
TTL greatest(LastSeen, IngestTime) + toIntervalDay({{ttl_days:metrics}})
SETTINGS index_granularity = 1024;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_metric_series {{on_cluster}} AS {{table:vigil_metric_series}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_metric_series}}', cityHash64(SeriesId));

CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_metric_series_mv {{on_cluster}}
TO {{table:vigil_metric_series}}
AS SELECT
    MetricName,
    SeriesId,
    any(Kind) AS Kind,
    any(Tags) AS Tags,
    min(toDateTime(TimeUnix)) AS FirstSeen,
    max(toDateTime(TimeUnix)) AS LastSeen,
    now() AS IngestTime
FROM {{table:vigil_metric_points_in}}
GROUP BY MetricName, SeriesId;

-- Per series and hour, one slot per minute, in maps that background merges fold together
-- whichever insert brought a point (so a row is the series' hour once parts are merged):
-- - Counter (cumulative sums): slot -> the highest value of the minute (the latest, for a
--   counter, unless it restarted within that minute). Slot m+1 holds minute m; slot 0 the
--   previous hour's minute 59, so a row alone gives its 60 per-minute increases.
-- - Starts (cumulative sums): start time (ns) -> 2 * the first slot it appears in, + 1 when
--   that point's start equals its time (an unknown start: it adds nothing to a rate).
-- - Gauge: slot * 60000 + ms within the minute -> value: every point, by time; a reader takes
--   the latest of each minute. (Plain number arrays: maps of tuples merge many times slower.)
-- - Delta (delta sums): slot -> the sum of the minute's deltas.
CREATE TABLE IF NOT EXISTS {{table:vigil_metric_hours}} {{on_cluster}}
(
    MetricName LowCardinality(String) CODEC(ZSTD(1)),
    SeriesId UInt64 CODEC(ZSTD(1)),
    Hour DateTime CODEC(Delta(4), ZSTD(1)),
    Counter SimpleAggregateFunction(maxMap, Tuple(Array(UInt8), Array(Float64))),
    Starts SimpleAggregateFunction(minMap, Tuple(Array(Int64), Array(UInt8))),
    Gauge SimpleAggregateFunction(maxMap, Tuple(Array(UInt32), Array(Float64))),
    Delta SimpleAggregateFunction(sumMap, Tuple(Array(UInt8), Array(Float64))),
    IngestTime SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{aggregating_engine:vigil_metric_hours}}
PARTITION BY toDate(Hour)
ORDER BY (MetricName, Hour, SeriesId)
TTL greatest(Hour, IngestTime) + toIntervalDay({{ttl_days:metrics}})
SETTINGS index_granularity = 1024, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_metric_hours {{on_cluster}} AS {{table:vigil_metric_hours}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_metric_hours}}', cityHash64(SeriesId));

CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_metric_hours_mv {{on_cluster}}
TO {{table:vigil_metric_hours}}
AS SELECT
    MetricName,
    SeriesId,
    toStartOfHour(toDateTime(TimeUnix)) + carry * 3600 AS Hour,
    maxMap(if(Kind = 'cumulative', [slot], []), if(Kind = 'cumulative', [Value], [])) AS Counter,
    minMap(
        if(Kind = 'cumulative', [toUnixTimestamp64Nano(StartTimeUnix)], []),
        if(Kind = 'cumulative', [toUInt8(slot * 2 + (StartTimeUnix = TimeUnix))], [])) AS Starts,
    maxMap(
        if(Kind = 'gauge', [toUInt32(slot) * 60000 + toUInt32(toUnixTimestamp64Milli(TimeUnix) % 60000)], []),
        if(Kind = 'gauge', [Value], [])) AS Gauge,
    sumMap(if(Kind = 'delta', [slot], []), if(Kind = 'delta', [Value], [])) AS Delta,
    now() AS IngestTime
FROM {{table:vigil_metric_points_in}}
ARRAY JOIN if(Kind = 'cumulative' AND toMinute(toDateTime(TimeUnix)) = 59, [0, 1], [0]) AS carry
-- slot: the minute + 1, or 0 for the copy carried into the next hour
ARRAY JOIN [toUInt8(if(carry = 1, 0, toMinute(toDateTime(TimeUnix)) + 1))] AS slot
GROUP BY MetricName, SeriesId, Hour;

-- The normalizing views. Tags = the point attributes plus these resource attributes (the point
-- attribute wins on a clash). `name` is the series name, so a point attribute `name` is
-- dropped; `statistic` and `percentile` are kept on gauges and sums (what Atlas clients publish
-- for timers and distributions, e.g. statistic=totalTime) and dropped on histograms and
-- summaries, whose series Vigil tags with them. Points flagged NO_RECORDED_VALUE are skipped.
CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_metric_points_gauge_mv {{on_cluster}}
TO {{table:vigil_metric_points_in}}
AS SELECT
    MetricName,
    'gauge' AS Kind,
    mapSort(mapUpdate(
        mapFilter((k, v) -> k IN ('service.name', 'service.namespace', 'service.version', 'service.instance.id', 'host.name', 'deployment.environment', 'deployment.environment.name', 'cloud.region', 'cloud.availability_zone', 'k8s.cluster.name', 'k8s.namespace.name'), ResourceAttributes),
        mapFilter((k, v) -> k != 'name', Attributes))) AS Tags,
    TimeUnix,
    StartTimeUnix,
    Value
FROM {{table:otel_metrics_gauge}}
WHERE bitAnd(Flags, 1) = 0;

-- Monotonic cumulative sums are counters; non-monotonic cumulative sums (up-down counters)
-- are levels, shown as gauges; delta sums are rates either way.
CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_metric_points_sum_mv {{on_cluster}}
TO {{table:vigil_metric_points_in}}
AS SELECT
    MetricName,
    multiIf(AggregationTemporality = 1, 'delta', IsMonotonic, 'cumulative', 'gauge') AS Kind,
    mapSort(mapUpdate(
        mapFilter((k, v) -> k IN ('service.name', 'service.namespace', 'service.version', 'service.instance.id', 'host.name', 'deployment.environment', 'deployment.environment.name', 'cloud.region', 'cloud.availability_zone', 'k8s.cluster.name', 'k8s.namespace.name'), ResourceAttributes),
        mapFilter((k, v) -> k != 'name', Attributes))) AS Tags,
    TimeUnix,
    StartTimeUnix,
    Value
FROM {{table:otel_metrics_sum}}
WHERE bitAnd(Flags, 1) = 0;

-- Histograms give three series per point, told apart by `statistic`: count and totalAmount
-- (rates, Atlas's :dist-avg divides them) and max (a gauge; absent when the point has no
-- min/max). Percentiles come from the buckets in otel_metrics_histogram at query time.
CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_metric_points_histogram_mv {{on_cluster}}
TO {{table:vigil_metric_points_in}}
AS SELECT
    MetricName,
    if(stat.1 = 'max', 'gauge', if(AggregationTemporality = 1, 'delta', 'cumulative')) AS Kind,
    mapSort(mapUpdate(mapUpdate(
        mapFilter((k, v) -> k IN ('service.name', 'service.namespace', 'service.version', 'service.instance.id', 'host.name', 'deployment.environment', 'deployment.environment.name', 'cloud.region', 'cloud.availability_zone', 'k8s.cluster.name', 'k8s.namespace.name'), ResourceAttributes),
        mapFilter((k, v) -> k NOT IN ('name', 'statistic', 'percentile'), Attributes)),
        map('statistic', stat.1))) AS Tags,
    TimeUnix,
    StartTimeUnix,
    stat.2 AS Value
FROM {{table:otel_metrics_histogram}}
ARRAY JOIN arrayFilter(x -> x.1 != 'max' OR Min != 0 OR Max != 0, [('count', toFloat64(Count)), ('totalAmount', Sum), ('max', Max)]) AS stat
WHERE bitAnd(Flags, 1) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_metric_points_exponential_histogram_mv {{on_cluster}}
TO {{table:vigil_metric_points_in}}
AS SELECT
    MetricName,
    if(stat.1 = 'max', 'gauge', if(AggregationTemporality = 1, 'delta', 'cumulative')) AS Kind,
    mapSort(mapUpdate(mapUpdate(
        mapFilter((k, v) -> k IN ('service.name', 'service.namespace', 'service.version', 'service.instance.id', 'host.name', 'deployment.environment', 'deployment.environment.name', 'cloud.region', 'cloud.availability_zone', 'k8s.cluster.name', 'k8s.namespace.name'), ResourceAttributes),
        mapFilter((k, v) -> k NOT IN ('name', 'statistic', 'percentile'), Attributes)),
        map('statistic', stat.1))) AS Tags,
    TimeUnix,
    StartTimeUnix,
    stat.2 AS Value
FROM {{table:otel_metrics_exponential_histogram}}
ARRAY JOIN arrayFilter(x -> x.1 != 'max' OR Min != 0 OR Max != 0, [('count', toFloat64(Count)), ('totalAmount', Sum), ('max', Max)]) AS stat
WHERE bitAnd(Flags, 1) = 0;

-- Summaries (always cumulative): count and totalAmount as rates, and each quantile as a gauge
-- tagged statistic=percentile, percentile=p<q*100> (p50, p99.9), like Atlas percentile lines.
CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_metric_points_summary_mv {{on_cluster}}
TO {{table:vigil_metric_points_in}}
AS SELECT
    MetricName,
    if(stat.1 = 'percentile', 'gauge', 'cumulative') AS Kind,
    mapSort(mapUpdate(mapUpdate(
        mapFilter((k, v) -> k IN ('service.name', 'service.namespace', 'service.version', 'service.instance.id', 'host.name', 'deployment.environment', 'deployment.environment.name', 'cloud.region', 'cloud.availability_zone', 'k8s.cluster.name', 'k8s.namespace.name'), ResourceAttributes),
        mapFilter((k, v) -> k NOT IN ('name', 'statistic', 'percentile'), Attributes)),
        if(stat.1 = 'percentile', map('statistic', 'percentile', 'percentile', stat.3), map('statistic', stat.1)))) AS Tags,
    TimeUnix,
    StartTimeUnix,
    stat.2 AS Value
FROM {{table:otel_metrics_summary}}
ARRAY JOIN arrayConcat(
    [('count', toFloat64(Count), ''), ('totalAmount', Sum, '')],
    arrayMap((q, v) -> ('percentile', v, concat('p', toString(round(q * 100, 6)))), ValueAtQuantiles.Quantile, ValueAtQuantiles.Value)) AS stat
WHERE bitAnd(Flags, 1) = 0;

-- Span RED per minute with the service version (the canary compares versions of a service):
-- the vigil_span_red_1m columns plus ServiceVersion, read by the span series vigil.span.*.
CREATE TABLE IF NOT EXISTS {{table:vigil_span_red_version_1m}} {{on_cluster}}
(
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ServiceVersion LowCardinality(String) CODEC(ZSTD(1)),
    Minute DateTime CODEC(Delta(4), ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    Calls SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    Errors SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    DurationSum SimpleAggregateFunction(sum, UInt64) CODEC(ZSTD(1)),
    DurationMax SimpleAggregateFunction(max, UInt64) CODEC(ZSTD(1)),
    DurationQuantiles AggregateFunction(quantilesTDigest(0.5, 0.9, 0.95, 0.99), UInt64) CODEC(ZSTD(1)),
    IngestTime SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{aggregating_engine:vigil_span_red_version_1m}}
PARTITION BY toDate(Minute)
ORDER BY (Minute, ServiceName, ServiceVersion, SpanName, SpanKind, StatusCode)
TTL greatest(Minute, IngestTime) + toIntervalDay({{ttl_days:traces}})
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_span_red_version_1m {{on_cluster}} AS {{table:vigil_span_red_version_1m}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_span_red_version_1m}}', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_span_red_version_1m_mv {{on_cluster}}
TO {{table:vigil_span_red_version_1m}}
AS SELECT
    ServiceName,
    ResourceAttributes['service.version'] AS ServiceVersion,
    toStartOfMinute(toDateTime(Timestamp)) AS Minute,
    SpanName,
    SpanKind,
    StatusCode,
    toUInt64(count()) AS Calls,
    toUInt64(countIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR'))) AS Errors,
    sum(Duration) AS DurationSum,
    max(Duration) AS DurationMax,
    quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(Duration) AS DurationQuantiles,
    max(IngestTime) AS IngestTime
FROM {{table:otel_traces}}
GROUP BY ServiceName, ServiceVersion, Minute, SpanName, SpanKind, StatusCode;
