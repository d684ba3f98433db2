// Vigil's native query API (/api/v1/...) against data sent by the real OpenTelemetry SDK:
// frontend -> cart -> db traces (one good, one failing with a link, a health check, two traces
// starting in the same nanosecond), an old trace, a trace without a root, a 10,000-span trace
// sent as OTLP/HTTP JSON, and log records with severities, bodies and trace context. Every
// endpoint is checked field by field: filters, sort, paging, empty answers, bad parameters.
import { ROOT_CONTEXT, type HrTime, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClickHouseClient } from '@clickhouse/client';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiV1 } from '../query/api-v1.ts';
import { bucketStepNs, parseBodyQuery } from '../query/logs/params.ts';
import { logSearchSql, logVolumeSql } from '../query/logs/sql.ts';
import { ATTRIBUTE_KEYS, ATTRIBUTE_VALUES } from '../query/metadata/sql.ts';
import { openApiDocument } from '../query/openapi.ts';
import { decodeCursor, encodeCursor, parseAttributeFilters } from '../query/params.ts';
import { traceSearchSql } from '../query/traces/sql.ts';
import { post } from './helpers/otlp.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

let vigil: TestVigil;
const tracerProviders: BasicTracerProvider[] = [];
const loggerProviders: LoggerProvider[] = [];

const NOW_S = Math.floor(Date.now() / 1000);
const BASE_S = NOW_S - 900; // 15 minutes ago
const OLD_S = NOW_S - 3 * 3600;
const at = (s: number, ms = 0): HrTime => [s + Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
const ns = (s: number, ms = 0) => (BigInt(s) * 1_000_000_000n + BigInt(ms) * 1_000_000n).toString();
const msOf = (s: number, ms = 0) => s * 1000 + ms;

const ids: Record<string, string> = {};
const spanIds: Record<string, string> = {};
const BULK_SPANS = 10_000;

function tracer(resource: Record<string, string>, scope: string, version?: string): Tracer {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${vigil.otlpUrl}/v1/traces` }))],
  });
  tracerProviders.push(provider);
  return provider.getTracer(scope, version);
}

function logger(resource: Record<string, string>) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resource),
    processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${vigil.otlpUrl}/v1/logs` }) })],
  });
  loggerProviders.push(provider);
  return provider.getLogger('app-log', '1.0.0');
}

function child(t: Tracer, name: string, kind: SpanKind, parent: Span, start: HrTime, attributes: Record<string, string> = {}): Span {
  return t.startSpan(name, { kind, startTime: start, attributes }, trace.setSpan(ROOT_CONTEXT, parent));
}

/** The bulk trace: 10,000 spans (one root, the rest its children) in 5 OTLP/JSON requests. */
async function sendBulkTrace(): Promise<void> {
  const traceId = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0';
  ids.bulk = traceId;
  const startNs = BigInt(ns(BASE_S + 240));
  const spanId = (i: number) => (i + 1).toString(16).padStart(16, '0');
  for (let batch = 0; batch < BULK_SPANS / 2000; batch++) {
    const spans = [];
    for (let i = batch * 2000; i < (batch + 1) * 2000; i++) {
      const s = startNs + BigInt(i) * 100_000n; // every 0.1 ms
      spans.push({
        traceId,
        spanId: spanId(i),
        parentSpanId: i === 0 ? '' : spanId(0),
        name: i === 0 ? 'bulk root' : `step ${i % 10}`,
        kind: i === 0 ? 2 : 1,
        startTimeUnixNano: s.toString(),
        endTimeUnixNano: (i === 0 ? s + 5_000_000_000n : s + 50_000n).toString(),
        attributes: [{ key: 'step.index', value: { intValue: String(i) } }],
      });
    }
    const body = JSON.stringify({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bulk' } }] }, scopeSpans: [{ scope: { name: 'bulk-lib' }, spans }] }],
    });
    const answer = await post(`${vigil.otlpUrl}/v1/traces`, body);
    expect(answer.status).toBe(200);
  }
}

/** A trace whose spans all have a parent that was never stored: the earliest span is its root. */
async function sendOrphanTrace(): Promise<void> {
  ids.orphan = 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0';
  const span = (spanId: string, name: string, ms: number) => ({
    traceId: ids.orphan,
    spanId,
    parentSpanId: 'ffffffffffffffff',
    name,
    kind: 2,
    startTimeUnixNano: ns(BASE_S + 300, ms),
    endTimeUnixNano: (BigInt(ns(BASE_S + 300, ms)) + 1_000_000n).toString(),
  });
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orphan' } }] },
        scopeSpans: [{ scope: { name: 'o' }, spans: [span('00000000000000a2', 'late', 2), span('00000000000000a1', 'early', 1)] }],
      },
    ],
  });
  expect((await post(`${vigil.otlpUrl}/v1/traces`, body)).status).toBe(200);
}

