-- Whole traces from fewer columns (issue 4, trace by id): the copy of the spans ordered by trace
-- id (vigil_traces_by_id, 0005) also keeps each span's fields other than its attribute maps as
-- one JSON array, rendered once at insert by the engine. A trace was read as 24 columns turned
-- into JSON row by row at query time (~12-19 ms of engine time at 10M spans); now as this
-- column and the two maps (~7 ms; docs/storage.md). The maps stay out of the JSON: rendering
-- them was most of its cost at insert (they are stored here anyway, for the attribute search).
-- Span is an array in the order the reader maps (query/jaeger/reader.ts spanOfJson): trace id,
-- span id, parent span id, trace state, name, kind, service, scope name, scope version, start
-- (ns), duration (ns), status code, status message, event times (ns), names, attributes, link
-- trace ids, span ids, trace states, attributes, flags. Event and link attributes are
-- [[key, value], ...] (their stored order; keys such as "42" or "__proto__" survive
-- JSON.parse), 64-bit numbers strings (JSON numbers lose digits past 2^53).
-- From here on the view writes the columns searches check (attribute-lookup.ts) and Span;
-- ids, events, links and flags of new rows are in Span only. Rows stored before have Span = ''
-- and are read from their columns as before, until they expire.
ALTER TABLE {{table:vigil_traces_by_id}} {{on_cluster}} ADD COLUMN IF NOT EXISTS Span String;

-- vigil:cluster-only
ALTER TABLE vigil_traces_by_id {{on_cluster}} ADD COLUMN IF NOT EXISTS Span String;

ALTER TABLE vigil_traces_by_id_mv {{on_cluster}} MODIFY QUERY
SELECT
    TraceId, Timestamp, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName,
    ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage, IngestTime,
    toJSONString((
        TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ScopeName, ScopeVersion,
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
