// The SQL of the native trace endpoints, as named, reviewed text. Request values travel as
// query parameters ({name:Type}); the search's WHERE clause is put together from the fixed
// fragments below with parameter names chosen here. test/query-api.test.ts snapshots it.
//
// Times go in as unix nanoseconds (Int64) and are compared as DateTime64(9): comparing the
// DateTime64(9) columns with a plain DateTime makes chDB 26.7 prune parts wrongly.
import { attributeCondition } from '../attribute-sql.ts';
import { spanSource } from './attribute-lookup.ts';
import type { TraceSearch } from './params.ts';

const TIME = `Timestamp >= fromUnixTimestamp64Nano({start:Int64})
      AND Timestamp <= fromUnixTimestamp64Nano({end:Int64})`;
const SPAN_MAPS = ['SpanAttributes', 'ResourceAttributes'] as const;
const NS_PER_S = 1_000_000_000n;
const START_NS = 'toUnixTimestamp64Nano(min(Start)) AS startNs';
const DURATION_NS = 'toUnixTimestamp64Nano(max(End)) - startNs AS durationNs';

/**
 * Summaries of the traces with at least one span (starting in the range) that matches every
 * condition. The spans find the trace ids (otel_traces is ordered for that; with `=` attribute
 * conditions, the spans of the traces the attribute lookup lists: attribute-lookup.ts); what a result
 * shows comes from vigil_trace_summaries (one row per trace and insert, merged here), so the
 * listed traces' spans are never read. A summary covers the whole trace. Root = the earliest
 * span without a parent, else the earliest span. Ordered by the sort key, then trace id,
 * both descending; `after` (from a cursor) resumes strictly after a (key, id) pair.
 * `lookup`: whether the attribute lookup covers the range (AttributeLookup).
 */
export function traceSearchSql(q: TraceSearch, options: { lookup: boolean }): { query: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {
    start: q.range.startNs.toString(),
    end: q.range.endNs.toString(),
    limit: q.limit,
  };
  const where = [TIME];
  if (q.service !== undefined) {
    where.push('ServiceName = {service:String}');
    params.service = q.service;
  }
  if (q.operation !== undefined) {
    where.push('SpanName = {operation:String}');
    params.operation = q.operation;
  }
  if (q.minDurationNs !== undefined) {
    where.push('Duration >= {minDuration:UInt64}');
    params.minDuration = q.minDurationNs.toString();
  }
  if (q.maxDurationNs !== undefined) {
    where.push('Duration <= {maxDuration:UInt64}');
    params.maxDuration = q.maxDurationNs.toString();
  }
  if (q.status !== undefined) {
    where.push('StatusCode = {status:String}');
    params.status = q.status;
  }
  q.attributes.forEach((f, i) => where.push(attributeCondition(f, i, SPAN_MAPS, params)));
  const source = spanSource(options.lookup ? q.attributes.filter((f) => f.op === '=') : [], q.range.startNs / NS_PER_S, q.range.endNs / NS_PER_S, params);
  // The sort column is one of two fixed names, never request text.
  const sortKey = q.sort === 'duration' ? 'durationNs' : 'startNs';
  let having = '';
  if (q.after !== undefined) {
    having = `\n    HAVING (${sortKey}, traceId) < ({afterKey:Int64}, {afterId:String})`;
    params.afterKey = q.after.key;
    params.afterId = q.after.traceId;
  }
  // The page is chosen first from the summaries' Start and End alone, so the aggregate states
  // (root, services) are merged for the page's traces only, not for every matching trace.
  // PREWHERE: an IN over a subquery stays in WHERE otherwise, and every column of every
  // granule the ids fall in (in every part) would be read.
  const query = `
SELECT
    TraceId AS traceId,
    ${START_NS},
    ${DURATION_NS},
    sum(Spans) AS spanCount,
    sum(Errors) AS errorCount,
    argMinMerge(Root) AS root,
    if(root.1 != '', root, argMinMerge(First)) AS shown,
    shown.1 AS rootService,
    shown.2 AS rootOperation,
    sumMap(Services) AS services
FROM vigil_trace_summaries
PREWHERE TraceId IN (
    SELECT traceId FROM (
    SELECT TraceId AS traceId, ${START_NS}, ${DURATION_NS}
    FROM vigil_trace_summaries
    PREWHERE TraceId IN (
        SELECT DISTINCT TraceId
        FROM ${source}
        WHERE ${where.join('\n          AND ')}
      )
    GROUP BY traceId${having}
    ORDER BY ${sortKey} DESC, traceId DESC
    LIMIT {limit:UInt32}
  ))
GROUP BY traceId
ORDER BY ${sortKey} DESC, traceId DESC`;
  return { query, params };
}
