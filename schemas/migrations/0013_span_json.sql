-- Whole traces from one column (issue 4, trace by id): the copy of the spans ordered by trace
-- id (vigil_traces_by_id, 0005) also keeps each span as JSON, rendered once at insert by the
-- engine. Reading a trace's 24 columns and rendering them row by row took ~11-30 ms at 10M
-- spans; one column of the same rows takes ~4-10 ms (docs/storage.md).
-- Span is a JSON array in the order the reader maps (query/jaeger/reader.ts spanOfJson):
-- trace id, span id, parent span id, trace state, name, kind, service, resource attributes,
-- scope name, scope version, span attributes, start (ns), duration (ns), status code, status
-- message, event times (ns), names, attributes, link trace ids, span ids, trace states,
-- attributes, flags. Attribute maps are [[key, value], ...] (their stored order; keys such as
-- "42" or "__proto__" survive JSON.parse), 64-bit numbers strings (JSON numbers lose digits).
-- From here on the view writes only the columns searches check in the copy (attribute-lookup.ts);
-- events, links, ids and flags of new rows are in Span only. Rows stored before have Span = ''
-- and are read from their columns as before, until they expire.
ALTER TABLE {{table:vigil_traces_by_id}} {{on_cluster}} ADD COLUMN IF NOT EXISTS Span String;

-- vigil:cluster-only
ALTER TABLE vigil_traces_by_id {{on_cluster}} ADD COLUMN IF NOT EXISTS Span String;

ALTER TABLE vigil_traces_by_id_mv {{on_cluster}} MODIFY QUERY
SELECT
    TraceId, Timestamp, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName,
    ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage, IngestTime,
    toJSONString((
        TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
        arrayZip(mapKeys(ResourceAttributes), mapValues(ResourceAttributes)),
        ScopeName, ScopeVersion,
        arrayZip(mapKeys(SpanAttributes), mapValues(SpanAttributes)),
        toString(toUnixTimestamp64Nano(Timestamp)), toString(Duration), StatusCode, StatusMessage,
        arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp),
        Events.Name,
        arrayMap(m -> arrayZip(mapKeys(m), mapValues(m)), Events.Attributes),
        Links.TraceId, Links.SpanId, Links.TraceState,
        arrayMap(m -> arrayZip(mapKeys(m), mapValues(m)), Links.Attributes),
        Flags
    )) AS Span
FROM {{table:otel_traces}}
WHERE TraceId != '';
