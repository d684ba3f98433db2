// Parameters of the native trace endpoints (/api/v1/traces...).
import { parseGoDuration } from '../jaeger/params.ts';
import {
  type AttributeFilter,
  type NsRange,
  type RawQuery,
  bad,
  decodeCursor,
  onlyKnown,
  parseAttributeFilters,
  parseLimit,
  parseRange,
  text,
} from '../params.ts';

export type TraceSort = 'start' | 'duration';
export const TRACE_SORTS: readonly TraceSort[] = ['start', 'duration'];
/** Status values as stored (StatusCode), by their parameter spelling. */
export const STATUSES: Readonly<Record<string, string>> = { error: 'Error', ok: 'Ok', unset: 'Unset' };

export const TRACE_LIMIT_DEFAULT = 20;
export const TRACE_LIMIT_MAX = 1000;

export interface TraceSearch {
  range: NsRange;
  service: string | undefined;
  operation: string | undefined;
  /** Inclusive bounds on a matching span's duration, in nanoseconds. */
  minDurationNs: bigint | undefined;
  maxDurationNs: bigint | undefined;
  /** As stored ('Error', 'Ok', 'Unset'). */
  status: string | undefined;
  attributes: AttributeFilter[];
  sort: TraceSort;
  limit: number;
  /** Resume after this (sort key, trace id), from a cursor. */
  after: { key: string; traceId: string } | undefined;
}

export const traceCursorKind = (sort: TraceSort) => `traces:${sort}`;

const SEARCH_PARAMS = ['start', 'end', 'service', 'operation', 'minDuration', 'maxDuration', 'status', 'attr', 'sort', 'limit', 'cursor'];

/** `GET /api/v1/traces`. */
export function parseTraceSearch(query: RawQuery, nowMs: number): TraceSearch {
  onlyKnown(query, SEARCH_PARAMS);
  const sortRaw = text(query, 'sort') ?? 'start';
  if (!(TRACE_SORTS as readonly string[]).includes(sortRaw)) throw bad('sort', `${JSON.stringify(sortRaw)} is not one of ${TRACE_SORTS.join(', ')}`);
  const sort = sortRaw as TraceSort;
  const minRaw = text(query, 'minDuration');
  const maxRaw = text(query, 'maxDuration');
  const minDurationNs = minRaw === undefined ? undefined : parseGoDuration(minRaw, 'minDuration');
  const maxDurationNs = maxRaw === undefined ? undefined : parseGoDuration(maxRaw, 'maxDuration');
  if (minDurationNs !== undefined && maxDurationNs !== undefined && maxDurationNs < minDurationNs) {
    throw bad('maxDuration', `maxDuration (${maxRaw}) is less than minDuration (${minRaw})`);
  }
  const statusRaw = text(query, 'status');
  const status = statusRaw === undefined ? undefined : STATUSES[statusRaw.toLowerCase()];
  if (statusRaw !== undefined && status === undefined) throw bad('status', `${JSON.stringify(statusRaw)} is not one of ${Object.keys(STATUSES).join(', ')}`);
  const cursor = text(query, 'cursor');
  const after = cursor === undefined ? undefined : decodeCursor(cursor, traceCursorKind(sort), /^[0-9a-f]{32}$/);
  return {
    range: parseRange(query, nowMs),
    service: text(query, 'service'),
    operation: text(query, 'operation'),
    minDurationNs,
    maxDurationNs,
    status,
    attributes: parseAttributeFilters(query),
    sort,
    limit: parseLimit(query, TRACE_LIMIT_DEFAULT, TRACE_LIMIT_MAX),
    after: after === undefined ? undefined : { key: after.key, traceId: after.tie },
  };
}
