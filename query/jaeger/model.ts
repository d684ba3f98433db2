// Jaeger's v1 UI JSON model (what jaeger-query's /api answers and Grafana's Jaeger data source
// reads), and the conversion of stored spans into it. The conversion follows the
// OpenTelemetry Collector's OTLP -> Jaeger translator (pkg/translator/jaeger) and Jaeger's
// JSON converter; test/jaeger.test.ts checks it against a pair Jaeger produced.
import type { VigilError } from '../../schemas/errors.ts';
import type { Pairs, StoredSpan } from './reader.ts';

export type KeyValue =
  | { key: string; type: 'string'; value: string }
  | { key: string; type: 'bool'; value: boolean }
  | { key: string; type: 'int64' | 'float64'; value: number }
  | { key: string; type: 'binary'; value: string };

export interface Reference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface Log {
  /** Unix microseconds. */
  timestamp: number;
  fields: KeyValue[];
}

export interface Span {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Reference[];
  /** Unix microseconds. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: KeyValue[];
  logs: Log[];
  processID: string;
  warnings: string[] | null;
  /** Jaeger omits flags when 0 (Go `omitempty`); so does Vigil. */
  flags?: number;
}

export interface Process {
  serviceName: string;
  tags: KeyValue[];
}

export interface Trace {
  traceID: string;
  spans: Span[];
  processes: Record<string, Process>;
  warnings: string[] | null;
}

export interface Operation {
  name: string;
  /** server, client, producer, consumer, internal, or '' when unspecified. */
  spanKind: string;
}

export interface StructuredError {
  code?: number;
  msg: string;
  traceID?: string;
}

/** Jaeger's response envelope. total/limit/offset are what Jaeger puts there (mostly 0). */
export interface Envelope<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: StructuredError[] | null;
}

export function envelope<T>(data: T, options: { total?: number; errors?: StructuredError[] } = {}): Envelope<T> {
  const errors = options.errors ?? [];
  return { data, total: options.total ?? 0, limit: 0, offset: 0, errors: errors.length === 0 ? null : errors };
}

/** The body of a failed Jaeger request: `{data: null, ..., errors: [{code: <HTTP status>, msg}]}`. */
export function errorEnvelope(error: VigilError): Envelope<null> {
  return envelope(null, { errors: [{ code: error.status, msg: error.message }] });
}

// The translator's names (tracetranslator / semconv).
export const TAG_SPAN_KIND = 'span.kind';
export const TAG_STATUS_CODE = 'otel.status_code';
export const TAG_STATUS_DESCRIPTION = 'otel.status_description';
export const TAG_ERROR = 'error';
export const TAG_SCOPE_NAME = 'otel.scope.name';
export const TAG_SCOPE_VERSION = 'otel.scope.version';
export const TAG_TRACE_STATE = 'w3c.tracestate';
/** Log field holding an event's name. */
export const LOG_EVENT = 'event';
/** Service name of a resource without service.name (the translator's ResourceNoServiceName). */
export const NO_SERVICE_NAME = 'OTLPResourceNoServiceName';

/** A stored span kind ('Server', or 'SPAN_KIND_SERVER' from older exporters) -> Jaeger's ('server'); '' if unspecified. */
export function jaegerSpanKind(stored: string): string {
  const kind = stored.replace(/^SPAN_KIND_/, '').toLowerCase();
  return kind === 'unspecified' || kind === '' ? '' : kind;
}

/** A stored status code -> 'ERROR' | 'OK' | '' (unset). */
function statusCode(stored: string): string {
  const code = stored.replace(/^STATUS_CODE_/, '').toUpperCase();
  return code === 'ERROR' || code === 'OK' ? code : '';
}

const microseconds = (nanos: bigint): number => Number(nanos / 1000n);

/**
 * Stored attribute values are strings (the exporter's AsString), so every attribute becomes a
 * 'string' KeyValue: Jaeger would type `http.status_code: 500` as int64, Vigil cannot know.
 */
function stringTags(pairs: Pairs, skip?: string): KeyValue[] {
  const tags: KeyValue[] = [];
  for (const [key, value] of pairs) if (key !== skip) tags.push({ key, type: 'string', value });
  return tags;
}

