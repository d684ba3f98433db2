// Jaeger's v1 HTTP API on the query service, against spans sent by the real OpenTelemetry SDK:
// frontend -> cart -> db (one good trace, one failing trace with a link to the first, an old
// trace, a trace with hostile attribute names and values), every endpoint checked field by
// field, Jaeger's own conversion pair, bad parameters, and injection attempts.
import { readFileSync } from 'node:fs';
import { ROOT_CONTEXT, type HrTime, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import Fastify from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleError } from '../query/errors.ts';
import type { DependencyReader, TraceReader } from '../query/jaeger/reader.ts';
import { jaegerRoutes } from '../query/jaeger/routes.ts';
import { JaegerService } from '../query/jaeger/service.ts';
import { vigilError } from '../schemas/errors.ts';
import { parseGoDuration, parseTraceId, parseTags } from '../query/jaeger/params.ts';
import { OPERATIONS, SERVICES, spansOfTraces, traceSearchSql } from '../query/jaeger/sql.ts';
import { post } from './helpers/otlp.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

let vigil: TestVigil;
const providers: BasicTracerProvider[] = [];

// Whole seconds, so expected microseconds are easy to write.
const NOW_S = Math.floor(Date.now() / 1000);
// Trace A starts ~10 minutes ago, B one minute later, D two; at second 30 of a minute, so the
// minute rollup behind /api/dependencies can separate them.
const BASE_S = Math.floor((NOW_S - 600) / 60) * 60 + 30;
const OLD_S = NOW_S - 3 * 3600; // trace C: outside the default search hour, inside the 24 h of /api/services
const us = (s: number, ms = 0) => s * 1_000_000 + ms * 1000;
const at = (s: number, ms = 0): HrTime => [s + Math.floor(ms / 1000), (ms % 1000) * 1_000_000];

// Attribute names and values a careless query builder would choke on.
const HOSTILE = {
  "quote'key": "va'l\\ue",
  'back\\slash': '\\',
  inj: "x' OR 1=1 --",
  'dq"key': 'say "hi"',
  '{service:String}': 'frontend',
};

function tracer(resource: Record<string, string>, scope: string, version?: string): Tracer {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${vigil.otlpUrl}/v1/traces` }))],
  });
  providers.push(provider);
  return provider.getTracer(scope, version);
}

const ids = { A: '', B: '', C: '', D: '' };
const spanIds: Record<string, string> = {};

function child(t: Tracer, name: string, kind: SpanKind, parent: Span, start: HrTime, attributes: Record<string, string> = {}): Span {
  return t.startSpan(name, { kind, startTime: start, attributes }, trace.setSpan(ROOT_CONTEXT, parent));
}

beforeAll(async () => {
  vigil = await startTestVigil();
  const fe = tracer({ 'service.name': 'frontend', 'service.version': '1.0.0', 'host.name': 'web-1' }, 'checkout-instrumentation', '2.1.0');
  const cart = tracer({ 'service.name': 'cart', 'host.name': 'cart-1' }, 'cart-lib');
  const db = tracer({ 'service.name': 'db', 'db.system': 'postgresql' }, 'db-lib');

  // Trace A: frontend GET /checkout -> POST cart -> cart POST /cart -> SELECT cart -> db query.
  const rootA = fe.startSpan('GET /checkout', { kind: SpanKind.SERVER, startTime: at(BASE_S), attributes: { 'http.method': 'GET', 'http.route': '/checkout' } });
  const feClientA = child(fe, 'POST cart', SpanKind.CLIENT, rootA, at(BASE_S, 10), { 'peer.service': 'cart' });
  const cartServerA = child(cart, 'POST /cart', SpanKind.SERVER, feClientA, at(BASE_S, 20), { 'cart.id': 'cart:42' });
  cartServerA.addEvent('cache miss', { 'cache.key': 'cart:42' }, at(BASE_S, 30));
  const cartClientA = child(cart, 'SELECT cart', SpanKind.CLIENT, cartServerA, at(BASE_S, 40), { 'db.system': 'postgresql' });
  const dbServerA = child(db, 'query', SpanKind.SERVER, cartClientA, at(BASE_S, 50), { 'db.statement': "SELECT * FROM cart WHERE id = '42'" });
  dbServerA.end(at(BASE_S, 110));
  cartClientA.end(at(BASE_S, 120));
  cartServerA.end(at(BASE_S, 190));
  feClientA.end(at(BASE_S, 200));
  rootA.end(at(BASE_S, 250));

  // Trace B: the error path, linked to trace A's root.
  const b = BASE_S + 60;
  const rootB = fe.startSpan('GET /checkout', {
    kind: SpanKind.SERVER,
    startTime: at(b),
    attributes: { 'http.method': 'GET', 'http.route': '/checkout', 'http.status_code': '500' },
    links: [{ context: rootA.spanContext() }],
  });
  const feClientB = child(fe, 'POST cart', SpanKind.CLIENT, rootB, at(b, 5), { 'peer.service': 'cart' });
  // Starts a second later than its parents and is stored in an insert of its own, so trace B
  // has several rows in the trace-id lookup table, with different seconds.
  const cartServerB = child(cart, 'POST /cart', SpanKind.SERVER, feClientB, at(b, 1010));
  cartServerB.addEvent('exception', { 'exception.type': 'OutOfStock', 'exception.message': 'item 7 is out of stock' }, at(b, 1200));
  cartServerB.setStatus({ code: SpanStatusCode.ERROR, message: 'out of stock' });
  cartServerB.end(at(b, 1480));
  await Promise.all(providers.map((p) => p.forceFlush()));
  feClientB.end(at(b, 1490));
  rootB.setStatus({ code: SpanStatusCode.ERROR });
  rootB.end(at(b, 1500));

  // Trace C: three hours old.
  const rootC = fe.startSpan('GET /health', { kind: SpanKind.SERVER, startTime: at(OLD_S), attributes: { 'http.route': '/health' } });
  rootC.end(at(OLD_S, 5));

  // Trace D: hostile attributes on an internal span.
  const rootD = fe.startSpan('GET /weird', { kind: SpanKind.INTERNAL, startTime: at(BASE_S + 120), attributes: HOSTILE });
  rootD.end(at(BASE_S + 120, 2));

  await Promise.all(providers.map((p) => p.forceFlush()));
  ids.A = rootA.spanContext().traceId;
  ids.B = rootB.spanContext().traceId;
  ids.C = rootC.spanContext().traceId;
  ids.D = rootD.spanContext().traceId;
  for (const [name, span] of Object.entries({ rootA, feClientA, cartServerA, cartClientA, dbServerA, rootB, feClientB, cartServerB, rootC, rootD })) {
    spanIds[name] = span.spanContext().spanId;
  }
});

afterAll(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  await vigil?.stop();
});

interface Answer {
  status: number;
  body: any;
}

type Params = Record<string, string | number | Array<string | number>>;

async function get(path: string, params: Params = {}): Promise<Answer> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
  const qs = search.toString();
  const res = await fetch(`${vigil.query!.url}${path}${qs === '' ? '' : `?${qs}`}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, body: await res.json() };
}

