// The series store (query/metrics/source.ts) end to end: metrics sent by the real OpenTelemetry
// JS SDK over OTLP/HTTP protobuf, spans by the real tracer SDK, read back through
// ClickHouseSeriesSource. The SDK's timestamps are set per export (the exporter is wrapped) so
// the expected rates and percentiles below are computed by hand from known minutes.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Series, TagQuery, Window } from '../query/asl/types.ts';
import { ClickHouseTagCatalog } from '../query/metrics/catalog.ts';
import { cumulativeIncreases, explicitBuckets, exponentialBuckets, mergeBuckets, percentile, percentileTag } from '../query/metrics/percentiles.ts';
import { ClickHouseSeriesSource, unescapeTsv } from '../query/metrics/source.ts';
import { VigilError } from '../schemas/errors.ts';
import { and, eq, request } from './helpers/data-requests.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0); // an hour boundary
const at = (minute: number, second = 0) => T0 + minute * MINUTE + second * 1000;
/** Ten one-minute steps from T0. */
const WINDOW: Window = { start: T0, end: at(10), step: MINUTE };

let vigil: TestVigil;
let source: ClickHouseSeriesSource;
beforeAll(async () => {
  vigil = await startTestVigil();
  source = new ClickHouseSeriesSource(vigil.store.read);
});
afterAll(async () => {
  await vigil.stop();
});

const values = (s: Series | undefined) => Array.from(s?.values ?? []);

