// The real OpenTelemetry JS SDK and its OTLP/HTTP exporters (protobuf and JSON) against a
// started Vigil: every value read back from ClickHouse equals what the SDK sent.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type HrTime, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as LogsHttpJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsHttpProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsHttpJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsHttpProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as TracesHttpJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TracesHttpProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil();
});
afterAll(async () => {
  await vigil.stop();
});

const nanos = ([s, ns]: HrTime): string => (BigInt(s) * 1_000_000_000n + BigInt(ns)).toString();

const encodings = [
  { name: 'http/protobuf', traces: TracesHttpProto, metrics: MetricsHttpProto, logs: LogsHttpProto },
  { name: 'http/json', traces: TracesHttpJson, metrics: MetricsHttpJson, logs: LogsHttpJson },
] as const;

describe.each(encodings)('OpenTelemetry SDK over $name', (encoding) => {
  const service = `checkout-${encoding.name.replace('/', '-')}`;
  const resource = () =>
    resourceFromAttributes({
      'service.name': service,
      'service.version': '1.4.2',
      'deployment.environment': 'test',
      'host.cpu.count': 2,
    });

  it('stores spans with ids, nanosecond times, attributes, resource, events, links and status', async () => {
    const provider = new BasicTracerProvider({
      resource: resource(),
      spanProcessors: [new SimpleSpanProcessor(new encoding.traces({ url: `${vigil.otlpUrl}/v1/traces` }))],
    });
    const tracer = provider.getTracer('test-scope', '1.2.3');

    const linked = tracer.startSpan('linked-root', { startTime: [1_700_000_000, 1] });
    linked.end([1_700_000_000, 2]);

    const parent = tracer.startSpan('GET /cart', {
      kind: SpanKind.SERVER,
      startTime: [1_700_000_100, 123_456_789],
      attributes: {
        'http.method': 'GET',
        'http.status_code': 500,
        'retry.ratio': 0.25,
        'cache.hit': false,
        'cart.items': ['apple', 'pear'],
      },
      links: [{ context: linked.spanContext(), attributes: { 'link.reason': 'follows' } }],
    });
    parent.addEvent('exception', { 'exception.message': 'boom' }, [1_700_000_100, 500_000_001]);
    parent.setStatus({ code: SpanStatusCode.ERROR, message: 'cart service failed' });
    const child = tracer.startSpan(
      'SELECT cart',
      { kind: SpanKind.CLIENT, startTime: [1_700_000_100, 200_000_000] },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    child.end([1_700_000_100, 200_000_999]);
    parent.end([1_700_000_101, 987_654_321]);
    await provider.forceFlush();
    await provider.shutdown();

    const rows = await vigil.rows<any>(
      `SELECT *, toUnixTimestamp64Nano(Timestamp) AS ts, arrayMap(t -> toUnixTimestamp64Nano(t), Events.Timestamp) AS eventTs
       FROM otel_traces WHERE ServiceName = {service:String} ORDER BY Timestamp`,
      { service },
    );
    expect(rows).toHaveLength(3);
    const [root, server, client] = rows;
    const p = parent.spanContext();

    expect(root.SpanName).toBe('linked-root');
    expect(root.Duration).toBe('1');

    expect(server.TraceId).toBe(p.traceId);
    expect(server.SpanId).toBe(p.spanId);
    expect(server.ParentSpanId).toBe('');
    expect(server.SpanName).toBe('GET /cart');
    expect(server.SpanKind).toBe('Server');
    expect(server.ts).toBe(nanos([1_700_000_100, 123_456_789]));
    expect(server.Duration).toBe((1_864_197_532).toString());
    expect(server.ServiceName).toBe(service);
    expect(server.ScopeName).toBe('test-scope');
    expect(server.ScopeVersion).toBe('1.2.3');
    expect(server.ResourceAttributes).toMatchObject({
      'service.name': service,
      'service.version': '1.4.2',
      'deployment.environment': 'test',
      'host.cpu.count': '2',
    });
    expect(server.SpanAttributes).toEqual({
      'http.method': 'GET',
      'http.status_code': '500',
      'retry.ratio': '0.25',
      'cache.hit': 'false',
      'cart.items': '["apple","pear"]',
    });
    expect(server.StatusCode).toBe('Error');
    expect(server.StatusMessage).toBe('cart service failed');
    expect(server['Events.Name']).toEqual(['exception']);
    expect(server.eventTs).toEqual([nanos([1_700_000_100, 500_000_001])]);
    expect(server['Events.Attributes']).toEqual([{ 'exception.message': 'boom' }]);
    expect(server['Links.TraceId']).toEqual([linked.spanContext().traceId]);
    expect(server['Links.SpanId']).toEqual([linked.spanContext().spanId]);
    expect(server['Links.Attributes']).toEqual([{ 'link.reason': 'follows' }]);
    expect(server.Flags & 0xff).toBe(p.traceFlags);

    expect(client.TraceId).toBe(p.traceId);
    expect(client.ParentSpanId).toBe(p.spanId);
    expect(client.SpanKind).toBe('Client');
    expect(client.Duration).toBe('999');
    expect(client.StatusCode).toBe('Unset');

    const lookup = await vigil.rows<{ n: string }>(
      'SELECT count() AS n FROM otel_traces_trace_id_ts WHERE TraceId = {id:String}',
      { id: p.traceId },
    );
    expect(lookup[0]!.n).not.toBe('0');
  });

  it.each([
    { name: 'cumulative', temporality: AggregationTemporality.CUMULATIVE },
    { name: 'delta', temporality: AggregationTemporality.DELTA },
  ])(
    'stores a counter, an up-down counter, a gauge and a histogram ($name)',
    async ({ temporality }) => {
      const exporter = new encoding.metrics({
        url: `${vigil.otlpUrl}/v1/metrics`,
        temporalityPreference: temporality,
      }) as PushMetricExporter;
      // Keep what the SDK sent so the stored values are compared with it, not with guesses.
      const sent: ResourceMetrics[] = [];
      const exportBatch = exporter.export.bind(exporter);
      exporter.export = (metrics, done) => {
        sent.push(metrics);
        exportBatch(metrics, done);
      };
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
      const provider = new MeterProvider({ resource: resource(), readers: [reader] });
      const meter = provider.getMeter('test-meter', '0.1.0');
      const scope = `t${temporality}`;
      const requestCounter = meter.createCounter('requests', { description: 'requests served', unit: '{request}' });
      requestCounter.add(5, { route: '/cart', scope });
      requestCounter.add(2, { route: '/cart', scope });
      meter.createUpDownCounter('queue.depth').add(-3, { scope });
      meter.createGauge('temperature', { unit: 'Cel' }).record(21.5, { room: 'lab', scope });
      const latency = meter.createHistogram('latency', { unit: 'ms' });
      for (const v of [3, 7, 120]) latency.record(v, { scope });
      // Shutdown collects and exports once (a forceFlush before it would export twice).
      await provider.shutdown();

      const points = new Map<string, any>();
      for (const rm of sent) {
        for (const sm of rm.scopeMetrics) for (const m of sm.metrics) points.set(m.descriptor.name, { metric: m, point: m.dataPoints[0] });
      }
      const temporalityNumber = temporality === AggregationTemporality.DELTA ? 1 : 2;
      const where = `ServiceName = {service:String} AND Attributes['scope'] = {scope:String}`;
      const times = `toUnixTimestamp64Nano(StartTimeUnix) AS start, toUnixTimestamp64Nano(TimeUnix) AS time`;

      const sums = await vigil.rows<any>(
        `SELECT *, ${times} FROM otel_metrics_sum WHERE ${where} ORDER BY MetricName`,
        { service, scope },
      );
      expect(sums.map((r) => r.MetricName)).toEqual(['queue.depth', 'requests']);
      const [queue, requests] = sums;
      expect(requests.Value).toBe(7);
      expect(requests.IsMonotonic).toBe(true);
      expect(requests.AggregationTemporality).toBe(temporalityNumber);
      expect(requests.MetricDescription).toBe('requests served');
      expect(requests.MetricUnit).toBe('{request}');
      expect(requests.Attributes).toEqual({ route: '/cart', scope });
      expect(requests.ScopeName).toBe('test-meter');
      expect(requests.ScopeVersion).toBe('0.1.0');
      expect(requests.ResourceAttributes['service.version']).toBe('1.4.2');
      expect(requests.start).toBe(nanos(points.get('requests').point.startTime));
      expect(requests.time).toBe(nanos(points.get('requests').point.endTime));
      expect(queue.Value).toBe(-3);
      expect(queue.IsMonotonic).toBe(false);
      // The SDK always reports up-down counters as cumulative.
      expect(queue.AggregationTemporality).toBe(points.get('queue.depth').metric.aggregationTemporality === AggregationTemporality.DELTA ? 1 : 2);

      const [gauge] = await vigil.rows<any>(`SELECT *, ${times} FROM otel_metrics_gauge WHERE ${where}`, { service, scope });
      expect(gauge.MetricName).toBe('temperature');
      expect(gauge.Value).toBe(21.5);
      expect(gauge.MetricUnit).toBe('Cel');
      expect(gauge.Attributes).toEqual({ room: 'lab', scope });
      expect(gauge.time).toBe(nanos(points.get('temperature').point.endTime));

      const [histogram] = await vigil.rows<any>(
        `SELECT *, ${times} FROM otel_metrics_histogram WHERE ${where}`,
        { service, scope },
      );
      const sentHistogram = points.get('latency').point.value;
      expect(histogram.MetricName).toBe('latency');
      expect(histogram.Count).toBe('3');
      expect(histogram.Sum).toBe(130);
      expect(histogram.Min).toBe(3);
      expect(histogram.Max).toBe(120);
      expect(histogram.ExplicitBounds).toEqual(sentHistogram.buckets.boundaries);
      expect(histogram.BucketCounts).toEqual(sentHistogram.buckets.counts.map(String));
      expect(histogram.AggregationTemporality).toBe(temporalityNumber);
      expect(histogram.start).toBe(nanos(points.get('latency').point.startTime));
    },
  );

  it('stores log records with severity, body of any type, attributes and trace context', async () => {
    const provider = new LoggerProvider({
      resource: resource(),
      processors: [new SimpleLogRecordProcessor({ exporter: new encoding.logs({ url: `${vigil.otlpUrl}/v1/logs` }) })],
    });
    const logger = provider.getLogger('test-logger', '2.0.0');
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    logger.emit({
      timestamp: [1_700_000_200, 111_222_333],
      observedTimestamp: [1_700_000_201, 5],
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: 'disk almost full',
      attributes: { 'disk.free_bytes': 1024, mount: '/var' },
      context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
    });
    logger.emit({
      timestamp: [1_700_000_200, 111_222_334],
      severityNumber: SeverityNumber.INFO,
      body: { user: 'ada', items: [1, 2] },
    });
    await provider.forceFlush();
    await provider.shutdown();

    const rows = await vigil.rows<any>(
      `SELECT *, toUnixTimestamp64Nano(Timestamp) AS ts, toUnixTimestamp64Nano(ObservedTimestamp) AS observed
       FROM otel_logs WHERE ServiceName = {service:String} ORDER BY Timestamp`,
      { service },
    );
    expect(rows).toHaveLength(2);
    const [warn, info] = rows;
    expect(warn.ts).toBe(nanos([1_700_000_200, 111_222_333]));
    expect(warn.observed).toBe(nanos([1_700_000_201, 5]));
    expect(warn.SeverityNumber).toBe(SeverityNumber.WARN);
    expect(warn.SeverityText).toBe('WARN');
    expect(warn.Body).toBe('disk almost full');
    expect(warn.LogAttributes).toEqual({ 'disk.free_bytes': '1024', mount: '/var' });
    expect(warn.TraceId).toBe(spanContext.traceId);
    expect(warn.SpanId).toBe(spanContext.spanId);
    expect(warn.TraceFlags).toBe(1);
    expect(warn.ScopeName).toBe('test-logger');
    expect(warn.ScopeVersion).toBe('2.0.0');
    expect(warn.ResourceAttributes['service.name']).toBe(service);
    expect(info.SeverityNumber).toBe(SeverityNumber.INFO);
    expect(JSON.parse(info.Body)).toEqual({ user: 'ada', items: [1, 2] });
    expect(info.TraceId).toBe('');
  });
});