/** The trace ids a search answers, in order; fails unless it answered 200 without errors. */
async function search(params: Params): Promise<string[]> {
  const { status, body } = await get('/api/traces', params);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.errors).toBeNull();
  return body.data.map((t: any) => t.traceID);
}

/** A failed Jaeger request: Jaeger's envelope with one error; returns its message. */
async function failure(path: string, params: Params, status: number): Promise<string> {
  const answer = await get(path, params);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body).toEqual({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg: expect.any(String) }] });
  return answer.body.errors[0].msg;
}

const str = (key: string, value: string) => ({ key, type: 'string', value });

describe('GET /api/services', () => {
  it('lists the services of the last 24 hours, sorted', async () => {
    const { status, body } = await get('/api/services');
    expect(status).toBe(200);
    expect(body).toEqual({ data: ['cart', 'db', 'frontend'], total: 3, limit: 0, offset: 0, errors: null });
  });

  it('takes a start/end window in microseconds', async () => {
    expect((await get('/api/services', { start: us(OLD_S - 60), end: us(OLD_S + 60) })).body.data).toEqual(['frontend']);
    expect((await get('/api/services', { start: us(BASE_S + 100), end: us(NOW_S) })).body.data).toEqual(['frontend']);
    expect((await get('/api/services', { start: us(946_684_800), end: us(946_684_900) })).body).toEqual({
      data: [],
      total: 0,
      limit: 0,
      offset: 0,
      errors: null,
    });
  });
});

