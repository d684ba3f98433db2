-- Trace ids by span or resource attribute (key = value) and minute: what an attribute search
-- with `=` reads first (issue 4). A value carried by 0.1% of the spans is in every granule of
-- otel_traces (ordered by service, operation, time), so no skip index can skip and the search
-- read every attribute map of the range; here its traces are one short range of the key.
-- Placeholders ({{...}}) are filled by schemas/ddl.ts: see docs/storage.md.
--
-- Kept small for ingest: the pair is a 64-bit hash (its text is long and varied: URLs,
-- statements), the trace id its 16 bytes, one row per (pair, minute, trace) and insert (a
-- trace's spans share most pairs), the default codec. A hash collision only adds candidates:
-- readers check the real attributes on the candidates' spans (vigil_traces_by_id).
-- Spans stored before this migration have no rows here: searches over ranges that reach them
-- read otel_traces (query/traces/attribute-lookup.ts), until they expire.
CREATE TABLE IF NOT EXISTS {{table:vigil_trace_attributes}} {{on_cluster}}
(
    Attribute UInt64,
    Minute DateTime,
    TraceId FixedString(16),
    IngestTime DateTime
)
ENGINE = {{engine:vigil_trace_attributes}}
PARTITION BY toDate(Minute)
ORDER BY (Attribute, Minute)
TTL greatest(Minute, IngestTime) + toIntervalDay({{ttl_days:traces}})
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_trace_attributes {{on_cluster}} AS {{table:vigil_trace_attributes}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_trace_attributes}}', cityHash64(lower(hex(TraceId))));

CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_trace_attributes_mv {{on_cluster}}
TO {{table:vigil_trace_attributes}}
AS SELECT Attribute, Minute, Id AS TraceId, now() AS IngestTime
FROM
(
    -- Grouped by fixed-size keys (the id's 16 bytes, not its 32 hex characters): cheaper.
    SELECT cityHash64(Key, Value) AS Attribute, toStartOfMinute(Timestamp) AS Minute, unhex(TraceId) AS Id
    FROM {{table:otel_traces}}
    ARRAY JOIN
        arrayConcat(mapKeys(SpanAttributes), mapKeys(ResourceAttributes)) AS Key,
        arrayConcat(mapValues(SpanAttributes), mapValues(ResourceAttributes)) AS Value
    WHERE TraceId != ''
    GROUP BY Attribute, Minute, Id
);
