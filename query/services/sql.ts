// The SQL of the service RED and dependency APIs, as named text. Every value from a request
// travels as a query parameter ({name:Type}). These read only the rollups that the
// materialized views of schemas/migrations/0004_span_metrics.sql and 0005_query_speed.sql fill
// at ingest, never otel_traces. Minute is a DateTime (not DateTime64), bounds go in as unix seconds already
// aligned to the minute by the caller.

/** The quantile levels stored in DurationQuantiles; a -Merge must name the same ones. */
export const QUANTILE_LEVELS = [0.5, 0.9, 0.95, 0.99] as const;
const QUANTILES = `quantilesTDigestMerge(${QUANTILE_LEVELS.join(', ')})(DurationQuantiles)`;

const MINUTES = `Minute >= toDateTime({start:UInt32})
  AND Minute <= toDateTime({end:UInt32})`;

/**
 * Per service over [start, end]: calls, errors, duration quantiles (ns). kinds [] = every span
 * kind, else only spans of those (stored) kinds. The whole hours inside the range come from
 * the hourly rollup, the minutes before and after them from the minute rollup: a 24 h
 * overview reads ~24 rows per series instead of ~1,440. A partial hour at either end comes
 * from the hourly rollup too when the minute rollup holds none of its minutes outside the
 * range (the hour's row then sums exactly the minutes inside; one count over the minute table
 * answers for both ends): the hour in progress of a range
 * that ends now, whose minutes were most of the statement's work late in an hour (~120k of
 * ~130k rows at hh:53 on the 10M-span bench:query data).
 */
export const SERVICES_OVERVIEW = `
WITH
    toDateTime({start:UInt32}) AS rangeStart,
    toDateTime({end:UInt32}) AS rangeEnd,
    toStartOfHour(rangeStart + 3599) AS firstWhole,
    toStartOfHour(rangeEnd + 60) AS lastWhole,
    -- the minutes of the two edge hours that lie outside the range, before it and after it
    (
        SELECT (countIf(Minute < rangeStart), countIf(Minute > rangeEnd))
        FROM vigil_span_red_1m
        WHERE (Minute >= firstWhole - 3600 AND Minute < rangeStart) OR (Minute > rangeEnd AND Minute < lastWhole + 3600)
    ) AS outside,
    firstWhole > rangeStart AND outside.1 = 0 AS headWhole,
    rangeEnd >= lastWhole AND outside.2 = 0 AS tailWhole,
    if(headWhole, firstWhole - 3600, firstWhole) AS hoursStart,
    if(tailWhole, lastWhole + 3600, lastWhole) AS hoursEnd
SELECT
    service,
    sum(Calls) AS calls,
    sum(Errors) AS errors,
    ${QUANTILES} AS quantiles
FROM
(
    SELECT ServiceName AS service, SpanKind, Calls, Errors, DurationQuantiles
    FROM vigil_span_red_1h
    WHERE Hour >= hoursStart AND Hour < hoursEnd
    UNION ALL
    SELECT ServiceName AS service, SpanKind, Calls, Errors, DurationQuantiles
    FROM vigil_span_red_1m
    WHERE Minute >= rangeStart AND Minute <= rangeEnd
      AND NOT (Minute >= hoursStart AND Minute < hoursEnd)
)
WHERE empty({kinds:Array(String)}) OR SpanKind IN {kinds:Array(String)}
GROUP BY service
HAVING calls > 0
ORDER BY service`;

/**
 * One service's operations over [start, end] in buckets of {step:UInt32} seconds counted from
 * {start:UInt32}: bucket i covers [start + i*step, start + (i+1)*step).
 */
export const OPERATION_SERIES = `
SELECT
    SpanName AS name,
    SpanKind AS kind,
    intDiv(toUInt32(Minute) - {start:UInt32}, {step:UInt32}) AS bucket,
    sum(Calls) AS calls,
    sum(Errors) AS errors,
    ${QUANTILES} AS quantiles
FROM vigil_span_red_1m
WHERE ServiceName = {service:String}
  AND ${MINUTES}
GROUP BY name, kind, bucket
ORDER BY name, kind, bucket`;

/** Service edges over [start, end]: calls and failed calls per (parent, child). */
export const SERVICE_EDGES = `
SELECT
    ParentService AS parent,
    ChildService AS child,
    sum(Calls) AS calls,
    sum(Errors) AS errors
FROM vigil_service_edges_1m
WHERE ${MINUTES}
GROUP BY parent, child
HAVING calls > 0
ORDER BY parent, child`;
