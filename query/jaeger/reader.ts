// The storage side of the Jaeger API: small reader interfaces in OpenTelemetry terms, and
// their ClickHouse implementation over the otel_traces tables (SQL in sql.ts).
import type { ClickHouseClient } from '@clickhouse/client';
import type { TagFilter, TimeRange } from './params.ts';
import { SPAN_KINDS } from './params.ts';
import { AttributeLookup } from '../traces/attribute-lookup.ts';
import { OPERATIONS, SERVICES, type SearchTag, spansOfTraces, traceSearchSql } from './sql.ts';

/** [key, value] pairs in stored order (keys sorted at ingest). Values are strings. */
export type Pairs = Array<[string, string]>;

/** A span as stored: OpenTelemetry fields, times in nanoseconds. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  /** As stored: 'Server', 'Client', ... ('SPAN_KIND_SERVER' in tables of older exporters). */
  kind: string;
  service: string;
  resource: Pairs;
  scopeName: string;
  scopeVersion: string;
  attributes: Pairs;
  startNs: bigint;
  durationNs: bigint;
  /** As stored: 'Unset', 'Ok', 'Error' ('STATUS_CODE_ERROR' in tables of older exporters). */
  statusCode: string;
  statusMessage: string;
  events: Array<{ timeNs: bigint; name: string; attributes: Pairs }>;
  links: Array<{ traceId: string; spanId: string; traceState: string; attributes: Pairs }>;
  /** W3C trace flags in the low 8 bits. */
  flags: number;
}

export interface Operation {
  name: string;
  /** As stored ('Server', ...). */
  kind: string;
}

export interface TraceQuery {
  service?: string | undefined;
  operation?: string | undefined;
  tags: readonly TagFilter[];
  minDurationNs?: bigint | undefined;
  maxDurationNs?: bigint | undefined;
  range: TimeRange;
  limit: number;
}

export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
}

/**
 * Reads spans for the Jaeger API.
 *
 * Contract:
 * - Every method reads; none changes storage. Failures reject with the client's error
 *   (the caller's error mapper answers 500 and logs it).
 * - Returned arrays and objects belong to the caller, which may change them.
 * - services/operations: sorted, distinct, only spans that started in `range`; a service
 *   with no spans there gives [] (not an error).
 * - findTraceIds: ids of traces with at least ONE span matching every condition of the
 *   query (service, operation, each tag, duration bounds, start within range), newest first,
 *   at most `limit`. A tag matches a span attribute, a resource attribute, or a field Jaeger
 *   shows as a tag (span.kind, error, otel.status_code, otel.status_description,
 *   otel.scope.name, otel.scope.version, w3c.tracestate).
 * - spans: yields batches of spans as they stream in, ordered by trace id then start time;
 *   a trace's spans may be split across consecutive batches. Ids not stored yield nothing
 *   (absence is not an error; the caller decides what "not found" means). `range`, when
 *   given, keeps only spans that started in it.
 */
export interface TraceReader {
  services(range: TimeRange): Promise<string[]>;
  operations(service: string, kind: string | undefined, range: TimeRange): Promise<Operation[]>;
  findTraceIds(query: TraceQuery): Promise<string[]>;
  spans(traceIds: readonly string[], range?: TimeRange): AsyncIterable<StoredSpan[]>;
}

/**
 * Service-to-service call counts. Contract: one link per (parent, child) pair with calls in
 * `range`, sorted by parent then child; callCount >= 1; nothing in range gives [].
 */
export interface DependencyReader {
  dependencies(range: TimeRange): Promise<DependencyLink[]>;
}

// --- ClickHouse -----------------------------------------------------------------------------

// 64-bit integers come back as JSON strings, so nanoseconds and counts keep every digit.
const SETTINGS = { output_format_json_quote_64bit_integers: 1 } as const;

/** A row of spansOfTraces().withoutJson: the stored span with 64-bit numbers as strings, events and links as parallel arrays. */
type SpanRow = Omit<StoredSpan, 'startNs' | 'durationNs' | 'events' | 'links'> & {
  startNs: string;
  durationNs: string;
  eventTimesNs: string[];
  eventNames: string[];
  eventAttributes: Pairs[];
  linkTraceIds: string[];
  linkSpanIds: string[];
  linkTraceStates: string[];
  linkAttributes: Pairs[];
};

/**
 * One span row -> StoredSpan. Field by field, not `...rest`: a search answer maps thousands of
 * spans, and object rest/spread copies were its costliest step (CPU profile of the Jaeger search).
 */
export function spanFromRow(row: SpanRow): StoredSpan {
  return {
    traceId: row.traceId,
    spanId: row.spanId,
    parentSpanId: row.parentSpanId,
    traceState: row.traceState,
    name: row.name,
    kind: row.kind,
    service: row.service,
    resource: row.resource,
    scopeName: row.scopeName,
    scopeVersion: row.scopeVersion,
    attributes: row.attributes,
    startNs: BigInt(row.startNs),
    durationNs: BigInt(row.durationNs),
    statusCode: row.statusCode,
    statusMessage: row.statusMessage,
    events: row.eventTimesNs.map((t, i) => ({ timeNs: BigInt(t), name: row.eventNames[i] ?? '', attributes: row.eventAttributes[i] ?? [] })),
    links: row.linkTraceIds.map((traceId, i) => ({
      traceId,
      spanId: row.linkSpanIds[i] ?? '',
      traceState: row.linkTraceStates[i] ?? '',
      attributes: row.linkAttributes[i] ?? [],
    })),
    flags: row.flags,
  };
}

