// The attribute lookup (vigil_trace_attributes, migration 0011) behind `key=value` trace
// searches, native and Jaeger, with data from the real OpenTelemetry SDK: 24 traces of
// 3 spans (frontend -> cart -> db), each with a tenant (t-1 or t-2, on every span) and a
// per-span request id. Checks that answers are exactly the traces whose spans match (also
// when the pair and another condition sit on different spans of one trace, and at the
// edges of the lookup's minutes), that `!=` and `=~` are unchanged, and that spans stored
// before the migration (which have no lookup rows) are still found.
import { ROOT_CONTEXT, type HrTime, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

let vigil: TestVigil;
const providers: BasicTracerProvider[] = [];

// Traces start on whole minutes + 10 s, 20 s apart, from 20 minutes ago.
const BASE_S = Math.floor(Date.now() / 60_000) * 60 - 20 * 60 + 10;
const TRACES = 24;
const at = (s: number, ms = 0): HrTime => [s, ms * 1_000_000];
const startOf = (i: number) => BASE_S + i * 20;
const tenantOf = (i: number) => (i % 3 === 0 ? 't-1' : 't-2');

/** Trace ids by trace number. */
const ids: string[] = [];

function tracer(service: string): Tracer {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'host.name': `${service}-1` }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${vigil.otlpUrl}/v1/traces` }))],
  });
  providers.push(provider);
  return provider.getTracer('lookup-test');
}

beforeAll(async () => {
  vigil = await startTestVigil();
  const [fe, cart, db] = [tracer('frontend'), tracer('cart'), tracer('db')];
  for (let i = 0; i < TRACES; i++) {
    const s = startOf(i);
    const tenant = { 'tenant.id': tenantOf(i) };
    const root = fe.startSpan('GET /checkout', { kind: SpanKind.SERVER, startTime: at(s), attributes: { ...tenant, 'request.id': `r${i}-0` } });
    const inCtx = trace.setSpan(ROOT_CONTEXT, root);
    const cartSpan = cart.startSpan('POST /cart', { kind: SpanKind.SERVER, startTime: at(s, 100), attributes: { ...tenant, 'request.id': `r${i}-1` } }, inCtx);
    // Only trace 0's db span carries `cart.size`, only trace 1's frontend span `cart.size`.
    const dbAttrs: Record<string, string> = { ...tenant, 'request.id': `r${i}-2`, ...(i === 0 ? { 'cart.size': 'large' } : {}) };
    const dbSpan = db.startSpan('query', { kind: SpanKind.CLIENT, startTime: at(s, 200), attributes: dbAttrs }, trace.setSpan(ROOT_CONTEXT, cartSpan));
    if (i === 1) root.setAttribute('cart.size', 'large');
    dbSpan.end(at(s, 300));
    cartSpan.end(at(s, 400));
    root.end(at(s, 500));
    ids.push(root.spanContext().traceId);
  }
  await Promise.all(providers.map((p) => p.forceFlush()));
}, 120_000);

afterAll(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  await vigil?.stop();
});

async function ok(path: string, params: Record<string, string | number | string[]>): Promise<any> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
  const res = await fetch(`${vigil.query!.url}${path}?${search}`);
  const body = await res.json();
  expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
  return body;
}

const HOUR = { start: (BASE_S - 600) * 1000, end: (BASE_S + 600) * 1000 };
const native = async (params: Record<string, string | number | string[]>) =>
  (await ok('/api/v1/traces', { ...HOUR, limit: 100, ...params })).traces.map((t: any) => t.traceId);
const jaeger = async (params: Record<string, string>) =>
  (await ok('/api/traces', { start: String(HOUR.start * 1000), end: String(HOUR.end * 1000), limit: '100', ...params })).data
    .map((t: any) => t.traceID)
    .sort();
/** Trace ids of the trace numbers matching `pick`, as the native search orders them (newest first). */
const expected = (pick: (i: number) => boolean) => ids.filter((_, i) => pick(i)).reverse();

describe('attribute search through the lookup', () => {
  it('finds exactly the traces with a frequent value, and leaves != and =~ unchanged', async () => {
    expect(await native({ attr: 'tenant.id=t-1' })).toEqual(expected((i) => i % 3 === 0));
    expect(await native({ attr: 'tenant.id!=t-1' })).toEqual(expected((i) => i % 3 !== 0));
    expect(await native({ attr: 'tenant.id=~^t-[12]$' })).toEqual(expected(() => true));
    expect(await native({ attr: ['tenant.id=t-2', 'tenant.id!=t-2'] })).toEqual([]);
    expect(await native({ attr: 'request.id=r5-2' })).toEqual([ids[5]]);
    expect(await native({ attr: 'host.name=cart-1' })).toEqual(expected(() => true)); // resource attribute
    expect(await native({ attr: 'tenant.id=t-3' })).toEqual([]);
    expect(await jaeger({ tags: JSON.stringify({ 'tenant.id': 't-1' }) })).toEqual(expected((i) => i % 3 === 0).sort());
    expect(await jaeger({ tags: JSON.stringify({ 'tenant.id': 't-1', 'span.kind': 'client' }), service: 'db' })).toEqual(expected((i) => i % 3 === 0).sort());
  });

  it('needs every condition on the same span, not on two spans of one trace', async () => {
    // Trace 0: cart.size on its db span; trace 1: on its frontend span.
    expect(await native({ attr: 'cart.size=large' })).toEqual([ids[1], ids[0]]);
    expect(await native({ attr: 'cart.size=large', service: 'db' })).toEqual([ids[0]]);
    expect(await native({ attr: ['cart.size=large', 'request.id=r1-0'] })).toEqual([ids[1]]);
    expect(await native({ attr: ['cart.size=large', 'request.id=r1-1'] })).toEqual([]);
    expect(await jaeger({ tags: JSON.stringify({ 'cart.size': 'large' }), service: 'frontend' })).toEqual([ids[1]]);
  });

  it('keeps only spans inside the range, also within the minute the lookup lists', async () => {
    // Trace 3 starts at minute + 70 s: its spans at +0, +100 and +200 ms. The lookup row's
    // minute also covers the range starting at +150 ms, where only the db span is.
    const s = startOf(3);
    expect(await native({ attr: 'request.id=r3-2', start: s * 1000 + 150, end: s * 1000 + 250 })).toEqual([ids[3]]);
    expect(await native({ attr: 'request.id=r3-0', start: s * 1000 + 150, end: s * 1000 + 250 })).toEqual([]);
    expect(await native({ attr: 'tenant.id=t-1', start: s * 1000 + 150, end: s * 1000 + 250 })).toEqual([ids[3]]);
    expect(await native({ attr: 'tenant.id=t-1', start: s * 1000 + 600, end: s * 1000 + 9000 })).toEqual([]);
  });

  it('reads otel_traces for a range with spans stored before the lookup existed', async () => {
    await vigil.store.write.command({ query: 'TRUNCATE TABLE vigil_trace_attributes' });
    // Every span was stored after the migration, so `=` reads through the (now empty) lookup;
    // != does not use it.
    expect(await native({ attr: 'tenant.id=t-1' })).toEqual([]);
    expect(await jaeger({ tags: JSON.stringify({ 'tenant.id': 't-1' }) })).toEqual([]);
    expect(await native({ attr: 'tenant.id!=t-1' })).toEqual(expected((i) => i % 3 !== 0));
    // As after an upgrade: the migration was applied after these spans were stored (and they
    // have no lookup rows). A restarted Vigil reads otel_traces for ranges that reach them.
    await vigil.store.write.command({
      query: 'ALTER TABLE vigil_schema_migrations UPDATE applied_at = now64(3) + INTERVAL 2 SECOND WHERE version = 11',
      clickhouse_settings: { mutations_sync: '1' },
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // later spans are stored after it
    await Promise.all(providers.splice(0).map((p) => p.shutdown()));
    const dataDir = vigil.dataDir;
    await vigil.stop();
    vigil = await startTestVigil({}, dataDir);
    expect(await native({ attr: 'tenant.id=t-1' })).toEqual(expected((i) => i % 3 === 0));
    expect(await native({ attr: 'cart.size=large', service: 'db' })).toEqual([ids[0]]);
    expect(await jaeger({ tags: JSON.stringify({ 'tenant.id': 't-2' }) })).toEqual(expected((i) => i % 3 !== 0).sort());
    // A span stored now, after the others' time span: found through the lookup (its view).
    const nowS = Math.floor(Date.now() / 1000);
    const late = tracer('frontend').startSpan('late', { startTime: at(nowS), attributes: { 'tenant.id': 't-1' } });
    late.end(at(nowS, 5));
    await Promise.all(providers.map((p) => p.forceFlush()));
    const lateRange = { start: (nowS - 5) * 1000, end: (nowS + 5) * 1000 };
    expect(await native({ attr: 'tenant.id=t-1', ...lateRange })).toEqual([late.spanContext().traceId]);
    await vigil.store.write.command({ query: 'TRUNCATE TABLE vigil_trace_attributes' });
    expect(await native({ attr: 'tenant.id=t-1', ...lateRange })).toEqual([]);
    expect(await native({ attr: 'tenant.id=t-1' })).toEqual(expected((i) => i % 3 === 0));
  }, 60_000);
});