describe('operations', () => {
  it('GET /api/services/{service}/operations lists the span names', async () => {
    const { status, body } = await get('/api/services/frontend/operations');
    expect(status).toBe(200);
    expect(body).toEqual({ data: ['GET /checkout', 'GET /health', 'GET /weird', 'POST cart'], total: 4, limit: 0, offset: 0, errors: null });
    expect((await get('/api/services/db/operations')).body.data).toEqual(['query']);
    expect((await get('/api/services/nope/operations')).body.data).toEqual([]);
  });

  it('GET /api/operations lists names with lowercase span kinds, optionally of one kind', async () => {
    const { body } = await get('/api/operations', { service: 'frontend' });
    expect(body).toEqual({
      data: [
        { name: 'GET /checkout', spanKind: 'server' },
        { name: 'GET /health', spanKind: 'server' },
        { name: 'GET /weird', spanKind: 'internal' },
        { name: 'POST cart', spanKind: 'client' },
      ],
      total: 4,
      limit: 0,
      offset: 0,
      errors: null,
    });
    expect((await get('/api/operations', { service: 'cart', spanKind: 'client' })).body.data).toEqual([{ name: 'SELECT cart', spanKind: 'client' }]);
    expect((await get('/api/operations', { service: 'cart', spanKind: 'server' })).body.data).toEqual([{ name: 'POST /cart', spanKind: 'server' }]);
    expect((await get('/api/operations', { service: 'cart', spanKind: '' })).body.data).toHaveLength(2);
    expect((await get('/api/operations', { service: 'db', spanKind: 'producer' })).body.data).toEqual([]);
    expect((await get('/api/operations', { service: 'nope' })).body.data).toEqual([]);
  });

  it('needs a service and a known span kind', async () => {
    expect(await failure('/api/operations', {}, 400)).toBe("invalid service: parameter 'service' is required");
    expect(await failure('/api/operations', { service: 'cart', spanKind: 'sever' }, 400)).toMatch(/^invalid spanKind: "sever" is not one of unspecified, internal, server/);
  });
});

