-- Rollups of spans kept at ingest by materialized views on otel_traces, so service RED metrics
-- and the dependency graph never scan spans. Both are AggregatingMergeTree tables: a row per
-- insert and key, merged in the background; readers always aggregate again (sum / -Merge).
-- Placeholders ({{...}}) are filled by schemas/ddl.ts: see docs/storage.md.

-- RED metrics per (service, operation, kind, status, minute): calls, errors and the latency
-- distribution of Duration (nanoseconds) as a t-digest state, plus its sum, min and max.
-- This table is the source for span-derived metrics (the Atlas issue): see docs/storage.md.
CREATE TABLE IF NOT EXISTS {{table:vigil_span_red_1m}} {{on_cluster}}
(
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Minute DateTime CODEC(Delta(4), ZSTD(1)),
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
ENGINE = {{aggregating_engine:vigil_span_red_1m}}
PARTITION BY toDate(Minute)
ORDER BY (ServiceName, Minute, SpanName, SpanKind, StatusCode)
TTL greatest(Minute, IngestTime) + toIntervalDay({{ttl_days:traces}})
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_span_red_1m {{on_cluster}} AS {{table:vigil_span_red_1m}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_span_red_1m}}', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_span_red_1m_mv {{on_cluster}}
TO {{table:vigil_span_red_1m}}
AS SELECT
    ServiceName,
    toStartOfMinute(toDateTime(Timestamp)) AS Minute,
    SpanName,
    SpanKind,
    StatusCode,
    toUInt64(count()) AS Calls,
    toUInt64(countIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR'))) AS Errors,
    sum(Duration) AS DurationSum,
    min(Duration) AS DurationMin,
    max(Duration) AS DurationMax,
    quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(Duration) AS DurationQuantiles,
    max(IngestTime) AS IngestTime
FROM {{table:otel_traces}}
GROUP BY ServiceName, Minute, SpanName, SpanKind, StatusCode;

-- Service dependency edges per minute: calls parent service -> child service and how many of
-- them failed (the callee's span has status Error).
CREATE TABLE IF NOT EXISTS {{table:vigil_service_edges_1m}} {{on_cluster}}
(
    Minute DateTime CODEC(Delta(4), ZSTD(1)),
    ParentService LowCardinality(String) CODEC(ZSTD(1)),
    ChildService LowCardinality(String) CODEC(ZSTD(1)),
    Calls SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    Errors SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    IngestTime SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{aggregating_engine:vigil_service_edges_1m}}
PARTITION BY toDate(Minute)
ORDER BY (Minute, ParentService, ChildService)
TTL greatest(Minute, IngestTime) + toIntervalDay({{ttl_days:traces}})
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_service_edges_1m {{on_cluster}} AS {{table:vigil_service_edges_1m}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_service_edges_1m}}', rand());

-- Edges from parent/child spans: inside a materialized view every reference to otel_traces is
-- the inserted block, so this joins the block with itself. A child whose parent was stored by
-- another insert is not counted here (see the next view and docs/storage.md). Counted at the
-- child span's minute. In cluster mode each shard joins its own part of the block; a trace's
-- spans all live on one shard.
CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_service_edges_1m_mv {{on_cluster}}
TO {{table:vigil_service_edges_1m}}
AS SELECT
    toStartOfMinute(toDateTime(child.Timestamp)) AS Minute,
    parent.ServiceName AS ParentService,
    child.ServiceName AS ChildService,
    toUInt64(count()) AS Calls,
    toUInt64(countIf(child.StatusCode IN ('Error', 'STATUS_CODE_ERROR'))) AS Errors,
    max(child.IngestTime) AS IngestTime
FROM {{table:otel_traces}} AS child
INNER JOIN
(
    SELECT TraceId, SpanId, ServiceName
    FROM {{table:otel_traces}}
) AS parent
ON child.TraceId = parent.TraceId AND child.ParentSpanId = parent.SpanId
WHERE child.ParentSpanId != '' AND parent.ServiceName != child.ServiceName
GROUP BY Minute, ParentService, ChildService;

-- Edges from client and producer spans naming their peer (`peer.service`, else
-- `server.address`) that have no child span in the same insert: calls to uninstrumented
-- services, and calls whose callee span arrives in another insert (then named by the
-- attribute). A client span whose child is in the block is counted by the view above only.
-- Counted at the client span's minute; errors are the client span's status.
CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_service_edges_1m_peer_mv {{on_cluster}}
TO {{table:vigil_service_edges_1m}}
AS SELECT
    toStartOfMinute(toDateTime(client.Timestamp)) AS Minute,
    client.ServiceName AS ParentService,
    if(client.SpanAttributes['peer.service'] != '', client.SpanAttributes['peer.service'], client.SpanAttributes['server.address']) AS ChildService,
    toUInt64(count()) AS Calls,
    toUInt64(countIf(client.StatusCode IN ('Error', 'STATUS_CODE_ERROR'))) AS Errors,
    max(client.IngestTime) AS IngestTime
FROM {{table:otel_traces}} AS client
LEFT ANTI JOIN
(
    SELECT TraceId, ParentSpanId
    FROM {{table:otel_traces}}
    WHERE ParentSpanId != ''
) AS callee
ON client.TraceId = callee.TraceId AND client.SpanId = callee.ParentSpanId
WHERE client.SpanKind IN ('Client', 'Producer', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER')
  AND ChildService != ''
  AND ChildService != client.ServiceName
GROUP BY Minute, ParentService, ChildService;
