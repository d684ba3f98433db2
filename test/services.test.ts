// Service RED metrics and the dependency graph from the ingest rollups (vigil_span_red_1m and
// _1h, vigil_service_edges_1m), against spans sent by the real OpenTelemetry SDK: frontend -> cart
// -> db with known durations and an error path, plus client calls to an uninstrumented
// 'payments' named by peer.service. Expected numbers are computed from the span list below.
import { ROOT_CONTEXT, type HrTime, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMigration } from '../schemas/ddl.ts';
import { loadMigrations } from '../schemas/migrate.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

let vigil: TestVigil;
const providers: BasicTracerProvider[] = [];

// Minute-aligned, so whole-minute windows hold exactly the spans meant for them.
const M = Math.floor(Date.now() / 60_000) * 60 - 600; // the main traces' minute (unix seconds)
const LATE = M + 120; // the minute of the cross-insert trace
const at = (s: number, ms = 0): HrTime => [s + Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
const us = (s: number) => s * 1_000_000;

// Spans as sent: service, name, kind, status, duration (ms).
interface Sent {
  service: string;
  name: string;
  kind: string;
  error: boolean;
  ms: number;
}
const sent: Sent[] = [];
const TRACES = 10;
const FAILING = new Set([3, 7]); // cart fails: no db call, frontend root fails
const PAYMENT_FAILS = 10;

function tracer(service: string): Tracer {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    // One export per flush: each service's spans reach ingest in one request.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${vigil.otlpUrl}/v1/traces` }), { scheduledDelayMillis: 60_000, maxExportBatchSize: 1000, maxQueueSize: 10_000 })],
  });
  providers.push(provider);
  return provider.getTracer('services-test');
}

const KIND_NAMES: Record<number, string> = { [SpanKind.SERVER]: 'Server', [SpanKind.CLIENT]: 'Client', [SpanKind.INTERNAL]: 'Internal' };

function span(t: Tracer, service: string, name: string, kind: SpanKind, parent: Span | undefined, start: HrTime, ms: number, error = false, attributes: Record<string, string> = {}): Span {
  const context = parent === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, parent);
  const s = t.startSpan(name, { kind, startTime: start, attributes }, context);
  if (error) s.setStatus({ code: SpanStatusCode.ERROR });
  sent.push({ service, name, kind: KIND_NAMES[kind]!, error, ms });
  return s;
}

const endAfter = (s: Span, start: HrTime, ms: number) => s.end([start[0] + Math.floor((start[1] / 1e6 + ms) / 1000), ((start[1] / 1e6 + ms) % 1000) * 1e6]);

const flush = () => Promise.all(providers.map((p) => p.forceFlush()));

beforeAll(async () => {
  // Batches stored every 300 ms: the three services' exports of one flush share an insert.
  vigil = await startTestVigil({ VIGIL_BATCH_MAX_AGE: '300ms' });
  const fe = tracer('frontend');
  const cart = tracer('cart');
  const db = tracer('db');
  const make = (t: Tracer, service: string, name: string, kind: SpanKind, parent: Span | undefined, start: HrTime, ms: number, error = false, attrs: Record<string, string> = {}) => {
    const s = span(t, service, name, kind, parent, start, ms, error, attrs);
    endAfter(s, start, ms);
    return s;
  };
  for (let i = 1; i <= TRACES; i++) {
    const s = M + i; // second i of the minute
    const fails = FAILING.has(i);
    // Parents end after children in reality; the SDK exports on flush, so order does not matter.
    const root = span(fe, 'frontend', 'GET /checkout', SpanKind.SERVER, undefined, at(s), 20 + i * 10, fails, { 'http.route': '/checkout' });
    const feCart = make(fe, 'frontend', 'POST cart', SpanKind.CLIENT, root, at(s, 1), 10 + i * 10, false, { 'peer.service': 'cart' });
    const cartServer = span(cart, 'cart', 'POST /cart', SpanKind.SERVER, feCart, at(s, 2), i * 10, fails);
    if (!fails) {
      const select = make(cart, 'cart', 'SELECT', SpanKind.CLIENT, cartServer, at(s, 3), 6);
      make(db, 'db', 'query', SpanKind.SERVER, select, at(s, 4), 5);
    }
    endAfter(cartServer, at(s, 2), i * 10);
    make(fe, 'frontend', 'POST payments', SpanKind.CLIENT, root, at(s, 5), 30, i === PAYMENT_FAILS, { 'peer.service': 'payments' });
    endAfter(root, at(s), 20 + i * 10);
  }
  await flush();

  // A call whose two sides reach Vigil in different inserts: the callee's span first.
  const client = fe.startSpan('POST cart', { kind: SpanKind.CLIENT, startTime: at(LATE), attributes: { 'peer.service': 'cart' } });
  const server = cart.startSpan('POST /cart', { kind: SpanKind.SERVER, startTime: at(LATE, 1) }, trace.setSpan(ROOT_CONTEXT, client));
  server.end(at(LATE, 9));
  await flush();
  client.end(at(LATE, 10));
  await flush();
}, 30_000);