/** Expects `got` to equal `want` element-wise (NaN where NaN) within a relative tolerance. */
function expectValues(got: readonly number[], want: readonly number[], tolerance = 1e-9): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (Number.isNaN(w)) expect(g, `index ${i}`).toBeNaN();
    else expect(Math.abs(g - w), `index ${i}: ${g} vs ${w}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(w)));
  });
}

/**
 * A meter whose every export carries the times given to `flush`: the real SDK and exporter,
 * with the data points' start and end times set before they are encoded.
 */
function sdkMeter(service: string, temporality: AggregationTemporality, views: ViewOptions[] = []) {
  const exporter = new OTLPMetricExporter({ url: `${vigil.otlpUrl}/v1/metrics`, temporalityPreference: temporality }) as PushMetricExporter;
  let times = { start: 0, end: 0 };
  const exportBatch = exporter.export.bind(exporter);
  exporter.export = (metrics, done) => {
    const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
    for (const sm of metrics.scopeMetrics) {
      for (const m of sm.metrics) {
        for (const p of m.dataPoints as Array<{ startTime: [number, number]; endTime: [number, number] }>) {
          p.startTime = hr(times.start);
          p.endTime = hr(times.end);
        }
      }
    }
    exportBatch(metrics, done);
  };
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const resource = resourceFromAttributes({ 'service.name': service, 'service.version': '1.0.0', 'host.name': 'h1', 'process.pid': 42 });
  const provider = new MeterProvider({ resource, readers: [reader], views });
  return {
    meter: provider.getMeter('metrics-source-test'),
    /** Exports what was recorded, stamped (start, end) in unix ms. */
    async flush(start: number, end: number) {
      times = { start, end };
      await reader.forceFlush();
    },
    shutdown: () => provider.shutdown(),
  };
}

describe('counters', () => {
  beforeAll(async () => {
    // A cumulative counter: 60, +120, +30 in minutes 1-3 (started at T0), then the process
    // restarts (new start time at 3:30) and counts 12, +60 in minutes 4 and 5.
    const first = sdkMeter('shop', AggregationTemporality.CUMULATIVE);
    const requests = first.meter.createCounter('http.requests');
    for (const [minute, add] of [[1, 60], [2, 120], [3, 30]] as const) {
      requests.add(add, { route: '/cart' });
      await first.flush(T0, at(minute, 10));
    }
    await first.shutdown();
    const second = sdkMeter('shop', AggregationTemporality.CUMULATIVE);
    const again = second.meter.createCounter('http.requests');
    for (const [minute, add] of [[4, 12], [5, 60]] as const) {
      again.add(add, { route: '/cart' });
      await second.flush(at(3, 30), at(minute, 10));
    }
    await second.shutdown();

    // A delta counter: 30 in minute 1, 90 in minute 2; another route with 6 in minute 2.
    const delta = sdkMeter('shop', AggregationTemporality.DELTA);
    const bytes = delta.meter.createCounter('bytes.sent');
    bytes.add(30, { route: '/cart' });
    await delta.flush(at(0, 5), at(1, 5));
    bytes.add(90, { route: '/cart' });
    bytes.add(6, { route: '/pay' });
    await delta.flush(at(1, 5), at(2, 5));
    await delta.shutdown();
  });

  it('turns a cumulative counter into a rate per second per minute, across a restart', async () => {
    const [line, ...rest] = await source.fetch(request(eq('name', 'http.requests')), WINDOW);
    expect(rest).toEqual([]);
    expect(line!.tags).toEqual({ name: 'http.requests' });
    // minute 0: no point; 1: 60 since the start at T0; 2: 120; 3: 30; 4: restart, 12 since
    // the new start; 5: 60; later: no points.
    expectValues(values(line), [NaN, 1, 2, 0.5, 0.2, 1, NaN, NaN, NaN, NaN]);
  });

  it('turns a delta counter into a rate, and groups by a tag', async () => {
    const lines = await source.fetch(request(eq('name', 'bytes.sent'), { groupBy: ['route'] }), WINDOW);
    const byRoute = new Map(lines.map((l) => [l.tags.route, l]));
    expect(byRoute.get('/cart')!.tags).toEqual({ name: 'bytes.sent', route: '/cart' });
    expectValues(values(byRoute.get('/cart')), [NaN, 0.5, 1.5, NaN, NaN, NaN, NaN, NaN, NaN, NaN]);
    expectValues(values(byRoute.get('/pay')), [NaN, NaN, 0.1, NaN, NaN, NaN, NaN, NaN, NaN, NaN]);
    const [total] = await source.fetch(request(eq('name', 'bytes.sent')), WINDOW);
    expectValues(values(total), [NaN, 0.5, 1.6, NaN, NaN, NaN, NaN, NaN, NaN, NaN]);
    const [count] = await source.fetch(request(eq('name', 'bytes.sent'), { aggregation: 'count' }), WINDOW);
    expectValues(values(count), [NaN, 1, 2, NaN, NaN, NaN, NaN, NaN, NaN, NaN]);
  });

  it('consolidates minutes into larger steps (cf-avg counts missing minutes as 0, cf-max skips them)', async () => {
    const fiveMinutes: Window = { start: T0, end: at(10), step: 5 * MINUTE };
    const [avg] = await source.fetch(request(eq('name', 'http.requests')), fiveMinutes);
    // (NaN, 1, 2, 0.5, 0.2) -> 3.7 / 5; (1, NaN x4) -> 1 / 5
    expectValues(values(avg), [0.74, 0.2]);
    const [max] = await source.fetch(request(eq('name', 'http.requests'), { aggregation: 'max', consolidation: 'max' }), fiveMinutes);
    expectValues(values(max), [2, 1]);
    const [sum] = await source.fetch(request(eq('name', 'http.requests'), { consolidation: 'sum' }), fiveMinutes);
    expectValues(values(sum), [3.7, 1]);
  });

  it('repeats the minute value for steps under a minute, and shifts the window for :offset', async () => {
    const [fine] = await source.fetch(request(eq('name', 'http.requests')), { start: at(1), end: at(2, 30), step: 30_000 });
    expectValues(values(fine), [1, 1, 2]);
    const [shifted] = await source.fetch(request(eq('name', 'http.requests'), { offsetMs: 2 * MINUTE }), { start: at(3), end: at(6), step: MINUTE });
    expectValues(values(shifted), [1, 2, 0.5]);
    await expect(source.fetch(request(eq('name', 'http.requests')), { start: T0, end: at(10), step: 90_000 })).rejects.toMatchObject({
      code: 'VIGIL_ERR_BAD_PARAMETER',
    });
  });

  it('keeps every series with its tags for :all', async () => {
    const lines = await source.fetch(request(eq('name', 'bytes.sent'), { aggregation: 'all' }), WINDOW);
    const tags = lines.map((l) => l.tags).sort((a, b) => (a.route! < b.route! ? -1 : 1));
    // resource attributes in the model (service.*, host.name) are tags; others (process.pid) are not
    expect(tags).toEqual([
      { name: 'bytes.sent', route: '/cart', 'service.name': 'shop', 'service.version': '1.0.0', 'host.name': 'h1' },
      { name: 'bytes.sent', route: '/pay', 'service.name': 'shop', 'service.version': '1.0.0', 'host.name': 'h1' },
    ]);
  });

  it('filters with the query vocabulary (Atlas semantics: a missing key never compares true)', async () => {
    const routes = async (query: TagQuery) =>
      (await source.fetch(request(and(eq('name', 'bytes.sent'), query), { aggregation: 'all' }), WINDOW)).map((l) => l.tags.route).sort();
    expect(await routes({ op: 're', key: 'route', value: '/c' })).toEqual(['/cart']);
    expect(await routes({ op: 're', key: 'route', value: 'cart' })).toEqual([]); // anchored at the start
    expect(await routes({ op: 'reic', key: 'route', value: '/PA' })).toEqual(['/pay']);
    expect(await routes({ op: 'in', key: 'route', values: ['/pay', '/x'] })).toEqual(['/pay']);
    expect(await routes({ op: 'not', query: eq('route', '/pay') })).toEqual(['/cart']);
    expect(await routes({ op: 'gt', key: 'route', value: '/d' })).toEqual(['/pay']);
    expect(await routes({ op: 'has', key: 'route' })).toEqual(['/cart', '/pay']);
    expect(await routes({ op: 'has', key: 'missing' })).toEqual([]);
    expect(await routes({ op: 'lt', key: 'missing', value: 'zzz' })).toEqual([]);
    expect(await routes({ op: 'or', left: { op: 'ends', key: 'route', value: 'ay' }, right: { op: 'contains', key: 'route', value: 'ar' } })).toEqual([
      '/cart',
      '/pay',
    ]);
  });
});

describe('gauges', () => {
  beforeAll(async () => {
    const gauges = sdkMeter('shop', AggregationTemporality.CUMULATIVE);
    const temperature = gauges.meter.createGauge('temperature');
    temperature.record(10, { room: 'a' });
    temperature.record(4, { room: 'b' });
    await gauges.flush(at(1), at(1, 5));
    // two points in minute 2: the later one is the minute's value
    temperature.record(20, { room: 'a' });
    await gauges.flush(at(2), at(2, 5));
    temperature.record(30, { room: 'a' });
    await gauges.flush(at(2), at(2, 50));
    await gauges.shutdown();
  });

  it('shows the last value of each minute', async () => {
    const [a] = await source.fetch(request(and(eq('name', 'temperature'), eq('room', 'a'))), WINDOW);
    expect(a!.tags).toEqual({ name: 'temperature', room: 'a' });
    expectValues(values(a).slice(0, 4), [NaN, 10, 30, NaN]);
    const [max] = await source.fetch(request(eq('name', 'temperature'), { aggregation: 'max', consolidation: 'max' }), WINDOW);
    // room b's gauge is exported again (last value 4) with each flush
    expectValues(values(max).slice(0, 4), [NaN, 10, 30, NaN]);
    const [min] = await source.fetch(request(eq('name', 'temperature'), { aggregation: 'min', consolidation: 'min' }), WINDOW);
    expectValues(values(min).slice(0, 4), [NaN, 4, 4, NaN]);
  });
});

describe('histograms', () => {
  beforeAll(async () => {
    // Explicit buckets (10, 20, 40], cumulative: minute 1 records 5, 15, 15, 30; minute 2
    // records 12, 18, 35, 35, 50.
    const explicit = sdkMeter('shop', AggregationTemporality.CUMULATIVE);
    const latency = explicit.meter.createHistogram('latency', { advice: { explicitBucketBoundaries: [10, 20, 40] } });
    for (const v of [5, 15, 15, 30]) latency.record(v);
    await explicit.flush(T0, at(1, 10));
    for (const v of [12, 18, 35, 35, 50]) latency.record(v);
    await explicit.flush(T0, at(2, 10));
    await explicit.shutdown();

    // An exponential histogram (delta) of 1, 2, 4, 8 in minute 3.
    const exponential = sdkMeter('shop', AggregationTemporality.DELTA, [
      { instrumentName: 'payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } },
    ]);
    const size = exponential.meter.createHistogram('payload.size');
    for (const v of [1, 2, 4, 8]) size.record(v);
    await exponential.flush(at(2, 30), at(3, 30));
    await exponential.shutdown();
  });

  it('gives count and totalAmount rates and the max as series tagged by statistic', async () => {
    const lines = await source.fetch(request(eq('name', 'latency'), { groupBy: ['statistic'] }), WINDOW);
    const by = new Map(lines.map((l) => [l.tags.statistic, values(l).slice(0, 4)]));
    expectValues(by.get('count')!, [NaN, 4 / 60, 5 / 60, NaN]);
    expectValues(by.get('totalAmount')!, [NaN, 65 / 60, 150 / 60, NaN]);
    // max of a cumulative histogram: the largest value since the start
    expectValues(by.get('max')!, [NaN, 30, 50, NaN]);
  });

  it('interpolates percentiles from explicit buckets, per minute', async () => {
    const lines = await source.percentiles({ query: eq('name', 'latency'), groupBy: [], percentiles: [50, 90], offsetMs: 0 }, WINDOW);
    const by = new Map(lines.map((l) => [l.tags.percentile, l]));
    expect(by.get('p50')!.tags).toEqual({ name: 'latency', percentile: 'p50' });
    // minute 1: counts (0,10]=1 (10,20]=2 (20,40]=1: p50 = rank 2 -> 10 + 10 * 1/2 = 15;
    //   p90 = rank 3.6 -> 20 + 20 * 0.6 = 32
    // minute 2: increases (10,20]=2 (20,40]=2 (40,inf)=1: p50 = rank 2.5 -> 20 + 20 * 0.5/2 = 25;
    //   p90 = rank 4.5 -> the open last bucket: its lower bound 40
    expectValues(values(by.get('p50')).slice(0, 4), [NaN, 15, 25, NaN]);
    expectValues(values(by.get('p90')).slice(0, 4), [NaN, 32, 40, NaN]);
  });

  it('interpolates percentiles from exponential buckets', async () => {
    const lines = await source.percentiles({ query: eq('name', 'payload.size'), groupBy: [], percentiles: [25, 50, 100], offsetMs: 0 }, WINDOW);
    const by = new Map(lines.map((l) => [l.tags.percentile, values(l)[3]!]));
    // 1, 2, 4, 8 each end a bucket (powers of 2 are bucket bounds): p25 = 1, p50 = 2, p100 = 8
    expect(by.get('p25')).toBeCloseTo(1, 6);
    expect(by.get('p50')).toBeCloseTo(2, 6);
    expect(by.get('p100')).toBeCloseTo(8, 6);
  });
});

describe('span RED series', () => {
  beforeAll(async () => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'cart', 'service.version': '2.0.0' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${vigil.otlpUrl}/v1/traces` }))],
    });
    const tracer = provider.getTracer('red');
    // minute 1: three server spans of 100, 200 and 300 ms, the last one failed
    for (const [i, ms] of [100, 200, 300].entries()) {
      const span = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, startTime: at(1, 10 + i) });
      if (i === 2) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(at(1, 10 + i) + ms);
    }
    await provider.forceFlush();
    await provider.shutdown();
  });

  it('answers vigil.span.requests, .errors and .duration per minute', async () => {
    const service = eq('service.name', 'cart');
    const [requests] = await source.fetch(request(and(eq('name', 'vigil.span.requests'), service)), WINDOW);
    expect(requests!.tags).toEqual({ name: 'vigil.span.requests', 'service.name': 'cart' });
    expectValues(values(requests).slice(0, 3), [NaN, 3 / 60, NaN]);
    const [errors] = await source.fetch(request(and(eq('name', 'vigil.span.errors'), service)), WINDOW);
    expectValues(values(errors).slice(0, 3), [NaN, 1 / 60, NaN]);
    const duration = await source.fetch(request(and(eq('name', 'vigil.span.duration'), service), { groupBy: ['statistic'] }), WINDOW);
    const by = new Map(duration.map((l) => [l.tags.statistic, values(l)[1]!]));
    expect(by.get('count')).toBeCloseTo(3 / 60, 12);
    expect(by.get('totalTime')).toBeCloseTo(0.6 / 60, 12); // seconds per second: :dist-avg = 0.2 s
    // :sum adds the max of the two series (status Unset: 0.2 s, Error: 0.3 s); :max takes the larger
    expect(by.get('max')).toBeCloseTo(0.5, 12);
    const [max] = await source.fetch(request(and(eq('name', 'vigil.span.duration'), eq('statistic', 'max'), service), { aggregation: 'max' }), WINDOW);
    expect(values(max)[1]).toBeCloseTo(0.3, 12);
  });

  it('groups span series by version and status, and estimates latency percentiles', async () => {
    const lines = await source.fetch(request(eq('name', 'vigil.span.requests'), { groupBy: ['service.version', 'status.code'] }), WINDOW);
    const tags = lines.map((l) => l.tags).sort((a, b) => (a['status.code']! < b['status.code']! ? -1 : 1));
    expect(tags.map((t) => [t['service.version'], t['status.code']])).toEqual([
      ['2.0.0', 'Error'],
      ['2.0.0', 'Unset'],
    ]);
    const [p50] = await source.percentiles({ query: and(eq('name', 'vigil.span.duration'), eq('service.name', 'cart')), groupBy: [], percentiles: [50], offsetMs: 0 }, WINDOW);
    expect(p50!.tags).toEqual({ name: 'vigil.span.duration', 'service.name': 'cart', percentile: 'p50' });
    expect(values(p50)[1]).toBeCloseTo(0.2, 6);
  });
});

