-- Tables and indexes that make the query service fast at 10 million spans (issue 4). The
-- exporter's tables keep their columns; what is added here is Vigil's own.
-- Placeholders ({{...}}) are filled by schemas/ddl.ts: see docs/storage.md.

-- Spans again, ordered by trace (the way Uptrace keeps spans_index and spans_data apart).
-- otel_traces is ordered by (service, operation, time) for search, which scatters a trace's
-- spans over one granule per service and operation: fetching a 40-span trace read ~11
-- granules of every column. Here a trace is contiguous, so a trace (and the spans behind a
-- page of search results) costs a granule or two. Small granules: reads are point lookups.
-- The default codec (LZ4), not the exporter's ZSTD(1): compressing this second copy at insert
-- and in merges with ZSTD held `npm run bench:ingest` to 22,770 spans/s, with LZ4 28,698; it
-- takes more disk than otel_traces in exchange.
CREATE TABLE IF NOT EXISTS {{table:vigil_traces_by_id}} {{on_cluster}}
(
    TraceId String,
    Timestamp DateTime64(9),
    SpanId String,
    ParentSpanId String,
    TraceState String,
    SpanName LowCardinality(String),
    SpanKind LowCardinality(String),
    ServiceName LowCardinality(String),
    ResourceAttributes Map(LowCardinality(String), String),
    ScopeName String,
    ScopeVersion String,
    SpanAttributes Map(LowCardinality(String), String),
    Duration UInt64,
    StatusCode LowCardinality(String),
    StatusMessage String,
    Events Nested
    (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ),
    Links Nested
    (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ),
    Flags UInt32,
    IngestTime DateTime
)
ENGINE = {{engine:vigil_traces_by_id}}
PARTITION BY toDate(Timestamp)
ORDER BY (TraceId, Timestamp)
TTL greatest(toDateTime(Timestamp), IngestTime) + toIntervalDay({{ttl_days:traces}})
SETTINGS index_granularity = 1024, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_traces_by_id {{on_cluster}} AS {{table:vigil_traces_by_id}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_traces_by_id}}', cityHash64(TraceId));

CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_traces_by_id_mv {{on_cluster}}
TO {{table:vigil_traces_by_id}}
AS SELECT
    TraceId, Timestamp, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
    ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode,
    StatusMessage, Events.Timestamp, Events.Name, Events.Attributes, Links.TraceId, Links.SpanId,
    Links.TraceState, Links.Attributes, Flags, IngestTime
FROM {{table:otel_traces}}
WHERE TraceId != '';

-- One row per trace (merged from one row per trace and insert): what a search result shows,
-- so a search never reads the spans of the traces it lists. Root = the earliest span without
-- a parent; a trace stored before its root keeps the earliest span until the root arrives.
CREATE TABLE IF NOT EXISTS {{table:vigil_trace_summaries}} {{on_cluster}}
(
    TraceId String CODEC(ZSTD(1)),
    Start SimpleAggregateFunction(min, DateTime64(9)) CODEC(ZSTD(1)),
    End SimpleAggregateFunction(max, DateTime64(9)) CODEC(ZSTD(1)),
    Spans SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    Errors SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    -- (start, service, operation) of the earliest root span and of the earliest span.
    Root AggregateFunction(argMin, Tuple(String, String), DateTime64(9)) CODEC(ZSTD(1)),
    First AggregateFunction(argMin, Tuple(String, String), DateTime64(9)) CODEC(ZSTD(1)),
    Services SimpleAggregateFunction(sumMap, Tuple(Array(String), Array(UInt64))) CODEC(ZSTD(1)),
    IngestTime SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{aggregating_engine:vigil_trace_summaries}}
PARTITION BY toDate(Start)
ORDER BY TraceId
TTL greatest(toDateTime(Start), IngestTime) + toIntervalDay({{ttl_days:traces}})
SETTINGS index_granularity = 1024, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_trace_summaries {{on_cluster}} AS {{table:vigil_trace_summaries}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_trace_summaries}}', cityHash64(TraceId));

CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_trace_summaries_mv {{on_cluster}}
TO {{table:vigil_trace_summaries}}
AS SELECT
    TraceId,
    min(Timestamp) AS Start,
    max(Timestamp + toIntervalNanosecond(Duration)) AS End,
    toUInt64(count()) AS Spans,
    toUInt64(countIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR'))) AS Errors,
    argMinStateIf((toString(ServiceName), toString(SpanName)), Timestamp, ParentSpanId = '') AS Root,
    argMinState((toString(ServiceName), toString(SpanName)), Timestamp) AS First,
    sumMap([toString(ServiceName)], [toUInt64(1)]) AS Services,
    max(IngestTime) AS IngestTime
FROM {{table:otel_traces}}
WHERE TraceId != ''
GROUP BY TraceId;

-- RED metrics per hour, rolled up from the per-minute table (a view on its inserts, so only
-- the small aggregated blocks are read): long ranges read 60x fewer rows.
CREATE TABLE IF NOT EXISTS {{table:vigil_span_red_1h}} {{on_cluster}}
(
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Hour DateTime CODEC(Delta(4), ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    Calls SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    Errors SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    DurationSum SimpleAggregateFunction(sum, UInt64) CODEC(ZSTD(1)),
    DurationMin SimpleAggregateFunction(min, UInt64) CODEC(ZSTD(1)),
    DurationMax SimpleAggregateFunction(max, UInt64) CODEC(ZSTD(1)),
    DurationQuantiles AggregateFunction(quantilesTDigest(0.5, 0.9, 0.95, 0.99), UInt64) CODEC(ZSTD(1)),
    IngestTime SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{aggregating_engine:vigil_span_red_1h}}
PARTITION BY toYYYYMM(Hour)
ORDER BY (ServiceName, Hour, SpanName, SpanKind, StatusCode)
TTL greatest(Hour, IngestTime) + toIntervalDay({{ttl_days:traces}})
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_span_red_1h {{on_cluster}} AS {{table:vigil_span_red_1h}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_span_red_1h}}', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_span_red_1h_mv {{on_cluster}}
TO {{table:vigil_span_red_1h}}
AS SELECT
    ServiceName,
    toStartOfHour(Minute) AS Hour,
    SpanName,
    SpanKind,
    StatusCode,
    sum(Calls) AS Calls,
    sum(Errors) AS Errors,
    sum(DurationSum) AS DurationSum,
    min(DurationMin) AS DurationMin,
    max(DurationMax) AS DurationMax,
    quantilesTDigestMergeState(0.5, 0.9, 0.95, 0.99)(DurationQuantiles) AS DurationQuantiles,
    max(IngestTime) AS IngestTime
FROM {{table:vigil_span_red_1m}}
GROUP BY ServiceName, Hour, SpanName, SpanKind, StatusCode;

-- Log bodies get an inverted text index (ClickHouse 26.2+, as the 2026 exporter does) in
-- place of the token bloom filter: a search for a token answers from the posting lists
-- without reading Body, and a token that is in every granule (0.1% of records is) no longer
-- means reading every body. The index is on lower(Body) and queries ask for lower-cased
-- tokens in lower(Body): the same answer with or without the index (parts stored before this
-- migration have none; a `preprocessor` would make unindexed parts case-sensitive).
ALTER TABLE {{table:otel_logs}} {{on_cluster}}
    ADD INDEX IF NOT EXISTS idx_body_text lower(Body) TYPE text(tokenizer = 'splitByNonAlpha');

ALTER TABLE {{table:otel_logs}} {{on_cluster}} DROP INDEX IF EXISTS idx_body;

-- A random id per log record, given when it is stored: the cheap tie-breaker that orders
-- records of the same nanosecond for cursor paging (a hash of body and attributes had to read
-- them for every match). Rows stored before this migration get theirs written by the
-- MATERIALIZE below (a background mutation), so an id never changes once read.
ALTER TABLE {{table:otel_logs}} {{on_cluster}} ADD COLUMN IF NOT EXISTS RowId UInt64 DEFAULT rand64() CODEC(ZSTD(1));

ALTER TABLE {{table:otel_logs}} {{on_cluster}} MATERIALIZE COLUMN RowId;