afterAll(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  await vigil?.stop();
});

async function get(path: string, params: Record<string, string | number> = {}): Promise<{ status: number; body: any }> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await fetch(`${vigil.query!.url}${path}${qs === '' ? '' : `?${qs}`}`);
  return { status: res.status, body: await res.json() };
}

const MAIN = { start: us(M), end: us(M + 60) - 1 };

describe('vigil_span_red_1m', () => {
  it('holds per (service, operation, kind, status, minute) the calls, errors and duration sum/min/max of the spans sent', async () => {
    const rows = await vigil.rows<Record<string, string>>(
      `SELECT ServiceName, SpanName, SpanKind, StatusCode, toUnixTimestamp(Minute) AS minute, sum(Calls) AS calls, sum(Errors) AS errors,
              sum(DurationSum) AS dsum, min(DurationMin) AS dmin, max(DurationMax) AS dmax
       FROM vigil_span_red_1m WHERE Minute = toDateTime({m:UInt32})
       GROUP BY ServiceName, SpanName, SpanKind, StatusCode, Minute ORDER BY ServiceName, SpanName, SpanKind, StatusCode`,
      { m: M },
    );
    const expected = new Map<string, { calls: number; errors: number; sum: number; min: number; max: number }>();
    for (const s of sent) {
      const key = [s.service, s.name, s.kind, s.error ? 'Error' : 'Unset'].join('|');
      const e = expected.get(key) ?? { calls: 0, errors: 0, sum: 0, min: Infinity, max: 0 };
      e.calls++;
      if (s.error) e.errors++;
      e.sum += s.ms;
      e.min = Math.min(e.min, s.ms);
      e.max = Math.max(e.max, s.ms);
      expected.set(key, e);
    }
    const got = new Map(
      rows.map((r) => [
        [r.ServiceName, r.SpanName, r.SpanKind, r.StatusCode].join('|'),
        { calls: Number(r.calls), errors: Number(r.errors), sum: Number(r.dsum) / 1e6, min: Number(r.dmin) / 1e6, max: Number(r.dmax) / 1e6 },
      ]),
    );
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
    expect(rows.every((r) => Number(r.minute) === M)).toBe(true);
    // By hand, for the record: 10 checkouts, 2 failing; db queried by the 8 that did not fail.
    expect(got.get('frontend|GET /checkout|Server|Error')?.calls).toBe(2);
    expect(got.get('db|query|Server|Unset')?.calls).toBe(8);
    expect(got.get('frontend|POST payments|Client|Error')?.calls).toBe(1);
  });
});

describe('vigil_service_edges_1m', () => {
  it('counts calls and failed calls per (parent, child), also to an uninstrumented service and across inserts', async () => {
    const edges = async (m: number) =>
      vigil.rows(
        `SELECT ParentService AS parent, ChildService AS child, sum(Calls) AS calls, sum(Errors) AS errors
         FROM vigil_service_edges_1m WHERE Minute = toDateTime({m:UInt32}) GROUP BY parent, child ORDER BY parent, child`,
        { m },
      );
    expect(await edges(M)).toEqual([
      { parent: 'cart', child: 'db', calls: '8', errors: '0' },
      { parent: 'frontend', child: 'cart', calls: '10', errors: '2' },
      { parent: 'frontend', child: 'payments', calls: '10', errors: '1' },
    ]);
    // The callee's span came first, alone: the client span's peer.service counted the call once.
    expect(await edges(LATE)).toEqual([{ parent: 'frontend', child: 'cart', calls: '1', errors: '0' }]);
  });
});