beforeAll(async () => {
  vigil = await startTestVigil();
  const fe = tracer({ 'service.name': 'frontend', 'host.name': 'web-1' }, 'checkout-instrumentation', '2.1.0');
  const cart = tracer({ 'service.name': 'cart', 'host.name': 'cart-1' }, 'cart-lib');
  const db = tracer({ 'service.name': 'db', 'db.system': 'postgresql' }, 'db-lib');

  // A: frontend GET /checkout -> cart POST /cart -> db query, 250 ms, customer gold.
  const rootA = fe.startSpan('GET /checkout', { kind: SpanKind.SERVER, startTime: at(BASE_S), attributes: { 'http.route': '/checkout', 'customer.tier': 'gold' } });
  const feClientA = child(fe, 'POST cart', SpanKind.CLIENT, rootA, at(BASE_S, 10), { 'peer.service': 'cart' });
  const cartServerA = child(cart, 'POST /cart', SpanKind.SERVER, feClientA, at(BASE_S, 20), { 'cart.id': 'cart:42' });
  cartServerA.addEvent('cache miss', { 'cache.key': 'cart:42' }, at(BASE_S, 30));
  const cartClientA = child(cart, 'SELECT cart', SpanKind.CLIENT, cartServerA, at(BASE_S, 40));
  const dbA = child(db, 'query', SpanKind.SERVER, cartClientA, at(BASE_S, 50), { 'db.statement': "SELECT * FROM cart WHERE id = '42'" });
  dbA.end(at(BASE_S, 110));
  cartClientA.end(at(BASE_S, 120));
  cartServerA.end(at(BASE_S, 190));
  feClientA.end(at(BASE_S, 200));
  rootA.end(at(BASE_S, 250));

  // B: the error path, 1.5 s, customer silver, linked to A.
  const b = BASE_S + 60;
  const rootB = fe.startSpan('GET /checkout', {
    kind: SpanKind.SERVER,
    startTime: at(b),
    attributes: { 'http.route': '/checkout', 'customer.tier': 'silver' },
    links: [{ context: rootA.spanContext(), attributes: { reason: 'retry' } }],
  });
  const cartB = child(cart, 'POST /cart', SpanKind.SERVER, rootB, at(b, 100));
  cartB.setStatus({ code: SpanStatusCode.ERROR, message: 'out of stock' });
  cartB.end(at(b, 1400));
  rootB.setStatus({ code: SpanStatusCode.ERROR });
  rootB.end(at(b, 1500));

  // C: a health check; E1, E2: two traces starting in the same nanosecond, same duration.
  const rootC = fe.startSpan('GET /health', { kind: SpanKind.SERVER, startTime: at(BASE_S + 120), attributes: { 'http.route': '/health' } });
  rootC.end(at(BASE_S + 120, 5));
  const e1 = fe.startSpan('tick', { kind: SpanKind.INTERNAL, startTime: at(BASE_S + 180) });
  e1.end(at(BASE_S + 180, 10));
  const e2 = fe.startSpan('tick', { kind: SpanKind.INTERNAL, startTime: at(BASE_S + 180) });
  e2.end(at(BASE_S + 180, 10));
  // Old: outside the default hour.
  const old = fe.startSpan('GET /old', { kind: SpanKind.SERVER, startTime: at(OLD_S) });
  old.end(at(OLD_S, 5));
  await Promise.all(tracerProviders.map((p) => p.forceFlush()));

  Object.assign(ids, {
    A: rootA.spanContext().traceId,
    B: rootB.spanContext().traceId,
    C: rootC.spanContext().traceId,
    E1: e1.spanContext().traceId,
    E2: e2.spanContext().traceId,
    old: old.spanContext().traceId,
  });
  for (const [name, span] of Object.entries({ rootA, feClientA, cartServerA, cartClientA, dbA, rootB, cartB })) spanIds[name] = span.spanContext().spanId;

  await sendBulkTrace();
  await sendOrphanTrace();

  // Logs.
  const feLog = logger({ 'service.name': 'frontend', 'host.name': 'web-1' });
  const cartLog = logger({ 'service.name': 'cart' });
  feLog.emit({
    timestamp: at(BASE_S, 100),
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'user alice checked out cart 42',
    attributes: { 'user.id': 'alice' },
    context: trace.setSpan(ROOT_CONTEXT, rootA),
  });
  cartLog.emit({
    timestamp: at(b, 1200),
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'payment failed: card declined',
    context: trace.setSpan(ROOT_CONTEXT, cartB),
  });
  cartLog.emit({ timestamp: at(BASE_S + 90), severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 'Inventory LOW for item-7' });
  feLog.emit({ timestamp: at(BASE_S + 100), severityNumber: SeverityNumber.DEBUG, severityText: 'DEBUG', body: 'cache warmed' });
  // Seven records in the same nanosecond: paging must neither repeat nor skip any.
  for (let i = 0; i < 7; i++) feLog.emit({ timestamp: at(BASE_S + 200), severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `tick ${i}` });
  feLog.emit({ timestamp: at(OLD_S), severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'ancient' });
  await Promise.all(loggerProviders.map((p) => p.forceFlush()));
}, 180_000);