describe('limits and the tag catalogue', () => {
  it('refuses a query over too many series or lines with a catalogued error', async () => {
    const small = new ClickHouseSeriesSource(vigil.store.read, { maxSeries: 1 });
    const error = await small.fetch(request(eq('name', 'bytes.sent')), WINDOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilError);
    expect(error).toMatchObject({ code: 'VIGIL_ERR_TOO_MANY_SERIES', status: 400 });
    expect((error as Error).message).toMatch(/more than 1 series/);
    const fewLines = new ClickHouseSeriesSource(vigil.store.read, { maxLines: 1 });
    await expect(fewLines.fetch(request(eq('name', 'bytes.sent'), { groupBy: ['route'] }), WINDOW)).rejects.toMatchObject({
      code: 'VIGIL_ERR_TOO_MANY_SERIES',
    });
    // one line of two series is within both limits
    expect(await fewLines.fetch(request(eq('name', 'bytes.sent')), WINDOW)).toHaveLength(1);
  });

  it('lists tag keys and values with series counts, paged', async () => {
    const catalog = new ClickHouseTagCatalog(vigil.store.read, { now: () => at(5) });
    expect(await catalog.keys(eq('name', 'bytes.sent'), 100, '')).toEqual(['host.name', 'name', 'route', 'service.name', 'service.version']);
    expect(await catalog.keys(eq('name', 'bytes.sent'), 2, 'name')).toEqual(['route', 'service.name']);
    expect(await catalog.values('route', eq('name', 'bytes.sent'), 100, '', true)).toEqual([
      { key: 'route', value: '/cart', count: 1 },
      { key: 'route', value: '/pay', count: 1 },
    ]);
    expect(await catalog.values('statistic', eq('name', 'latency'), 100, 'count', false)).toEqual(['max', 'totalAmount']);
    // span series are in the catalogue too
    expect(await catalog.values('span.name', eq('service.name', 'cart'), 10, '', false)).toEqual(['GET /cart']);
  });
});