describe('GET /api/v1/services/overview', () => {
  it('answers rate, error ratio and p50/p99 of entry spans per service from the rollup', async () => {
    const { status, body } = await get('/api/v1/services/overview', MAIN);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.start).toBe(us(M));
    expect(body.end).toBe(us(M + 60));
    expect(body.services.map((s: any) => s.service)).toEqual(['cart', 'db', 'frontend']);
    const by = Object.fromEntries(body.services.map((s: any) => [s.service, s]));
    expect(by.frontend).toMatchObject({ calls: 10, errors: 2, rate: 10 / 60, errorRatio: 0.2 });
    expect(by.cart).toMatchObject({ calls: 10, errors: 2, rate: 10 / 60, errorRatio: 0.2 });
    expect(by.db).toMatchObject({ calls: 8, errors: 0, rate: 8 / 60, errorRatio: 0 });
    // frontend roots: 30..120 ms, cart: 10..100 ms, db: 5 ms each (t-digest estimates).
    expect(Math.abs(by.frontend.p50Ms - 75)).toBeLessThanOrEqual(10);
    expect(Math.abs(by.cart.p50Ms - 55)).toBeLessThanOrEqual(10);
    expect(by.frontend.p99Ms).toBeGreaterThanOrEqual(110);
    expect(by.frontend.p99Ms).toBeLessThanOrEqual(120.5);
    expect(by.cart.p99Ms).toBeGreaterThanOrEqual(90);
    expect(by.cart.p99Ms).toBeLessThanOrEqual(100.5);
    expect(by.db.p50Ms).toBeCloseTo(5, 3);
    expect(by.db.p99Ms).toBeCloseTo(5, 3);
  });

  it('counts every span with spanKind=all, or one kind', async () => {
    const all = (await get('/api/v1/services/overview', { ...MAIN, spanKind: 'all' })).body.services;
    expect(all.map((s: any) => [s.service, s.calls, s.errors])).toEqual([
      ['cart', 18, 2],
      ['db', 8, 0],
      ['frontend', 30, 3],
    ]);
    const clients = (await get('/api/v1/services/overview', { ...MAIN, spanKind: 'client' })).body.services;
    expect(clients.map((s: any) => [s.service, s.calls])).toEqual([
      ['cart', 8],
      ['frontend', 20],
    ]);
  });

  it('reads whole hours from the hourly rollup and the same numbers come out', async () => {
    // The data lies in hour H; a range of whole hours around it reads vigil_span_red_1h only,
    // a range of a few minutes around it reads vigil_span_red_1m only.
    const H = Math.floor(M / 3600) * 3600;
    const hourly = await vigil.rows<{ calls: string }>('SELECT sum(Calls) AS calls FROM vigil_span_red_1h WHERE Hour = toDateTime({h:UInt32})', { h: H });
    // The LATE call's two spans too, when its minute is still in hour H (at hh:58 or later it is not).
    const lateInHour = Math.floor(LATE / 3600) * 3600 === H;
    expect(Number(hourly[0]!.calls)).toBe(sent.length + (lateInHour ? 2 : 0));
    const wide = (await get('/api/v1/services/overview', { start: us(H - 7200), end: us(H + 7200) - 1, spanKind: 'all' })).body.services;
    const narrow = (await get('/api/v1/services/overview', { start: us(M), end: us(LATE + 60) - 1, spanKind: 'all' })).body.services;
    expect(wide.map((s: any) => [s.service, s.calls, s.errors])).toEqual([
      ['cart', 19, 2],
      ['db', 8, 0],
      ['frontend', 31, 3],
    ]);
    expect(narrow.map((s: any) => [s.service, s.calls, s.errors])).toEqual(wide.map((s: any) => [s.service, s.calls, s.errors]));
    for (const [i, s] of wide.entries()) expect(Math.abs(s.p50Ms - narrow[i].p50Ms)).toBeLessThanOrEqual(1);
  });

  it('reads a partial hour from the hourly rollup only when none of its minutes lies outside the range', async () => {
    // Starting after M's minute: the main traces share LATE's hour (unless LATE crossed into the
    // next one) but lie before the range, so the hour's row must not be used; only LATE counts.
    const after = (await get('/api/v1/services/overview', { start: us(M + 60), end: us(LATE + 60) - 1, spanKind: 'all' })).body.services;
    expect(after.map((s: any) => [s.service, s.calls, s.errors])).toEqual([
      ['cart', 1, 0],
      ['frontend', 1, 0],
    ]);
  });

  it('answers no services for a quiet range', async () => {
    const { status, body } = await get('/api/v1/services/overview', { start: us(M - 3600), end: us(M - 1800) });
    expect(status).toBe(200);
    expect(body.services).toEqual([]);
  });
});

