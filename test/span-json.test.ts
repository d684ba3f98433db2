// Whole traces read from the spans' JSON and attribute maps (vigil_traces_by_id, migration 0013),
// with data from the real OpenTelemetry SDK: a trace whose spans arrive in several inserts
// comes back whole, in start order, with events and links; a time range keeps the spans that
// started in it; rows stored before the migration (no JSON, every column filled, as the view
// wrote them then) are read from their columns, also when a trace has both kinds, each once.
import { ROOT_CONTEXT, type HrTime, SpanKind, type Span, type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

let vigil: TestVigil;
const providers: BasicTracerProvider[] = [];

const BASE_S = Math.floor(Date.now() / 1000) - 600;
const at = (ms: number): HrTime => [BASE_S + Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
const us = (ms: number) => (BASE_S * 1000 + ms) * 1000;

function tracer(service: string): Tracer {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${vigil.otlpUrl}/v1/traces` }))],
  });
  providers.push(provider);
  return provider.getTracer('span-json-test', '1.2.3');
}

/** Ends the span at `endMs` and waits until it is stored: the next span goes in another insert. */
async function store(span: Span, endMs: number): Promise<void> {
  span.end(at(endMs));
  await Promise.all(providers.map((p) => p.forceFlush()));
}

interface Trace {
  id: string;
  /** Span ids in start order: frontend root (0 ms), cart (100 ms), db (200 ms). */
  spans: string[];
}

/** A frontend -> cart -> db trace starting at `offsetMs`, its spans stored in three inserts. */
async function checkout(offsetMs: number): Promise<Trace> {
  const [fe, cart, db] = [tracer('frontend'), tracer('cart'), tracer('db')];
  const root = fe.startSpan('GET /checkout', { kind: SpanKind.SERVER, startTime: at(offsetMs), attributes: { 'http.route': '/checkout', '42': 'answer' } });
  const cartSpan = cart.startSpan('POST /cart', { kind: SpanKind.SERVER, startTime: at(offsetMs + 100) }, trace.setSpan(ROOT_CONTEXT, root));
  const dbSpan = db.startSpan(
    'SELECT carts',
    { kind: SpanKind.CLIENT, startTime: at(offsetMs + 200), links: [{ context: root.spanContext(), attributes: { why: 'follows' } }] },
    trace.setSpan(ROOT_CONTEXT, cartSpan),
  );
  dbSpan.addEvent('rows', { 'db.rows': '3' }, at(offsetMs + 250));
  dbSpan.setStatus({ code: 2, message: 'deadlock' });
  // Children end first, as in a real request.
  await store(dbSpan, offsetMs + 300);
  await store(cartSpan, offsetMs + 400);
  await store(root, offsetMs + 500);
  return { id: root.spanContext().traceId, spans: [root, cartSpan, dbSpan].map((s) => s.spanContext().spanId) };
}

let fresh: Trace;
let old: Trace;

beforeAll(async () => {
  vigil = await startTestVigil();
  fresh = await checkout(0);
  old = await checkout(1000);
  // `old` as if stored before migration 0013: its copy rows with every column and no JSON,
  // as the view wrote them then (0005_query_speed.sql).
  await vigil.store.write.command({ query: 'DELETE FROM vigil_traces_by_id WHERE TraceId = {id:String}', query_params: { id: old.id } });
  await vigil.store.write.command({
    query: `INSERT INTO vigil_traces_by_id (TraceId, Timestamp, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
      ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage, Events.Timestamp, Events.Name,
      Events.Attributes, Links.TraceId, Links.SpanId, Links.TraceState, Links.Attributes, Flags, IngestTime)
    SELECT TraceId, Timestamp, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName,
      ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage, Events.Timestamp, Events.Name, Events.Attributes,
      Links.TraceId, Links.SpanId, Links.TraceState, Links.Attributes, Flags, IngestTime
    FROM otel_traces WHERE TraceId = {id:String}`,
    query_params: { id: old.id },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  await vigil?.stop();
});

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${vigil.query!.url}${path}`);
  return { status: res.status, body: await res.json() };
}

async function jaeger(t: Trace, query = ''): Promise<any> {
  const { status, body } = await get(`/api/traces/${t.id}${query}`);
  expect(status, JSON.stringify(body).slice(0, 300)).toBe(200);
  return body.data[0];
}

const ids = (trace: any) => trace.spans.map((s: { spanID: string }) => s.spanID);

describe('whole traces', () => {
  it('are read from the JSON of their spans, whole and in start order', async () => {
    const rows = await vigil.rows<{ json: number; spanIds: number }>(
      "SELECT countIf(Span != '') AS json, countIf(SpanId != '') AS spanIds FROM vigil_traces_by_id WHERE TraceId = {id:String}",
      { id: fresh.id },
    );
    // The ids (like events and links) of new rows are in the JSON only.
    expect(rows.map((r) => [Number(r.json), Number(r.spanIds)])).toEqual([[3, 0]]);
    const t = await jaeger(fresh);
    expect(ids(t)).toEqual(fresh.spans);
    expect(t.spans.map((s: any) => [s.startTime, s.duration])).toEqual([
      [us(0), 500_000],
      [us(100), 300_000],
      [us(200), 100_000],
    ]);
    const native = await get(`/api/v1/traces/${fresh.id}`);
    expect(native.status).toBe(200);
    expect(native.body.spans.map((s: { spanId: string }) => s.spanId)).toEqual(fresh.spans);
  });

  it('answer the same from rows stored before the migration', async () => {
    const rows = await vigil.rows<{ json: number; spanIds: number }>(
      "SELECT countIf(Span != '') AS json, countIf(SpanId != '') AS spanIds FROM vigil_traces_by_id WHERE TraceId = {id:String}",
      { id: old.id },
    );
    expect(rows.map((r) => [Number(r.json), Number(r.spanIds)])).toEqual([[0, 3]]);
    const [a, b] = [await jaeger(fresh), await jaeger(old)];
    // Everything but ids and times is the same: tags (kind, status, "42"), events, links, process.
    const shape = (t: any) => {
      const byId = new Map<string, number>(t.spans.map((s: any, i: number) => [s.spanID, i]));
      return {
        processes: t.processes,
        spans: t.spans.map((s: any) => ({
          operationName: s.operationName,
          parent: s.references.map((r: any) => [r.refType, byId.get(r.spanID)]),
          duration: s.duration,
          tags: s.tags,
          logs: s.logs.map((l: any) => ({ ...l, timestamp: l.timestamp - s.startTime })),
          processID: s.processID,
          warnings: s.warnings,
        })),
      };
    };
    expect(shape(b)).toEqual(shape(a));
    const db = a.spans[2];
    expect(db.logs).toEqual([{ timestamp: us(250), fields: [{ key: 'event', type: 'string', value: 'rows' }, { key: 'db.rows', type: 'string', value: '3' }] }]);
    expect(db.tags).toEqual(expect.arrayContaining([{ key: 'otel.status_description', type: 'string', value: 'deadlock' }]));
    expect(a.spans[0].tags).toEqual(expect.arrayContaining([{ key: '42', type: 'string', value: 'answer' }]));
    expect(db.references).toEqual(expect.arrayContaining([{ refType: 'FOLLOWS_FROM', traceID: fresh.id, spanID: fresh.spans[0] }]));
  });

  it('keep only the spans that started in a given range', async () => {
    expect(ids(await jaeger(fresh, `?start=${us(50)}&end=${us(200)}`))).toEqual(fresh.spans.slice(1));
    expect(ids(await jaeger(old, `?start=${us(1000)}&end=${us(1199)}`))).toEqual(old.spans.slice(0, 2));
    expect((await get(`/api/traces/${fresh.id}?start=${us(201)}&end=${us(250)}`)).status).toBe(404);
  });

  it('take spans with and without JSON of one trace, each once', async () => {
    const late = tracer('cart').startSpan('retry', { startTime: at(1150) }, trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: old.id, spanId: old.spans[0]!, traceFlags: 1 })));
    await store(late, 1180);
    const lateId = late.spanContext().spanId;
    expect(ids(await jaeger(old))).toEqual([old.spans[0], old.spans[1], lateId, old.spans[2]]);
    expect(ids(await jaeger(old, `?start=${us(1140)}&end=${us(1160)}`))).toEqual([lateId]);
    // Both traces in one request, each whole.
    const { status, body } = await get(`/api/traces?traceID=${fresh.id}&traceID=${old.id}`);
    expect(status).toBe(200);
    expect(body.data.map((t: any) => [t.traceID, t.spans.length])).toEqual([[fresh.id, 3], [old.id, 4]]);
  });
});