describe('GET /api/traces/{traceID}', () => {
  it('answers trace A field for field: spans, references, tags, logs, processes', async () => {
    const { status, body } = await get(`/api/traces/${ids.A}`);
    expect(status).toBe(200);
    expect(body.total).toBe(0);
    expect(body.errors).toBeNull();
    expect(body.data).toHaveLength(1);
    const t = body.data[0];
    expect(t.traceID).toBe(ids.A);
    expect(t.warnings).toBeNull();
    expect(t.processes).toEqual({
      p1: { serviceName: 'frontend', tags: [str('host.name', 'web-1'), str('service.version', '1.0.0')] },
      p2: { serviceName: 'cart', tags: [str('host.name', 'cart-1')] },
      p3: { serviceName: 'db', tags: [str('db.system', 'postgresql')] },
    });
    const feScope = [str('otel.scope.name', 'checkout-instrumentation'), str('otel.scope.version', '2.1.0')];
    const childOf = (spanID: string) => [{ refType: 'CHILD_OF', traceID: ids.A, spanID }];
    const common = { traceID: ids.A, logs: [], warnings: null, flags: 1 };
    expect(t.spans).toEqual([
      {
        ...common,
        spanID: spanIds.rootA,
        operationName: 'GET /checkout',
        references: [],
        startTime: us(BASE_S),
        duration: 250_000,
        tags: [...feScope, str('http.method', 'GET'), str('http.route', '/checkout'), str('span.kind', 'server')],
        processID: 'p1',
      },
      {
        ...common,
        spanID: spanIds.feClientA,
        operationName: 'POST cart',
        references: childOf(spanIds.rootA!),
        startTime: us(BASE_S, 10),
        duration: 190_000,
        tags: [...feScope, str('peer.service', 'cart'), str('span.kind', 'client')],
        processID: 'p1',
      },
      {
        ...common,
        spanID: spanIds.cartServerA,
        operationName: 'POST /cart',
        references: childOf(spanIds.feClientA!),
        startTime: us(BASE_S, 20),
        duration: 170_000,
        tags: [str('otel.scope.name', 'cart-lib'), str('cart.id', 'cart:42'), str('span.kind', 'server')],
        logs: [{ timestamp: us(BASE_S, 30), fields: [str('event', 'cache miss'), str('cache.key', 'cart:42')] }],
        processID: 'p2',
      },
      {
        ...common,
        spanID: spanIds.cartClientA,
        operationName: 'SELECT cart',
        references: childOf(spanIds.cartServerA!),
        startTime: us(BASE_S, 40),
        duration: 80_000,
        tags: [str('otel.scope.name', 'cart-lib'), str('db.system', 'postgresql'), str('span.kind', 'client')],
        processID: 'p2',
      },
      {
        ...common,
        spanID: spanIds.dbServerA,
        operationName: 'query',
        references: childOf(spanIds.cartClientA!),
        startTime: us(BASE_S, 50),
        duration: 60_000,
        tags: [str('otel.scope.name', 'db-lib'), str('db.statement', "SELECT * FROM cart WHERE id = '42'"), str('span.kind', 'server')],
        processID: 'p3',
      },
    ]);
  });

  it('answers the error path: status tags, error=true (bool), the exception log, the link as FOLLOWS_FROM', async () => {
    const t = (await get(`/api/traces/${ids.B}`)).body.data[0];
    const [root, client, server] = t.spans;
    expect(root.references).toEqual([{ refType: 'FOLLOWS_FROM', traceID: ids.A, spanID: spanIds.rootA }]);
    expect(root.tags.slice(-3)).toEqual([str('span.kind', 'server'), str('otel.status_code', 'ERROR'), { key: 'error', type: 'bool', value: true }]);
    expect(root.duration).toBe(1_500_000);
    expect(client.tags.map((k: any) => k.key)).not.toContain('error');
    expect(server.references).toEqual([{ refType: 'CHILD_OF', traceID: ids.B, spanID: spanIds.feClientB }]);
    expect(server.tags).toEqual([
      str('otel.scope.name', 'cart-lib'),
      str('span.kind', 'server'),
      str('otel.status_code', 'ERROR'),
      { key: 'error', type: 'bool', value: true },
      str('otel.status_description', 'out of stock'),
    ]);
    expect(server.logs).toEqual([
      {
        timestamp: us(BASE_S + 60, 1200),
        fields: [str('event', 'exception'), str('exception.message', 'item 7 is out of stock'), str('exception.type', 'OutOfStock')],
      },
    ]);
    expect(server.startTime).toBe(us(BASE_S + 60, 1010));
    expect(server.duration).toBe(470_000);
    expect(Object.values(t.processes).map((p: any) => p.serviceName)).toEqual(['frontend', 'cart']);
    // The spans were found through several lookup rows (min(Start) .. max(End) of them all).
    const lookup = await vigil.rows<{ n: string }>('SELECT count() AS n FROM otel_traces_trace_id_ts WHERE TraceId = {id:String}', { id: ids.B });
    expect(Number(lookup[0]!.n)).toBeGreaterThan(1);
  });

  it('reads ids in any case and left-pads short ones; start/end narrow the spans', async () => {
    expect((await get(`/api/traces/${ids.A.toUpperCase()}`)).body.data[0].traceID).toBe(ids.A);
    const early = await get(`/api/traces/${ids.A}`, { start: us(BASE_S), end: us(BASE_S, 30) });
    expect(early.body.data[0].spans.map((s: any) => s.operationName)).toEqual(['GET /checkout', 'POST cart', 'POST /cart']);
    expect(await failure(`/api/traces/${ids.A}`, { start: us(NOW_S + 60) }, 404)).toBe('trace not found');
  });

  it('answers 404 in Jaeger envelope for a trace it does not hold', async () => {
    const answer = await get('/api/traces/0123456789abcdef0123456789abcdef');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
    expect(await failure('/api/traces/f', {}, 404)).toBe('trace not found');
  });

  it('refuses ids that are not 1-32 hex digits', async () => {
    expect(await failure('/api/traces/xyz', {}, 400)).toBe('invalid traceID: "xyz" is not 1 to 32 hexadecimal digits');
    expect(await failure(`/api/traces/${'a'.repeat(33)}`, {}, 400)).toMatch(/^invalid traceID/);
    expect(await failure(`/api/traces/${encodeURIComponent("abc' OR 1=1 --")}`, {}, 400)).toMatch(/^invalid traceID/);
    expect(await failure(`/api/traces/${ids.A}`, { start: 'yesterday' }, 400)).toBe('invalid start: "yesterday" is not a non-negative integer (unix microseconds)');
  });
});