afterAll(async () => {
  await Promise.all([...tracerProviders, ...loggerProviders].map((p) => p.shutdown()));
  await vigil?.stop();
});

type Params = Record<string, string | number | Array<string | number>>;

async function get(path: string, params: Params = {}): Promise<{ status: number; body: any }> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
  const qs = search.toString();
  const res = await fetch(`${vigil.query!.url}${path}${qs === '' ? '' : `?${qs}`}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, body: await res.json() };
}

async function ok(path: string, params: Params = {}): Promise<any> {
  const { status, body } = await get(path, params);
  expect(status, JSON.stringify(body).slice(0, 500)).toBe(200);
  return body;
}

async function rejected(path: string, params: Params): Promise<string> {
  const { status, body } = await get(path, params);
  expect(status, JSON.stringify(body)).toBe(400);
  expect(body).toEqual({ code: 'VIGIL_ERR_BAD_PARAMETER', message: expect.any(String) });
  return body.message;
}

const traceIdsOf = async (params: Params) => (await ok('/api/v1/traces', params)).traces.map((t: any) => t.traceId);

/** Every page of a list, following nextCursor. */
async function walk(path: string, params: Params, field: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const body = await ok(path, cursor === null ? params : { ...params, cursor });
    items.push(...body[field]);
    cursor = body.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error('too many pages');
}

describe('GET /api/v1/traces', () => {
  it('answers summaries of the last hour, newest first, field by field', async () => {
    const body = await ok('/api/v1/traces');
    expect(body.nextCursor).toBeNull();
    const [e1, e2] = [ids.E1!, ids.E2!].sort().reverse();
    expect(body.traces.map((t: any) => t.traceId)).toEqual([ids.orphan, ids.bulk, e1, e2, ids.C, ids.B, ids.A]);
    const a = body.traces.find((t: any) => t.traceId === ids.A);
    expect(a).toEqual({
      traceId: ids.A,
      rootService: 'frontend',
      rootOperation: 'GET /checkout',
      startNs: ns(BASE_S),
      startMs: msOf(BASE_S),
      durationNs: '250000000',
      durationMs: 250,
      spanCount: 5,
      errorCount: 0,
      services: [
        { service: 'cart', spanCount: 2 },
        { service: 'db', spanCount: 1 },
        { service: 'frontend', spanCount: 2 },
      ],
    });
    const bTrace = body.traces.find((t: any) => t.traceId === ids.B);
    expect(bTrace).toMatchObject({ rootService: 'frontend', durationMs: 1500, spanCount: 2, errorCount: 2 });
    expect(body.traces.find((t: any) => t.traceId === ids.bulk)).toMatchObject({
      rootService: 'bulk',
      rootOperation: 'bulk root',
      spanCount: BULK_SPANS,
      errorCount: 0,
      durationNs: '5000000000',
      services: [{ service: 'bulk', spanCount: BULK_SPANS }],
    });
  });

  it('summarizes the whole trace when only some of its spans start in the range', async () => {
    // Trace A's db span starts 50 ms after its root: a range from 45 ms on matches A by that span.
    const body = await ok('/api/v1/traces', { service: 'db', start: msOf(BASE_S) + 45, end: msOf(BASE_S) + 60 });
    expect(body.traces).toHaveLength(1);
    expect(body.traces[0]).toMatchObject({ traceId: ids.A, rootService: 'frontend', startNs: ns(BASE_S), spanCount: 5, durationMs: 250 });
  });

  it('falls back to the earliest span when no span lacks a parent', async () => {
    const [orphan] = (await ok('/api/v1/traces', { service: 'orphan' })).traces;
    expect(orphan).toMatchObject({ traceId: ids.orphan, rootService: 'orphan', rootOperation: 'early', spanCount: 2, startNs: ns(BASE_S + 300, 1), durationNs: '2000000' });
  });

  it('filters by service, operation, duration, status and time', async () => {
    expect(await traceIdsOf({ service: 'db' })).toEqual([ids.A]);
    expect(await traceIdsOf({ service: 'frontend', operation: 'GET /health' })).toEqual([ids.C]);
    expect(await traceIdsOf({ minDuration: '1s' })).toEqual([ids.bulk, ids.B]);
    expect(await traceIdsOf({ minDuration: '1s', maxDuration: '2s' })).toEqual([ids.B]);
    expect(await traceIdsOf({ status: 'error' })).toEqual([ids.B]);
    expect(await traceIdsOf({ status: 'ERROR', service: 'cart' })).toEqual([ids.B]);
    expect(await traceIdsOf({ start: msOf(OLD_S - 60), end: msOf(OLD_S + 60) })).toEqual([ids.old]);
    expect(await traceIdsOf({ start: new Date(msOf(OLD_S - 60)).toISOString(), end: new Date(msOf(OLD_S + 60)).toISOString() })).toEqual([ids.old]);
  });

  it('filters by span and resource attributes: =, != and =~', async () => {
    expect(await traceIdsOf({ attr: 'customer.tier=gold' })).toEqual([ids.A]);
    expect(await traceIdsOf({ attr: 'customer.tier=~^(gold|silver)$' })).toEqual([ids.B, ids.A]);
    expect(await traceIdsOf({ attr: 'customer.tier=~^g' })).toEqual([ids.A]);
    expect(await traceIdsOf({ attr: ['customer.tier!=gold', 'http.route=/checkout'] })).toEqual([ids.B]);
    expect(await traceIdsOf({ attr: 'db.system=postgresql' })).toEqual([ids.A]); // resource attribute
    expect(await traceIdsOf({ attr: ['host.name=cart-1', 'cart.id=cart:42'] })).toEqual([ids.A]);
    expect(await traceIdsOf({ attr: 'step.index=9999' })).toEqual([ids.bulk]);
    expect(await traceIdsOf({ attr: 'customer.tier=platinum' })).toEqual([]);
  });

  it('sorts by duration, longest first, ties by trace id', async () => {
    const traces = (await ok('/api/v1/traces', { sort: 'duration' })).traces;
    const keys = traces.map((t: any) => [BigInt(t.durationNs), t.traceId]);
    expect(traces[0].traceId).toBe(ids.bulk);
    for (let i = 1; i < keys.length; i++) {
      const [d0, id0] = keys[i - 1];
      const [d1, id1] = keys[i];
      expect(d0 > d1 || (d0 === d1 && id0 > id1)).toBe(true);
    }
  });

  it.each(['start', 'duration'])('pages by cursor (sort=%s): every trace once, in order', async (sort) => {
    const all = (await ok('/api/v1/traces', { sort })).traces.map((t: any) => t.traceId);
    for (const limit of [1, 2, 3]) {
      const paged = (await walk('/api/v1/traces', { sort, limit }, 'traces')).map((t) => t.traceId);
      expect(paged).toEqual(all);
    }
  });

  it('answers an empty list for a window without traces', async () => {
    expect(await ok('/api/v1/traces', { start: 946_684_800_000, end: 946_684_900_000 })).toEqual({ traces: [], nextCursor: null });
  });

  it('refuses bad parameters with 400 and a clear message', async () => {
    expect(await rejected('/api/v1/traces', { sort: 'name' })).toBe('invalid sort: "name" is not one of start, duration');
    expect(await rejected('/api/v1/traces', { attr: 'x=~(abc' })).toBe('invalid attr: "(abc" is not a valid re2 regular expression (missing ))');
    expect(await rejected('/api/v1/traces', { attr: 'novalue' })).toMatch(/^invalid attr: "novalue" is not key=value/);
    expect(await rejected('/api/v1/traces', { cursor: 'garbage!' })).toMatch(/^invalid cursor: not a cursor this API returned/);
    expect(await rejected('/api/v1/traces', { cursor: Buffer.from('{"a":1}').toString('base64url') })).toMatch(/^invalid cursor/);
    const startCursor = (await ok('/api/v1/traces', { limit: 1 })).nextCursor;
    expect(await rejected('/api/v1/traces', { sort: 'duration', cursor: startCursor })).toMatch(/^invalid cursor: a cursor of another list or sort order/);
    expect(await rejected('/api/v1/traces', { start: 2000, end: 1000 })).toBe('invalid start: start (2000) is after end (1000)');
    expect(await rejected('/api/v1/traces', { start: 'yesterday' })).toMatch(/^invalid start: "yesterday" is neither unix milliseconds nor an RFC 3339 time/);
    expect(await rejected('/api/v1/traces', { status: 'bad' })).toBe('invalid status: "bad" is not one of error, ok, unset');
    expect(await rejected('/api/v1/traces', { minDuration: 'abc' })).toMatch(/^invalid minDuration/);
    expect(await rejected('/api/v1/traces', { minDuration: '2s', maxDuration: '1s' })).toMatch(/^invalid maxDuration/);
    expect(await rejected('/api/v1/traces', { limit: 0 })).toBe('invalid limit: "0" is not a positive integer');
    expect(await rejected('/api/v1/traces', { serivce: 'cart' })).toMatch(/^invalid serivce: unknown parameter/);
    expect(await rejected('/api/v1/traces', { service: ['a', 'b'] })).toBe('invalid service: given 2 times; give it once');
  });
});

describe('GET /api/v1/traces/{traceId}', () => {
  it('answers every span with attributes, events, links, resource, scope, status, kind, and the logs', async () => {
    const t = await ok(`/api/v1/traces/${ids.A}`);
    expect(t).toMatchObject({ traceId: ids.A, startNs: ns(BASE_S), durationNs: '250000000', durationMs: 250, spanCount: 5, errorCount: 0 });
    expect(t.services).toEqual([
      { service: 'cart', spanCount: 2 },
      { service: 'db', spanCount: 1 },
      { service: 'frontend', spanCount: 2 },
    ]);
    expect(t.spans.map((s: any) => s.spanId)).toEqual([spanIds.rootA, spanIds.feClientA, spanIds.cartServerA, spanIds.cartClientA, spanIds.dbA]);
    expect(t.spans[2]).toEqual({
      traceId: ids.A,
      spanId: spanIds.cartServerA,
      parentSpanId: spanIds.feClientA,
      traceState: '',
      name: 'POST /cart',
      kind: 'Server',
      service: 'cart',
      startNs: ns(BASE_S, 20),
      startMs: msOf(BASE_S, 20),
      durationNs: '170000000',
      durationMs: 170,
      status: { code: 'Unset', message: '' },
      attributes: { 'cart.id': 'cart:42' },
      resource: expect.objectContaining({ 'service.name': 'cart', 'host.name': 'cart-1' }),
      scope: { name: 'cart-lib', version: '' },
      events: [{ timeNs: ns(BASE_S, 30), timeMs: msOf(BASE_S, 30), name: 'cache miss', attributes: { 'cache.key': 'cart:42' } }],
      links: [],
      flags: 257, // sampled (0x1) + OTLP's "is remote known" bit (0x100), as the SDK sends it
    });
    expect(t.spans[0]).toMatchObject({ parentSpanId: '', scope: { name: 'checkout-instrumentation', version: '2.1.0' }, attributes: { 'http.route': '/checkout', 'customer.tier': 'gold' } });
    expect(t.logs).toEqual([
      {
        timeNs: ns(BASE_S, 100),
        timeMs: msOf(BASE_S, 100),
        observedTimeNs: expect.stringMatching(/^\d+$/),
        service: 'frontend',
        severityText: 'INFO',
        severityNumber: 9,
        body: 'user alice checked out cart 42',
        traceId: ids.A,
        spanId: spanIds.rootA,
        traceFlags: 1,
        eventName: '',
        attributes: { 'user.id': 'alice' },
        resource: expect.objectContaining({ 'service.name': 'frontend', 'host.name': 'web-1' }),
        scope: { name: 'app-log', version: '1.0.0', attributes: {} },
      },
    ]);
  });

  it('answers the error path with statuses and links', async () => {
    const t = await ok(`/api/v1/traces/${ids.B!.toUpperCase()}`);
    expect(t.errorCount).toBe(2);
    expect(t.spans[0].links).toEqual([{ traceId: ids.A, spanId: spanIds.rootA, traceState: '', attributes: { reason: 'retry' } }]);
    expect(t.spans[1].status).toEqual({ code: 'Error', message: 'out of stock' });
    expect(t.logs.map((l: any) => [l.body, l.severityText, l.spanId])).toEqual([['payment failed: card declined', 'ERROR', spanIds.cartB]]);
  });

  it('answers a trace of 10,000 spans', async () => {
    const t = await ok(`/api/v1/traces/${ids.bulk}`);
    expect(t.spanCount).toBe(BULK_SPANS);
    expect(t.spans).toHaveLength(BULK_SPANS);
    expect(new Set(t.spans.map((s: any) => s.spanId)).size).toBe(BULK_SPANS);
    expect(t.spans[0]).toMatchObject({ name: 'bulk root', parentSpanId: '', kind: 'Server' });
    expect(t.spans[9999]).toMatchObject({ name: 'step 9', attributes: { 'step.index': '9999' }, startNs: (BigInt(ns(BASE_S + 240)) + 9999n * 100_000n).toString() });
    expect(t.services).toEqual([{ service: 'bulk', spanCount: BULK_SPANS }]);
    expect(t.durationNs).toBe('5000000000');
    expect(t.logs).toEqual([]);
  });

  it('404 for an unknown trace, 400 for a malformed id', async () => {
    const missing = await get('/api/v1/traces/0123456789abcdef0123456789abcdef');
    expect(missing).toEqual({ status: 404, body: { code: 'VIGIL_ERR_NOT_FOUND', message: 'trace not found' } });
    expect(await rejected(`/api/v1/traces/${encodeURIComponent("x' OR 1=1 --")}`, {})).toBe(`invalid traceId: "x' OR 1=1 --" is not 1 to 32 hexadecimal digits`);
  });
});

describe('GET /api/v1/logs', () => {
  const bodies = async (params: Params) => (await ok('/api/v1/logs', params)).logs.map((l: any) => l.body);
  const ticks = Array.from({ length: 7 }, (_, i) => `tick ${i}`);

  it('answers the last hour newest first', async () => {
    const body = await ok('/api/v1/logs');
    expect(body.nextCursor).toBeNull();
    const all = body.logs.map((l: any) => l.body);
    expect(all.slice(0, 7).sort()).toEqual(ticks);
    expect(all.slice(7)).toEqual(['cache warmed', 'Inventory LOW for item-7', 'payment failed: card declined', 'user alice checked out cart 42']);
    const times = body.logs.map((l: any) => BigInt(l.timeNs));
    for (let i = 1; i < times.length; i++) expect(times[i - 1] >= times[i]).toBe(true);
  });

  it('filters by service, severity, trace id, attributes and time', async () => {
    expect(await bodies({ service: 'cart' })).toEqual(['Inventory LOW for item-7', 'payment failed: card declined']);
    expect(await bodies({ severity: 'WARN' })).toEqual(['Inventory LOW for item-7', 'payment failed: card declined']);
    expect(await bodies({ severity: 'warn' })).toEqual(['Inventory LOW for item-7', 'payment failed: card declined']);
    expect(await bodies({ severity: 17 })).toEqual(['payment failed: card declined']);
    expect(await bodies({ severity: 'DEBUG', service: 'frontend', q: 'cache' })).toEqual(['cache warmed']);
    expect(await bodies({ traceId: ids.A! })).toEqual(['user alice checked out cart 42']);
    expect(await bodies({ attr: 'user.id=alice' })).toEqual(['user alice checked out cart 42']);
    expect(await bodies({ attr: 'host.name=web-1', severity: 'INFO', q: 'alice' })).toEqual(['user alice checked out cart 42']);
    expect(await bodies({ start: msOf(OLD_S - 60), end: msOf(OLD_S + 60) })).toEqual(['ancient']);
  });

  it('matches body tokens case-insensitively and "quoted phrases" as substrings', async () => {
    expect(await bodies({ q: 'inventory' })).toEqual(['Inventory LOW for item-7']);
    expect(await bodies({ q: 'low INVENTORY' })).toEqual(['Inventory LOW for item-7']);
    expect(await bodies({ q: 'inven' })).toEqual([]); // a token is a whole word
    expect(await bodies({ q: '"card declined"' })).toEqual(['payment failed: card declined']);
    expect(await bodies({ q: '"declined card"' })).toEqual([]);
    expect(await bodies({ q: '"ed: card dec"' })).toEqual(['payment failed: card declined']);
    expect(await bodies({ q: 'item-7' })).toEqual(['Inventory LOW for item-7']);
    expect(await bodies({ q: 'alice "out cart" 42' })).toEqual(['user alice checked out cart 42']);
    expect(parseBodyQuery('a "b c" d.e')).toEqual({ tokens: ['a'], phrases: ['b c', 'd.e'] });
  });

  it('pages by cursor through records sharing a nanosecond: each once, in order', async () => {
    const all = (await ok('/api/v1/logs')).logs;
    for (const limit of [1, 2, 3, 5]) expect(await walk('/api/v1/logs', { limit }, 'logs')).toEqual(all);
    expect((await ok('/api/v1/logs', { limit: 11 })).nextCursor).not.toBeNull();
    expect(await ok('/api/v1/logs', { limit: 11, cursor: (await ok('/api/v1/logs', { limit: 11 })).nextCursor })).toEqual({ logs: [], nextCursor: null });
  });

  it('answers an empty page for a window without records', async () => {
    expect(await ok('/api/v1/logs', { start: 946_684_800_000, end: 946_684_900_000 })).toEqual({ logs: [], nextCursor: null });
  });

  it('refuses bad parameters with 400', async () => {
    expect(await rejected('/api/v1/logs', { severity: 'LOUD' })).toBe('invalid severity: "LOUD" is neither a number from 1 to 24 nor one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL');
    expect(await rejected('/api/v1/logs', { severity: 25 })).toMatch(/^invalid severity/);
    expect(await rejected('/api/v1/logs', { q: '"open' })).toBe('invalid q: "\\"open" has an unterminated quoted phrase');
    expect(await rejected('/api/v1/logs', { traceId: 'zz' })).toMatch(/^invalid traceId/);
    expect(await rejected('/api/v1/logs', { attr: 'k=~[' })).toMatch(/^invalid attr: "\[" is not a valid re2 regular expression/);
    expect(await rejected('/api/v1/logs', { start: 5, end: 1 })).toMatch(/^invalid start/);
    const traceCursor = (await ok('/api/v1/traces', { limit: 1 })).nextCursor;
    expect(await rejected('/api/v1/logs', { cursor: traceCursor })).toMatch(/^invalid cursor: a cursor of another list/);
  });
});

describe('GET /api/v1/logs/volume', () => {
  const hour = { start: msOf(NOW_S - 3600), end: msOf(NOW_S) };

  it('counts records per aligned bucket and severity over the range', async () => {
    const v = await ok('/api/v1/logs/volume', hour);
    expect(v.stepMs).toBe(60_000);
    expect(v.startMs).toBe(hour.start);
    expect(v.endMs).toBe(hour.end);
    expect(v.buckets.length).toBeGreaterThanOrEqual(60);
    expect(v.buckets.length).toBeLessThanOrEqual(121);
    for (const [i, b] of v.buckets.entries()) {
      expect(b % 60_000).toBe(0);
      if (i > 0) expect(b - v.buckets[i - 1]).toBe(60_000);
    }
    expect(v.buckets[0]).toBeLessThanOrEqual(hour.start);
    expect(v.buckets.at(-1)).toBeLessThanOrEqual(hour.end);
    expect(Object.keys(v.series)).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR']);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(Object.fromEntries(Object.entries(v.series).map(([k, xs]) => [k, sum(xs as number[])]))).toEqual({ DEBUG: 1, INFO: 8, WARN: 1, ERROR: 1 });
    expect(v.total).toBe(11);
    const tickBucket = v.buckets.indexOf(Math.floor(msOf(BASE_S + 200) / 60_000) * 60_000);
    expect(v.series.INFO[tickBucket]).toBeGreaterThanOrEqual(7);
    for (const xs of Object.values(v.series)) expect(xs).toHaveLength(v.buckets.length);
  });

  it('applies the same filter as the search', async () => {
    const v = await ok('/api/v1/logs/volume', { ...hour, severity: 'WARN' });
    expect(v.series).toEqual({ WARN: expect.any(Array), ERROR: expect.any(Array) });
    expect(v.total).toBe(2);
    expect((await ok('/api/v1/logs/volume', { ...hour, q: 'tick' })).total).toBe(7);
    expect((await ok('/api/v1/logs/volume', { start: 946_684_800_000, end: 946_684_900_000 })).total).toBe(0);
    expect(await rejected('/api/v1/logs/volume', { limit: 5 })).toMatch(/^invalid limit: unknown parameter/);
  });

  it('chooses 60 to 120 buckets for any range', () => {
    for (const seconds of [60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400]) {
      const span = BigInt(seconds) * 1_000_000_000n;
      const step = bucketStepNs({ startNs: 0n, endNs: span });
      const buckets = Number(span / step);
      expect(buckets, `${seconds}s`).toBeGreaterThanOrEqual(60);
      expect(buckets, `${seconds}s`).toBeLessThan(120);
    }
  });
});

describe('GET /api/v1/metadata', () => {
  it('lists attribute keys of a signal with their source and count', async () => {
    const { keys } = await ok('/api/v1/metadata/attributes', { signal: 'traces' });
    expect(keys).toContainEqual({ key: 'step.index', source: 'span', count: BULK_SPANS });
    expect(keys).toContainEqual({ key: 'service.name', source: 'resource', count: BULK_SPANS + 12 });
    expect(keys).toContainEqual({ key: 'customer.tier', source: 'span', count: 2 });
    expect(keys[0]).toMatchObject({ count: BULK_SPANS + 12 });
    expect(await ok('/api/v1/metadata/attributes', { signal: 'traces', prefix: 'cust' })).toEqual({ keys: [{ key: 'customer.tier', source: 'span', count: 2 }] });
    expect((await ok('/api/v1/metadata/attributes', { signal: 'traces', limit: 2 })).keys).toHaveLength(2);
    expect(await ok('/api/v1/metadata/attributes', { signal: 'logs', prefix: 'user' })).toEqual({ keys: [{ key: 'user.id', source: 'log', count: 1 }] });
    expect(await ok('/api/v1/metadata/attributes', { signal: 'logs', start: 946_684_800_000, end: 946_684_900_000 })).toEqual({ keys: [] });
  });

  it('lists the top values of a key', async () => {
    expect(await ok('/api/v1/metadata/attributes/values', { signal: 'traces', key: 'customer.tier' })).toEqual({
      values: [
        { value: 'gold', count: 1 },
        { value: 'silver', count: 1 },
      ],
    });
    expect(await ok('/api/v1/metadata/attributes/values', { signal: 'traces', key: 'host.name' })).toEqual({
      values: [
        { value: 'web-1', count: 6 },
        { value: 'cart-1', count: 3 },
      ],
    });
    expect(await ok('/api/v1/metadata/attributes/values', { signal: 'traces', key: 'host.name', prefix: 'c' })).toEqual({ values: [{ value: 'cart-1', count: 3 }] });
    expect(await ok('/api/v1/metadata/attributes/values', { signal: 'logs', key: 'service.name' })).toEqual({
      values: [
        { value: 'frontend', count: 9 },
        { value: 'cart', count: 2 },
      ],
    });
  });

  it('refuses bad parameters with 400', async () => {
    expect(await rejected('/api/v1/metadata/attributes', {})).toBe("invalid signal: parameter 'signal' is required: one of traces, logs");
    expect(await rejected('/api/v1/metadata/attributes', { signal: 'metrics' })).toBe('invalid signal: "metrics" is not one of traces, logs');
    expect(await rejected('/api/v1/metadata/attributes/values', { signal: 'logs' })).toBe("invalid key: parameter 'key' is required");
    expect(await rejected('/api/v1/metadata/attributes', { signal: 'logs', limit: 'all' })).toMatch(/^invalid limit/);
  });
});

describe('injection attempts', () => {
  const HOSTILE = ["x' OR 1=1 --", "'; DROP TABLE otel_traces; --", '{service:String}', '\\', '"', "') UNION ALL SELECT 1 --"];

  it('free-text parameters are values, never SQL: 200 with nothing found, storage untouched', async () => {
    const before = await vigil.rows<{ n: string }>('SELECT count() AS n FROM otel_traces');
    for (const h of HOSTILE) {
      expect(await ok('/api/v1/traces', { service: h, operation: h, attr: [`${h}=${h}`, `${h}!=${h}`] })).toEqual({ traces: [], nextCursor: null });
      expect(await ok('/api/v1/logs', { service: h, q: h.replaceAll('"', ''), attr: `${h}=${h}` })).toEqual({ logs: [], nextCursor: null });
      expect((await ok('/api/v1/logs/volume', { service: h })).total).toBe(0);
      expect(await ok('/api/v1/metadata/attributes', { signal: 'traces', prefix: h })).toEqual({ keys: [] });
      expect(await ok('/api/v1/metadata/attributes/values', { signal: 'logs', key: h, prefix: h })).toEqual({ values: [] });
    }
    expect(await vigil.rows('SELECT count() AS n FROM otel_traces')).toEqual(before);
    expect((await ok('/api/v1/traces')).traces).toHaveLength(7);
  });

  it('structured parameters refuse them with 400', async () => {
    for (const h of HOSTILE) {
      for (const name of ['sort', 'status', 'start', 'end', 'minDuration', 'maxDuration', 'limit', 'cursor']) {
        await rejected('/api/v1/traces', { [name]: h });
      }
      for (const name of ['severity', 'traceId', 'start', 'end', 'limit', 'cursor']) await rejected('/api/v1/logs', { [name]: h });
      for (const name of ['signal', 'start', 'limit']) await rejected('/api/v1/metadata/attributes', { signal: 'logs', [name]: h });
      await rejected('/api/v1/traces', { attr: `k=~[${h}` });
    }
  });
});

describe('units', () => {
  it('cursors round-trip and reject tampering', () => {
    const c = encodeCursor('traces:start', '123', 'ab'.repeat(16));
    expect(decodeCursor(c, 'traces:start', /^[0-9a-f]{32}$/)).toEqual({ key: '123', tie: 'ab'.repeat(16) });
    expect(() => decodeCursor(encodeCursor('traces:start', '1 OR 1', 'x'), 'traces:start', /^x$/)).toThrow(/invalid cursor/);
  });

  it('attribute conditions parse =, != and =~ at the first =', () => {
    expect(parseAttributeFilters({ attr: ['a=b=c', 'a!=b', 'a=~^b$', 'a='] })).toEqual([
      { key: 'a', op: '=', value: 'b=c' },
      { key: 'a', op: '!=', value: 'b' },
      { key: 'a', op: '=~', value: '^b$' },
      { key: 'a', op: '=', value: '' },
    ]);
  });

  it('SQL is reviewed text (snapshots)', () => {
    const range = { startNs: 1n, endNs: 2n };
    const search: Parameters<typeof traceSearchSql>[0] = {
      range,
      service: 's',
      operation: 'o',
      minDurationNs: 1n,
      maxDurationNs: 2n,
      status: 'Error',
      attributes: [
        { key: 'k', op: '=', value: 'v' },
        { key: 'k', op: '!=', value: 'v' },
        { key: 'k', op: '=~', value: 'v' },
      ],
      sort: 'duration',
      limit: 10,
      after: { key: '5', traceId: 'a'.repeat(32) },
    };
    const every = traceSearchSql(search, { lookup: true });
    expect(every.query).toMatchSnapshot('trace search with every condition');
    // Without the attribute lookup (a range with spans stored before it), otel_traces is read.
    expect(traceSearchSql(search, { lookup: false }).query).toMatchSnapshot('trace search without the attribute lookup');
    const logFilter = { range, service: 's', minSeverity: 9, body: { tokens: ['t'], phrases: ['p q'] }, attributes: [{ key: 'k', op: '=' as const, value: 'v' }], traceId: 'a'.repeat(32) };
    expect(logSearchSql({ ...logFilter, limit: 5, after: { timeNs: '1', hash: '2' } }).query).toMatchSnapshot('log search with every condition');
    expect(logVolumeSql(logFilter, 60_000_000_000n).query).toMatchSnapshot('log volume');
    expect({ ATTRIBUTE_KEYS, ATTRIBUTE_VALUES }).toMatchSnapshot('metadata');
  });
});

describe('GET /api/openapi.json', () => {
  it('describes every registered /api/v1 route', async () => {
    const doc = await ok('/api/openapi.json');
    expect(doc.openapi).toBe('3.1.0');
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
    const app = Fastify();
    const routes: Array<{ method: string; url: string }> = [];
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
    });
    await app.register(apiV1, { client: {} as ClickHouseClient });
    await app.ready();
    const v1 = routes.filter((r) => r.url.startsWith('/api/v1/'));
    expect(v1.length).toBeGreaterThanOrEqual(6);
    for (const r of v1) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${path}`).toBeDefined();
    }
    // And every documented /api/v1 operation is served by the running query service.
    for (const [path, operations] of Object.entries(doc.paths as Record<string, object>).filter(([p]) => p.startsWith('/api/v1/'))) {
      for (const method of Object.keys(operations)) {
        expect(vigil.query!.app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), `${method} ${path}`).toBe(true);
      }
    }
    await app.close();
  });
});
