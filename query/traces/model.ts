// The native API's JSON model for traces, and the conversion of stored spans into it.
// Nanoseconds travel as decimal strings (exact), milliseconds as numbers (for charts).
import type { Pairs, StoredSpan } from '../jaeger/reader.ts';

export interface ServiceCount {
  service: string;
  spanCount: number;
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  startNs: string;
  startMs: number;
  durationNs: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  /** Sorted by service name. */
  services: ServiceCount[];
}

export interface Span {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  /** As stored: Server, Client, Producer, Consumer, Internal, Unspecified. */
  kind: string;
  service: string;
  startNs: string;
  startMs: number;
  durationNs: string;
  durationMs: number;
  /** code as stored: Unset, Ok, Error. */
  status: { code: string; message: string };
  attributes: Record<string, string>;
  resource: Record<string, string>;
  scope: { name: string; version: string };
  events: Array<{ timeNs: string; timeMs: number; name: string; attributes: Record<string, string> }>;
  links: Array<{ traceId: string; spanId: string; traceState: string; attributes: Record<string, string> }>;
  flags: number;
}

const ms = (ns: bigint) => Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
// Object.fromEntries defines own properties, so keys such as "__proto__" stay ordinary keys.
const obj = (pairs: Pairs): Record<string, string> => Object.fromEntries(pairs);

export function toSpan(s: StoredSpan): Span {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    traceState: s.traceState,
    name: s.name,
    kind: s.kind,
    service: s.service,
    startNs: s.startNs.toString(),
    startMs: ms(s.startNs),
    durationNs: s.durationNs.toString(),
    durationMs: ms(s.durationNs),
    status: { code: s.statusCode, message: s.statusMessage },
    attributes: obj(s.attributes),
    resource: obj(s.resource),
    scope: { name: s.scopeName, version: s.scopeVersion },
    events: s.events.map((e) => ({ timeNs: e.timeNs.toString(), timeMs: ms(e.timeNs), name: e.name, attributes: obj(e.attributes) })),
    links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, traceState: l.traceState, attributes: obj(l.attributes) })),
    flags: s.flags,
  };
}

export { ms as nsToMs };