describe('GET /api/v1/services/{service}/operations', () => {
  it('answers per operation columnar series per step bucket', async () => {
    const { status, body } = await get('/api/v1/services/frontend/operations', { start: us(M - 60), end: us(M + 60) - 1, step: '1m' });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ service: 'frontend', start: us(M - 60), end: us(M + 60), step: 60, timestamps: [us(M - 60), us(M)] });
    expect(body.operations.map((o: any) => [o.name, o.spanKind])).toEqual([
      ['GET /checkout', 'server'],
      ['POST cart', 'client'],
      ['POST payments', 'client'],
    ]);
    const [checkout, , payments] = body.operations;
    expect(checkout).toMatchObject({ calls: [0, 10], errors: [0, 2], p50Ms: [null, expect.any(Number)], p90Ms: [null, expect.any(Number)], p99Ms: [null, expect.any(Number)] });
    expect(Math.abs(checkout.p50Ms[1] - 75)).toBeLessThanOrEqual(10);
    expect(payments).toMatchObject({ calls: [0, 10], errors: [0, 1] });
    expect(payments.p50Ms[1]).toBeCloseTo(30, 3);

    // One 5-minute bucket holds both the main minute and the late one.
    const wide = (await get('/api/v1/services/cart/operations', { start: us(M), end: us(M + 300) - 1, step: '5m' })).body;
    expect(wide.timestamps).toEqual([us(M)]);
    expect(wide.operations.map((o: any) => [o.name, o.spanKind, o.calls, o.errors])).toEqual([
      ['POST /cart', 'server', [11], [2]],
      ['SELECT', 'client', [8], [0]],
    ]);
  });

  it('answers empty operations for a service with no spans, hostile names included', async () => {
    for (const name of ['nope', "x' OR 1=1 --", '{service:String}']) {
      const { status, body } = await get(`/api/v1/services/${encodeURIComponent(name)}/operations`, MAIN);
      expect(status).toBe(200);
      expect(body.service).toBe(name);
      expect(body.operations).toEqual([]);
    }
  });
});

describe('dependencies', () => {
  it('answers edges with call and error counts', async () => {
    const { status, body } = await get('/api/v1/services/dependencies', { start: us(M), end: us(LATE + 60) - 1 });
    expect(status).toBe(200);
    expect(body.edges).toEqual([
      { parent: 'cart', child: 'db', calls: 8, errors: 0 },
      { parent: 'frontend', child: 'cart', calls: 11, errors: 2 },
      { parent: 'frontend', child: 'payments', calls: 10, errors: 1 },
    ]);
  });

  it('feeds Jaeger /api/dependencies', async () => {
    const { status, body } = await get('/api/dependencies', { endTs: (M + 60) * 1000 - 1, lookback: 60_000 });
    expect(status).toBe(200);
    expect(body.data).toEqual([
      { parent: 'cart', child: 'db', callCount: 8 },
      { parent: 'frontend', child: 'cart', callCount: 10 },
      { parent: 'frontend', child: 'payments', callCount: 10 },
    ]);
  });
});

describe('invalid parameters', () => {
  it.each([
    ['/api/v1/services/overview', { start: us(M + 60), end: us(M) }, /^invalid start: .* is after end/],
    ['/api/v1/services/overview', { start: 'yesterday' }, /^invalid start: "yesterday" is not a non-negative integer/],
    ['/api/v1/services/overview', { spanKind: 'server; DROP TABLE x' }, /^invalid spanKind/],
    ['/api/v1/services/frontend/operations', { step: '90s' }, /^invalid step: "90s" is not a whole number of minutes/],
    ['/api/v1/services/frontend/operations', { step: '1s' }, /^invalid step/],
    ['/api/v1/services/frontend/operations', { step: 'soon' }, /^invalid step: "soon" is not a duration/],
    ['/api/v1/services/frontend/operations', { start: 0, end: us(M), step: '1m' }, /^invalid step: \d+ buckets over this range; at most 1500/],
    ['/api/v1/services/frontend/operations', { end: "1' OR 1=1" }, /^invalid end/],
    ['/api/v1/services/dependencies', { end: -5 }, /^invalid end/],
  ])('%s %j -> 400', async (path, params, message) => {
    const { status, body } = await get(path, params as Record<string, string | number>);
    expect(status).toBe(400);
    expect(body.code).toBe('VIGIL_ERR_BAD_PARAMETER');
    expect(body.message).toMatch(message);
  });
});

describe('cluster DDL of 0004_span_metrics.sql', () => {
  it('renders ReplicatedAggregatingMergeTree local tables, Distributed tables, and views between local tables', () => {
    const file = loadMigrations().find((m) => m.name === '0004_span_metrics.sql')!;
    const statements = renderMigration(file.sql, { database: 'otel', cluster: 'main', retention: { tracesDays: 7, logsDays: 7, metricsDays: 30 } });
    const sql = statements.join('\n');
    for (const table of ['vigil_span_red_1m', 'vigil_service_edges_1m']) {
      expect(sql).toContain(`ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/${table}_local', '{replica}')`);
      expect(sql).toContain(`CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER 'main' AS ${table}_local\nENGINE = Distributed('main', 'otel', '${table}_local', rand())`);
    }
    const views = statements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views).toHaveLength(3);
    for (const view of views) {
      expect(view).toMatch(/^CREATE MATERIALIZED VIEW IF NOT EXISTS \w+ ON CLUSTER 'main'\nTO vigil_(span_red|service_edges)_1m_local\n/);
      expect(view).toContain('FROM otel_traces_local');
      expect(view).not.toMatch(/FROM otel_traces\b(?!_local)/);
    }
  });
});