describe('GET /api/traces (search)', () => {
  it('finds by service, newest first, and answers whole traces', async () => {
    expect(await search({ service: 'frontend' })).toEqual([ids.D, ids.B, ids.A]);
    const { body } = await get('/api/traces', { service: 'db' });
    expect(body).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
    expect(body.data.map((t: any) => t.traceID)).toEqual([ids.A]);
    // The db span matched; the answer has every span of the trace.
    expect(body.data[0].spans).toHaveLength(5);
    expect(body.data[0]).toEqual((await get(`/api/traces/${ids.A}`)).body.data[0]);
  });

  it('finds by operation', async () => {
    expect(await search({ service: 'frontend', operation: 'GET /checkout' })).toEqual([ids.B, ids.A]);
    expect(await search({ service: 'cart', operation: 'SELECT cart' })).toEqual([ids.A]);
    expect(await search({ service: 'frontend', operation: '' })).toEqual([ids.D, ids.B, ids.A]);
  });

  it('finds by span attribute, resource attribute, JSON tags and repeated tag', async () => {
    expect(await search({ tags: JSON.stringify({ 'cart.id': 'cart:42' }) })).toEqual([ids.A]);
    expect(await search({ service: 'frontend', tag: 'host.name:web-1' })).toEqual([ids.D, ids.B, ids.A]);
    // Every condition holds on ONE span: no cart span runs on web-1.
    expect(await search({ service: 'cart', tag: 'host.name:web-1' })).toEqual([]);
    expect(await search({ service: 'frontend', tags: JSON.stringify({ 'http.method': 'GET', 'http.route': '/checkout' }) })).toEqual([ids.B, ids.A]);
    expect(await search({ tag: ['http.method:GET', 'http.status_code:500'] })).toEqual([ids.B]);
    // JSON numbers match the attribute as stored (a string).
    expect(await search({ tags: '{"http.status_code":500}' })).toEqual([ids.B]);
    // A value may hold colons; the key ends at the first.
    expect(await search({ tag: 'cart.id:cart:42' })).toEqual([ids.A]);
    // An empty value matches only a key that is there with an empty value.
    expect(await search({ tag: 'cart.id:' })).toEqual([]);
    // Event attributes (Jaeger's log fields) are not searched: see query/jaeger/reader.ts.
    expect(await search({ tag: 'cache.key:cart:42' })).toEqual([]);
  });

  it("finds by the tags Jaeger derives: error, otel.status_code, span.kind, status description, scope", async () => {
    expect(await search({ tags: '{"error":"true"}' })).toEqual([ids.B]);
    expect(await search({ service: 'cart', tag: 'error:true' })).toEqual([ids.B]);
    expect(await search({ service: 'cart', tag: 'otel.status_code:ERROR' })).toEqual([ids.B]);
    expect(await search({ service: 'cart', tag: 'span.kind:client' })).toEqual([ids.A]);
    expect(await search({ tag: 'span.kind:internal' })).toEqual([ids.D]);
    expect(await search({ tag: 'otel.status_description:out of stock' })).toEqual([ids.B]);
    expect(await search({ operation: 'GET /weird', tag: 'otel.scope.name:checkout-instrumentation' })).toEqual([ids.D]);
    expect(await search({ tag: 'otel.scope.version:2.1.0', service: 'cart' })).toEqual([]);
  });

  it('finds by min/max duration (Go durations, inclusive)', async () => {
    expect(await search({ service: 'frontend', minDuration: '1s' })).toEqual([ids.B]);
    expect(await search({ service: 'frontend', minDuration: '1.5s' })).toEqual([ids.B]);
    expect(await search({ service: 'frontend', minDuration: '1500001us' })).toEqual([]);
    expect(await search({ service: 'frontend', maxDuration: '3ms' })).toEqual([ids.D]);
    expect(await search({ service: 'frontend', minDuration: '100ms', maxDuration: '300ms' })).toEqual([ids.A]);
    expect(await search({ service: 'frontend', minDuration: '0', maxDuration: '1m30s' })).toEqual([ids.D, ids.B, ids.A]);
  });

  it('searches the last hour by default, or the start/end window given', async () => {
    expect(await search({ service: 'frontend', start: us(OLD_S - 60), end: us(OLD_S + 60) })).toEqual([ids.C]);
    expect(await search({ service: 'frontend', start: us(BASE_S + 30) })).toEqual([ids.D, ids.B]);
    expect(await search({ service: 'frontend', end: us(BASE_S + 30) })).toEqual([ids.A]);
    expect(await search({ operation: 'GET /health' })).toEqual([]);
  });

  it('limits the number of traces', async () => {
    expect(await search({ service: 'frontend', limit: 1 })).toEqual([ids.D]);
    expect(await search({ service: 'frontend', limit: 2 })).toEqual([ids.D, ids.B]);
    expect(await search({ service: 'frontend', limit: 100_000 })).toEqual([ids.D, ids.B, ids.A]);
  });

  it('fetches a traceID list: found traces in the given order, errors for the missing', async () => {
    const missing = 'deadbeef'.repeat(4);
    const { status, body } = await get('/api/traces', { traceID: [ids.B, ids.C, missing, ids.B], service: 'nope' });
    expect(status).toBe(200);
    expect(body.data.map((t: any) => t.traceID)).toEqual([ids.B, ids.C]);
    expect(body.errors).toEqual([{ code: 404, msg: 'trace not found', traceID: missing }]);
    expect(body.data[0]).toEqual((await get(`/api/traces/${ids.B}`)).body.data[0]);
  });

  it('answers empty data for what matches nothing', async () => {
    expect((await get('/api/traces', { service: 'nope' })).body).toEqual({ data: [], total: 0, limit: 0, offset: 0, errors: null });
    expect(await search({ service: 'frontend', operation: 'POST /cart' })).toEqual([]);
    expect(await search({ tag: 'no.such.key:1' })).toEqual([]);
  });
});

