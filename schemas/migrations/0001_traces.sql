-- Spans, one row each: the OpenTelemetry Collector ClickHouse exporter's otel_traces, so
-- Grafana's ClickHouse data source and ClickStack read them as they are. Vigil's own columns
-- come last (ScopeAttributes .. IngestTime). Duration is in nanoseconds.
-- Placeholders ({{...}}) are filled by schemas/ddl.ts: see docs/storage.md.
CREATE TABLE IF NOT EXISTS {{table:otel_traces}} {{on_cluster}}
(
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(T64, ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested
    (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    Links Nested
    (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Flags UInt32 CODEC(ZSTD(1)),
    DroppedAttributesCount UInt32 CODEC(ZSTD(1)),
    DroppedEventsCount UInt32 CODEC(ZSTD(1)),
    DroppedLinksCount UInt32 CODEC(ZSTD(1)),
    -- When the row was stored: retention counts from the later of this and Timestamp.
    IngestTime DateTime DEFAULT now() CODEC(Delta(4), ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1
)
ENGINE = {{engine:otel_traces}}
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
TTL greatest(toDateTime(Timestamp), IngestTime) + toIntervalDay({{ttl_days:traces}})
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- vigil:cluster-only
-- Reads and writes go through the Distributed table; hashing the trace id keeps a whole
-- trace on one shard, so a trace and its lookup row live together.
CREATE TABLE IF NOT EXISTS otel_traces {{on_cluster}} AS {{table:otel_traces}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:otel_traces}}', cityHash64(TraceId));

-- Trace id -> time range, so fetching a trace by id reads only the partitions it spans.
CREATE TABLE IF NOT EXISTS {{table:otel_traces_trace_id_ts}} {{on_cluster}}
(
    TraceId String CODEC(ZSTD(1)),
    Start DateTime CODEC(Delta(4), ZSTD(1)),
    End DateTime CODEC(Delta(4), ZSTD(1)),
    IngestTime DateTime CODEC(Delta(4), ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = {{engine:otel_traces_trace_id_ts}}
PARTITION BY toDate(Start)
ORDER BY (TraceId, Start)
TTL greatest(End, IngestTime) + toIntervalDay({{ttl_days:traces}})
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS otel_traces_trace_id_ts {{on_cluster}} AS {{table:otel_traces_trace_id_ts}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:otel_traces_trace_id_ts}}', cityHash64(TraceId));

-- Fed by every insert into the span table; in cluster mode local table to local table, so
-- each shard indexes its own spans.
CREATE MATERIALIZED VIEW IF NOT EXISTS otel_traces_trace_id_ts_mv {{on_cluster}}
TO {{table:otel_traces_trace_id_ts}}
AS SELECT
    TraceId,
    min(Timestamp) AS Start,
    max(Timestamp) AS End,
    max(IngestTime) AS IngestTime
FROM {{table:otel_traces}}
WHERE TraceId != ''
GROUP BY TraceId;