/** The stored value a derived Jaeger tag compares with, or undefined when only attributes can match. */
export function derivedTag(tag: TagFilter): SearchTag['derived'] {
  const lower = tag.value.toLowerCase();
  switch (tag.key) {
    case 'span.kind': {
      const kind = SPAN_KINDS[lower];
      return kind === undefined ? undefined : { column: 'SpanKind', value: kind };
    }
    case 'error':
      return lower === 'true' ? { column: 'StatusCode', value: 'Error' } : undefined;
    case 'otel.status_code':
      return lower === 'error' ? { column: 'StatusCode', value: 'Error' } : lower === 'ok' ? { column: 'StatusCode', value: 'Ok' } : undefined;
    case 'otel.status_description':
      return { column: 'StatusMessage', value: tag.value };
    case 'otel.scope.name':
      return { column: 'ScopeName', value: tag.value };
    case 'otel.scope.version':
      return { column: 'ScopeVersion', value: tag.value };
    case 'w3c.tracestate':
      return { column: 'TraceState', value: tag.value };
    default:
      return undefined;
  }
}

export class ClickHouseTraceReader implements TraceReader {
  private readonly lookup: AttributeLookup;

  constructor(private readonly client: ClickHouseClient) {
    this.lookup = AttributeLookup.of(client);
  }

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: SETTINGS });
    return result.json<T>();
  }

  async services(range: TimeRange): Promise<string[]> {
    const rows = await this.rows<{ service: string }>(SERVICES, { start: range.startUs, end: range.endUs });
    return rows.map((r) => r.service);
  }

  async operations(service: string, kind: string | undefined, range: TimeRange): Promise<Operation[]> {
    return this.rows<Operation>(OPERATIONS, { service, kind: kind ?? '', start: range.startUs, end: range.endUs });
  }

  async findTraceIds(q: TraceQuery): Promise<string[]> {
    const tags = q.tags.map((t) => ({ key: t.key, value: t.value, derived: derivedTag(t) }));
    const lookup =
      tags.some((t) => t.derived === undefined) &&
      (await this.lookup.covers(BigInt(q.range.startUs) * 1000n, BigInt(q.range.endUs) * 1000n));
    const { query, params } = traceSearchSql({
      service: q.service,
      operation: q.operation,
      minDurationNs: q.minDurationNs,
      maxDurationNs: q.maxDurationNs,
      tags,
      startUs: q.range.startUs,
      endUs: q.range.endUs,
      limit: q.limit,
      lookup,
    });
    const rows = await this.rows<{ traceId: string }>(query, params);
    return rows.map((r) => r.traceId);
  }

  async *spans(traceIds: readonly string[], range?: TimeRange): AsyncIterable<StoredSpan[]> {
    if (traceIds.length === 0) return;
    const sql = spansOfTraces(range !== undefined);
    const params = range === undefined ? { ids: traceIds } : { ids: traceIds, start: range.startUs, end: range.endUs };
    const result = await this.client.query({ query: sql.json, query_params: params, format: 'JSONCompactEachRow' });
    const spans: StoredSpan[] = [];
    let withoutJson = 0;
    for (const [json, resource, attributes] of await result.json<[string, Pairs, Pairs]>()) {
      if (json === '') withoutJson++;
      else spans.push(spanOfJson(json, resource, attributes));
    }
    if (withoutJson > 0) for (const row of await this.rows<SpanRow>(sql.withoutJson, params)) spans.push(spanFromRow(row));
    yield spans.sort(byTraceThenStart);
  }
}

/** Span as the view renders it (schemas/migrations/0013_span_json.sql): an array, in this order. */
type SpanJson = [
  traceId: string, spanId: string, parentSpanId: string, traceState: string, name: string, kind: string, service: string,
  scopeName: string, scopeVersion: string, startNs: string, durationNs: string, statusCode: string, statusMessage: string,
  eventTimesNs: string[], eventNames: string[], eventAttributes: Pairs[],
  linkTraceIds: string[], linkSpanIds: string[], linkTraceStates: string[], linkAttributes: Pairs[], flags: number,
];

function spanOfJson(json: string, resource: Pairs, attributes: Pairs): StoredSpan {
  const [
    traceId, spanId, parentSpanId, traceState, name, kind, service, scopeName, scopeVersion, startNs, durationNs, statusCode,
    statusMessage, eventTimesNs, eventNames, eventAttributes, linkTraceIds, linkSpanIds, linkTraceStates, linkAttributes, flags,
  ] = JSON.parse(json) as SpanJson;
  return spanFromRow({
    traceId, spanId, parentSpanId, traceState, name, kind, service, resource, scopeName, scopeVersion, attributes, startNs, durationNs,
    statusCode, statusMessage, eventTimesNs, eventNames, eventAttributes, linkTraceIds, linkSpanIds, linkTraceStates, linkAttributes, flags,
  });
}

/** The stored order: by trace id, then start time, then span id. */
function byTraceThenStart(a: StoredSpan, b: StoredSpan): number {
  if (a.traceId !== b.traceId) return a.traceId < b.traceId ? -1 : 1;
  if (a.startNs !== b.startNs) return a.startNs < b.startNs ? -1 : 1;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}