describe('GET /api/dependencies', () => {
  it('counts calls between services (a span whose parent is in another service)', async () => {
    const { status, body } = await get('/api/dependencies', { endTs: Date.now(), lookback: 3_600_000 });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: [
        { parent: 'cart', child: 'db', callCount: 1 },
        { parent: 'frontend', child: 'cart', callCount: 2 },
      ],
      total: 0,
      limit: 0,
      offset: 0,
      errors: null,
    });
    expect((await get('/api/dependencies')).body.data).toEqual(body.data);
    expect((await get('/api/dependencies', { endTs: (OLD_S + 60) * 1000, lookback: 120_000 })).body.data).toEqual([]);
    // Only trace B's calls lie in this window.
    expect((await get('/api/dependencies', { endTs: (BASE_S + 62) * 1000, lookback: 4000 })).body.data).toEqual([
      { parent: 'frontend', child: 'cart', callCount: 1 },
    ]);
  });

  it('refuses bad endTs and lookback', async () => {
    expect(await failure('/api/dependencies', { endTs: 'now' }, 400)).toBe('invalid endTs: "now" is not a non-negative integer (unix milliseconds)');
    expect(await failure('/api/dependencies', { lookback: 0 }, 400)).toBe('invalid lookback: must be at least 1 millisecond');
    expect(await failure('/api/dependencies', { lookback: '1h' }, 400)).toMatch(/^invalid lookback/);
  });
});

describe('invalid parameters answer 400 with a clear message', () => {
  it.each([
    [{ minDuration: 'abc' }, 'invalid minDuration: "abc" is not a duration such as 1.2s, 100ms, 50us or 1m30s'],
    [{ maxDuration: '10' }, 'invalid maxDuration: "10" is not a duration such as 1.2s, 100ms, 50us or 1m30s'],
    [{ minDuration: '-1s' }, 'invalid minDuration: "-1s" is negative'],
    [{ minDuration: '2s', maxDuration: '1s' }, 'invalid maxDuration: maxDuration (1s) is less than minDuration (2s)'],
    [{ start: us(NOW_S), end: us(NOW_S - 1) }, `invalid start: start (${us(NOW_S)}) is after end (${us(NOW_S - 1)}); both are unix microseconds`],
    [{ start: '1.5' }, 'invalid start: "1.5" is not a non-negative integer (unix microseconds)'],
    [{ end: '99999999999999999999' }, 'invalid end: "99999999999999999999" is not a non-negative integer (unix microseconds)'],
    [{ limit: 'ten' }, 'invalid limit: "ten" is not a non-negative integer (a number of traces)'],
    [{ limit: '0' }, 'invalid limit: must be at least 1'],
    [{ limit: '-5' }, 'invalid limit: "-5" is not a non-negative integer (a number of traces)'],
    [{ tags: '{error:true}' }, 'invalid tags: "{error:true}" is not a JSON object such as {"error":"true"}'],
    [{ tags: '["error"]' }, 'invalid tags: "[\\"error\\"]" is not a JSON object such as {"error":"true"}'],
    [{ tags: '{"a":{"b":1}}' }, 'invalid tags: the value of "a" must be a string, number or boolean'],
    [{ tag: 'error' }, 'invalid tag: "error" is not key:value'],
    [{ tag: ':value' }, 'invalid tag: a tag key is empty'],
    [{ service: ['cart', 'db'] }, 'invalid service: given 2 times; give it once'],
    [{ traceID: 'not-hex' }, 'invalid traceID: "not-hex" is not 1 to 32 hexadecimal digits'],
  ])('GET /api/traces %j', async (params, message) => {
    expect(await failure('/api/traces', params as Params, 400)).toBe(message);
  });
});