describe('bucket arithmetic (pure)', () => {
  it('reads explicit buckets and interpolates within them', () => {
    const buckets = explicitBuckets([1, 2, 4], [2, 2, 4, 2]);
    expect(buckets).toEqual([
      { lower: 0, upper: 1, count: 2 },
      { lower: 1, upper: 2, count: 2 },
      { lower: 2, upper: 4, count: 4 },
      { lower: 4, upper: Infinity, count: 2 },
    ]);
    // 10 values: p10 = rank 1 in (0,1] of 2 -> 0.5; p60 = rank 6, 2 into (2,4] of 4 -> 3;
    // p95 = rank 9.5 in the open last bucket -> 4; p0 -> the first bucket's lower end
    expect(percentile(buckets, 10)).toBeCloseTo(0.5, 12);
    expect(percentile(buckets, 60)).toBeCloseTo(3, 12);
    expect(percentile(buckets, 95)).toBe(4);
    expect(percentile(buckets, 0)).toBe(0);
    expect(percentile([], 50)).toBeNaN();
    // a first bound at or below 0: the first bucket is open below, a percentile in it is its bound
    expect(percentile(explicitBuckets([0, 10], [3, 1, 0]), 50)).toBe(0);
  });

  it('reads exponential buckets and re-buckets them to a coarser scale', () => {
    // scale 1: base sqrt(2); index 2 is (2, 2.83], index 3 (2.83, 4]
    const fine = exponentialBuckets(1, 1, 0.001, 2, [5, 3]);
    expect(fine[0]).toEqual({ lower: -0.001, upper: 0.001, count: 1 });
    expect(fine[1]!.lower).toBeCloseTo(2, 12);
    expect(fine[2]!.upper).toBeCloseTo(4, 12);
    // to scale 0 (base 2): indexes 2 and 3 both become index 1, (2, 4]
    const coarse = exponentialBuckets(1, 0, 0, 2, [5, 3], 0);
    expect(coarse).toEqual([{ lower: 2, upper: 4, count: 8 }]);
    expect(mergeBuckets([coarse, [{ lower: 2, upper: 4, count: 2 }, { lower: 1, upper: 2, count: 1 }]])).toEqual([
      { lower: 1, upper: 2, count: 1 },
      { lower: 2, upper: 4, count: 10 },
    ]);
  });

  it('turns cumulative bucket counts into increases per step, across a restart', () => {
    const b = (counts: number[]) => explicitBuckets([10], counts);
    const steps = cumulativeIncreases(
      [
        { step: 0, start: 0, time: 60_000, buckets: b([1, 0]) },
        { step: 1, start: 0, time: 120_000, buckets: b([3, 1]) },
        { step: 2, start: 130_000, time: 180_000, buckets: b([2, 2]) }, // restarted
        { step: 3, start: 130_000, time: 240_000, buckets: b([2, 2]) },
      ],
      10_000,
    );
    // the first point's sequence started before `since`: no increase known for step 0
    expect([...steps.keys()]).toEqual([1, 2, 3]);
    expect(steps.get(1)!.map((x) => x.count)).toEqual([2, 1]);
    expect(steps.get(2)!.map((x) => x.count)).toEqual([2, 2]);
    expect(steps.get(3)!.map((x) => x.count)).toEqual([0, 0]);
    expect(percentileTag(99.9)).toBe('p99.9');
    expect(percentileTag(50)).toBe('p50');
  });

  it('unescapes TabSeparated fields', () => {
    expect(unescapeTsv('a\\tb\\\\c\\nd')).toBe('a\tb\\c\nd');
    expect(unescapeTsv('["x\\\\y"]')).toBe('["x\\y"]');
  });
});