/** Tags in the translator's order: scope, attributes, kind, status code, error, status message, trace state. */
function spanTags(span: StoredSpan): KeyValue[] {
  const tags: KeyValue[] = [];
  if (span.scopeName !== '') tags.push({ key: TAG_SCOPE_NAME, type: 'string', value: span.scopeName });
  if (span.scopeVersion !== '') tags.push({ key: TAG_SCOPE_VERSION, type: 'string', value: span.scopeVersion });
  tags.push(...stringTags(span.attributes));
  const kind = jaegerSpanKind(span.kind);
  if (kind !== '') tags.push({ key: TAG_SPAN_KIND, type: 'string', value: kind });
  const status = statusCode(span.statusCode);
  if (status !== '') tags.push({ key: TAG_STATUS_CODE, type: 'string', value: status });
  if (status === 'ERROR') tags.push({ key: TAG_ERROR, type: 'bool', value: true });
  if (span.statusMessage !== '') tags.push({ key: TAG_STATUS_DESCRIPTION, type: 'string', value: span.statusMessage });
  if (span.traceState !== '') tags.push({ key: TAG_TRACE_STATE, type: 'string', value: span.traceState });
  return tags;
}

/**
 * The parent first (CHILD_OF), then one reference per link: FOLLOWS_FROM unless the link says
 * `opentracing.ref_type: child_of`; a link to the parent itself only sets the parent's type.
 */
function references(span: StoredSpan): Reference[] {
  const refs: Reference[] = [];
  if (span.parentSpanId !== '') refs.push({ refType: 'CHILD_OF', traceID: span.traceId, spanID: span.parentSpanId });
  for (const link of span.links) {
    const refType = link.attributes.some(([k, v]) => k === 'opentracing.ref_type' && v === 'child_of') ? 'CHILD_OF' : 'FOLLOWS_FROM';
    if (span.parentSpanId !== '' && link.traceId === span.traceId && link.spanId === span.parentSpanId) {
      refs[0]!.refType = refType;
      continue;
    }
    refs.push({ refType, traceID: link.traceId, spanID: link.spanId });
  }
  return refs;
}

/** Events -> logs: the name as field `event` first (unless an attribute is called so), then the attributes. */
function logs(span: StoredSpan): Log[] {
  return span.events.map((event) => {
    const fields: KeyValue[] = [];
    if (event.name !== '' && !event.attributes.some(([k]) => k === LOG_EVENT)) {
      fields.push({ key: LOG_EVENT, type: 'string', value: event.name });
    }
    fields.push(...stringTags(event.attributes));
    return { timestamp: microseconds(event.timeNs), fields };
  });
}

/**
 * One trace from its stored spans (in the order given). Processes are the distinct
 * (service, resource attributes) pairs, named p1, p2, ... in order of first use, as
 * Jaeger's JSON converter names them; service.name is the process's serviceName and is
 * left out of its tags.
 */
export function toTrace(traceId: string, spans: readonly StoredSpan[]): Trace {
  const processes: Record<string, Process> = {};
  const processIds = new Map<string, string>();
  const out: Span[] = spans.map((span) => {
    const serviceName = span.service === '' ? NO_SERVICE_NAME : span.service;
    const processKey = JSON.stringify([serviceName, span.resource]);
    let processID = processIds.get(processKey);
    if (processID === undefined) {
      processID = `p${processIds.size + 1}`;
      processIds.set(processKey, processID);
      processes[processID] = { serviceName, tags: stringTags(span.resource, 'service.name') };
    }
    const jaegerSpan: Span = {
      traceID: span.traceId,
      spanID: span.spanId,
      operationName: span.name,
      references: references(span),
      startTime: microseconds(span.startNs),
      duration: microseconds(span.durationNs),
      tags: spanTags(span),
      logs: logs(span),
      processID,
      warnings: null,
    };
    const flags = span.flags & 0xff;
    if (flags !== 0) jaegerSpan.flags = flags;
    return jaegerSpan;
  });
  return { traceID: traceId, spans: out, processes, warnings: null };
}

export function toOperations(operations: ReadonlyArray<{ name: string; kind: string }>): Operation[] {
  return operations.map((o) => ({ name: o.name, spanKind: jaegerSpanKind(o.kind) }));
}