describe('injection attempts change nothing', () => {
  const attacks = ["' OR 1=1 --", "frontend' --", "frontend\\' OR '1'='1", '\\', "'", '"', '{service:String}', "x'); DROP TABLE otel_traces; --", '%', '_'];

  it.each(attacks)('in service, operation, tag keys and values, span kind, path segments: %j', async (attack) => {
    expect(await search({ service: attack })).toEqual([]);
    expect(await search({ service: 'frontend', operation: attack })).toEqual([]);
    expect(await search({ service: 'frontend', operation: `GET /checkout${attack}` })).toEqual([]);
    expect(await search({ tag: `${attack}:1` })).toEqual([]);
    expect(await search({ tag: `http.method:${attack}` })).toEqual([]);
    expect(await search({ tags: JSON.stringify({ [attack]: attack }) })).toEqual([]);
    expect(await search({ tag: `span.kind:${attack}` })).toEqual([]);
    expect(await search({ tag: `error:${attack}` })).toEqual([]);
    expect((await get(`/api/services/${encodeURIComponent(attack)}/operations`)).body.data).toEqual([]);
    expect((await get('/api/operations', { service: attack })).body.data).toEqual([]);
    expect((await get('/api/operations', { service: 'frontend', spanKind: attack })).status).toBe(400);
    expect((await get(`/api/traces/${encodeURIComponent(attack)}`)).status).toBe(400);
    for (const name of ['start', 'end', 'limit', 'minDuration', 'maxDuration']) {
      expect((await get('/api/traces', { service: 'frontend', [name]: attack })).status, name).toBe(400);
    }
    expect((await get('/api/dependencies', { endTs: attack })).status).toBe(400);
  });

  it('matches hostile attribute names and values exactly, as data', async () => {
    for (const [key, value] of Object.entries(HOSTILE)) {
      expect(await search({ tags: JSON.stringify({ [key]: value }) }), key).toEqual([ids.D]);
      expect(await search({ tags: JSON.stringify({ [key]: `${value}'` }) }), key).toEqual([]);
      expect(await search({ tags: JSON.stringify({ [key]: `${value} OR 1=1` }) }), key).toEqual([]);
      // tag=key:value splits at the first colon, so keys holding one can only go in `tags`.
      if (key.includes(':')) continue;
      expect(await search({ tag: `${key}:${value}` }), key).toEqual([ids.D]);
      expect(await search({ tag: `${key}:${value}'` }), key).toEqual([]);
      expect(await search({ tag: `${key}:${value} OR 1=1` }), key).toEqual([]);
    }
    const weird = (await get(`/api/traces/${ids.D}`)).body.data[0].spans[0];
    expect(weird.tags).toEqual(
      expect.arrayContaining(Object.entries(HOSTILE).map(([key, value]) => str(key, value))),
    );
  });

  it('leaves the data as it was', async () => {
    expect(await search({ service: 'frontend' })).toEqual([ids.D, ids.B, ids.A]);
    expect((await get('/api/services')).body.data).toEqual(['cart', 'db', 'frontend']);
  });
});

describe("Jaeger's conversion pair", () => {
  it('answers otlp2jaeger-out.json for otlp2jaeger-in.json, field for field', async () => {
    const dir = new URL('../../shared/testdata/jaeger/', import.meta.url);
    const input = readFileSync(new URL('otlp2jaeger-in.json', dir), 'utf8');
    const expected = JSON.parse(readFileSync(new URL('otlp2jaeger-out.json', dir), 'utf8'));
    expect((await post(`${vigil.otlpUrl}/v1/traces`, input)).status).toBe(200);
    const { status, body } = await get('/api/traces/83a9efd15c1c98a977e0711cc93ee28b');
    expect(status).toBe(200);
    // This trace is alone in its (2024) partition: asked for with the widest range, it guards
    // the DateTime64 bounds of spansOfTraces (with DateTime bounds the engine pruned its part
    // and answered 404).
    const ranged = await get('/api/traces/83a9efd15c1c98a977e0711cc93ee28b', { start: '0', end: String(Number.MAX_SAFE_INTEGER) });
    expect(ranged.body).toEqual(body);
    // No differences to ignore: same spans (the duplicate included), ids, references,
    // microsecond times, tags in the same order, process ids and process tags. Two things
    // match only because of this input: (1) every attribute is a string (Vigil stores
    // attribute values as strings, so an int attribute would come back type "string" where
    // Jaeger says "int64"); (2) the spans carry no W3C flags (Jaeger's translator never sets
    // flags; Vigil answers the stored trace flags when they are not 0, e.g. 1 for sampled).
    expect(body).toEqual(expected);
  });
});

