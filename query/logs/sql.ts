// The SQL of the native log endpoints, as named, reviewed text. Request values travel as query
// parameters; the WHERE clause is put together from fixed fragments with parameter names
// chosen here. Times are unix nanoseconds compared as DateTime64(9) (see traces/sql.ts).
import { attributeCondition } from '../attribute-sql.ts';
import type { LogFilter, LogSearch } from './params.ts';

const LOG_MAPS = ['LogAttributes', 'ResourceAttributes'] as const;

/** Unix ns parameter `p` as a DateTime: the second it falls in (rounded down; toDateTime would wrap after 2106, so clamped). */
const second = (p: string) => `toDateTime(least(intDiv({${p}:Int64}, 1000000000), 4294967295))`;

// Rule: every otel_logs query bounds TimestampTime (DateTime, the partition and primary key) as well as
// Timestamp (DateTime64(9), exact), each compared only with values of its own type (chDB 26.7 prunes wrongly otherwise).
const LOG_TIME = [
  'Timestamp >= fromUnixTimestamp64Nano({start:Int64})',
  'Timestamp <= fromUnixTimestamp64Nano({end:Int64})',
  `TimestampTime >= ${second('start')}`,
  `TimestampTime <= ${second('end')}`,
] as const;

/**
 * A stable tie-breaker between records of the same nanosecond: RowId, a random number given
 * to each record when it is stored (0005_query_speed.sql). A hash of the record's content did
 * the same but had to read every matching record's body and maps to sort a page: 2.4x slower.
 */
const ROW_HASH = 'RowId';

const LOG_COLUMNS = `
    toUnixTimestamp64Nano(Timestamp) AS timeNs,
    toUnixTimestamp64Nano(ObservedTimestamp) AS observedTimeNs,
    ${ROW_HASH} AS rowHash,
    ServiceName AS service,
    SeverityText AS severityText,
    SeverityNumber AS severityNumber,
    Body AS body,
    TraceId AS traceId,
    SpanId AS spanId,
    TraceFlags AS traceFlags,
    EventName AS eventName,
    arrayZip(mapKeys(LogAttributes), mapValues(LogAttributes)) AS attributes,
    arrayZip(mapKeys(ResourceAttributes), mapValues(ResourceAttributes)) AS resource,
    ScopeName AS scopeName,
    ScopeVersion AS scopeVersion,
    arrayZip(mapKeys(ScopeAttributes), mapValues(ScopeAttributes)) AS scopeAttributes`;

/** The conditions of a log filter (time range first; the partition key prunes by day). */
export function logWhere(f: LogFilter, params: Record<string, unknown>): string {
  params.start = f.range.startNs.toString();
  params.end = f.range.endNs.toString();
  const where: string[] = [...LOG_TIME];
  if (f.service !== undefined) {
    where.push('ServiceName = {service:String}');
    params.service = f.service;
  }
  if (f.minSeverity !== undefined) {
    where.push('SeverityNumber >= {severity:UInt8}');
    params.severity = f.minSeverity;
  }
  if (f.traceId !== undefined) {
    where.push('TraceId = {traceId:String}');
    params.traceId = f.traceId;
  }
  if (f.body.tokens.length > 0) {
    // Answered by the text index on lower(Body) (0005_query_speed.sql); lower() folds ASCII only.
    where.push('hasAllTokens(lower(Body), {tokens:Array(String)})');
    params.tokens = f.body.tokens.map((t) => t.replace(/[A-Z]+/g, (c) => c.toLowerCase()));
  }
  f.body.phrases.forEach((p, i) => {
    where.push(`positionCaseInsensitiveUTF8(Body, {p${i}:String}) > 0`);
    params[`p${i}`] = p;
  });
  f.attributes.forEach((a, i) => where.push(attributeCondition(a, i, LOG_MAPS, params)));
  return where.join('\n  AND ');
}

/** Matching records, newest first (ties by row hash, descending), resuming after a cursor. */
export function logSearchSql(q: LogSearch): { query: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { limit: q.limit };
  let where = logWhere(q, params);
  if (q.after !== undefined) {
    where += `\n  AND Timestamp <= fromUnixTimestamp64Nano({afterTime:Int64})
  AND TimestampTime <= ${second('afterTime')}
  AND (Timestamp, ${ROW_HASH}) < (fromUnixTimestamp64Nano({afterTime:Int64}), {afterHash:UInt64})`;
    params.afterTime = q.after.timeNs;
    params.afterHash = q.after.hash;
  }
  const query = `
SELECT${LOG_COLUMNS}
FROM otel_logs
WHERE ${where}
ORDER BY Timestamp DESC, rowHash DESC
LIMIT {limit:UInt32}`;
  return { query, params };
}

/** Record counts per aligned bucket ({step:Int64} ns, from the epoch) and severity range. */
export function logVolumeSql(f: LogFilter, stepNs: bigint): { query: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { step: stepNs.toString() };
  const where = logWhere(f, params);
  const query = `
SELECT
    intDiv(toUnixTimestamp64Nano(Timestamp), {step:Int64}) * {step:Int64} AS bucketNs,
    multiIf(SeverityNumber = 0, 'UNSPECIFIED', SeverityNumber <= 4, 'TRACE', SeverityNumber <= 8, 'DEBUG',
            SeverityNumber <= 12, 'INFO', SeverityNumber <= 16, 'WARN', SeverityNumber <= 20, 'ERROR', 'FATAL') AS severity,
    count() AS count
FROM otel_logs
WHERE ${where}
GROUP BY bucketNs, severity
ORDER BY bucketNs, severity`;
  return { query, params };
}

/** The log records of one trace within [start, end] (the trace's range with a margin), oldest first. */
export const LOGS_OF_TRACE = `
SELECT${LOG_COLUMNS}
FROM otel_logs
WHERE TraceId = {traceId:String}
  AND ${LOG_TIME.join('\n  AND ')}
ORDER BY Timestamp, rowHash`;