describe('units', () => {
  it('parses Go durations like time.ParseDuration', () => {
    const ok: Array<[string, bigint]> = [
      ['0', 0n],
      ['1.2s', 1_200_000_000n],
      ['100ms', 100_000_000n],
      ['50us', 50_000n],
      ['50µs', 50_000n],
      ['50μs', 50_000n],
      ['7ns', 7n],
      ['1m30s', 90_000_000_000n],
      ['1h', 3_600_000_000_000n],
      ['.5s', 500_000_000n],
      ['1.s', 1_000_000_000n],
      ['+2ms', 2_000_000n],
      ['1.0000000001s', 1_000_000_000n],
    ];
    for (const [raw, nanos] of ok) expect(parseGoDuration(raw), raw).toBe(nanos);
    for (const raw of ['', '1', 's', '.s', '1x', '1.2.3s', ' 1s', '1s ', '1e3s', '1 s', '-1s', '9999999999h']) {
      expect(() => parseGoDuration(raw), raw).toThrow(/^invalid duration/);
    }
  });

  it('pads trace ids to 32 lowercase hex digits', () => {
    expect(parseTraceId('ABC')).toBe(`${'0'.repeat(29)}abc`);
    expect(parseTraceId('83A9EFD15C1C98A977E0711CC93EE28B')).toBe('83a9efd15c1c98a977e0711cc93ee28b');
    expect(() => parseTraceId('')).toThrow(/1 to 32 hexadecimal digits/);
  });

  it('reads tags from JSON and repeated tag parameters', () => {
    expect(parseTags({ tags: '{"a":"1","b":true}', tag: ['c:d:e', 'f:'] })).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: 'true' },
      { key: 'c', value: 'd:e' },
      { key: 'f', value: '' },
    ]);
  });

  it('keeps every request value out of the SQL text', () => {
    const attack = "x' OR 1=1 --";
    const { query, params } = traceSearchSql({
      service: attack,
      operation: attack,
      minDurationNs: 1n,
      maxDurationNs: 2n,
      tags: [
        { key: attack, value: attack },
        { key: 'span.kind', value: 'server', derived: { column: 'SpanKind', value: 'Server' } },
      ],
      startUs: 1,
      endUs: 2,
      limit: 3,
      lookup: true,
    });
    expect(query).not.toContain(attack);
    expect(params).toEqual({
      start: 1,
      end: 2,
      limit: 3,
      service: attack,
      operation: attack,
      minDuration: '1',
      maxDuration: '2',
      t0k: attack,
      t0v: attack,
      t1k: 'span.kind',
      t1v: 'server',
      t1x: 'Server',
      // the attribute lookup (attribute-only tags): the pair and the minutes of the range
      l0k: attack,
      l0v: attack,
      lookupFrom: '0',
      lookupTo: '0',
    });
    expect(() =>
      traceSearchSql({ tags: [{ key: 'k', value: 'v', derived: { column: '1=1 OR Duration', value: '' } }], startUs: 0, endUs: 0, limit: 1, lookup: true }),
    ).toThrow(/not a derived tag column/);
    expect(query).toMatchSnapshot('search with every condition');
    expect(traceSearchSql({ tags: [], startUs: 0, endUs: 1, limit: 1, lookup: true }).query).toMatchSnapshot('search by time only');
    // Without the attribute lookup (a range with spans stored before it), otel_traces is read.
    expect(traceSearchSql({ tags: [{ key: 'k', value: 'v' }], startUs: 0, endUs: 1, limit: 1, lookup: false }).query).toMatchSnapshot('search without the attribute lookup');
    expect({ SERVICES, OPERATIONS, spansOfTraces: spansOfTraces(false), spansOfTracesInRange: spansOfTraces(true) }).toMatchSnapshot('named queries');
  });
});

describe('the error mapper', () => {
  it('answers storage failures with 500 in the envelope, without the cause, and logs only those', async () => {
    const logged: any[] = [];
    const app = Fastify({ loggerInstance: pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) }) });
    app.setErrorHandler(handleError);
    const boom = async (): Promise<never> => {
      throw new Error('Code: 241. DB::Exception: memory limit exceeded while running SELECT ...');
    };
    const reader: TraceReader = { services: boom, operations: boom, findTraceIds: boom, spans: () => ({ [Symbol.asyncIterator]: () => ({ next: boom }) }) };
    const deps: DependencyReader = { dependencies: boom };
    await app.register(jaegerRoutes, { service: new JaegerService(reader, deps) });
    app.get('/thing', async () => {
      throw vigilError('VIGIL_ERR_NOT_FOUND', 'thing');
    });
    const internal = { code: 500, msg: 'internal error: the request failed; the server log has the details' };
    for (const url of ['/api/services', '/api/traces?service=x', `/api/traces/${'1'.repeat(32)}`, '/api/dependencies', '/api/operations?service=x']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(500);
      expect(res.json(), url).toEqual({ data: null, total: 0, limit: 0, offset: 0, errors: [internal] });
    }
    const errors = () => logged.filter((l) => l.level >= 50);
    expect(errors()).toHaveLength(5);
    expect(errors()[0]).toMatchObject({ msg: 'query failed', url: '/api/services', err: { message: expect.stringContaining('memory limit') } });
    // 4xx: answered, not logged; other routes answer Vigil's own body.
    expect((await app.inject('/api/traces?limit=x')).statusCode).toBe(400);
    const thing = await app.inject('/thing');
    expect(thing.statusCode).toBe(404);
    expect(thing.json()).toEqual({ code: 'VIGIL_ERR_NOT_FOUND', message: 'thing not found' });
    expect(errors()).toHaveLength(5);
    await app.close();
  });
});
