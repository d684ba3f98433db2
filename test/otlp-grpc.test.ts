// OTLP/gRPC receiver: the real OpenTelemetry JS gRPC exporters (plain and gzip) store what
// the SDK sent; a raw grpc-js client checks every status code, partial success and RetryInfo.
// Last, bearer tokens on every port (gRPC, OTLP/HTTP, query), on a restarted Vigil.
import { gzipSync } from 'node:zlib';
import { Client, Metadata, type ServiceError, compressionAlgorithms, credentials, status } from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type HrTime, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, spansJson, traceId } from './helpers/otlp.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

const MAX_MESSAGE = 256 * 1024;
const settings = { VIGIL_GRPC_MAX_MESSAGE_SIZE: String(MAX_MESSAGE) };

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil(settings);
});
afterAll(async () => {
  await vigil?.stop();
});

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const LOGS = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

const nanos = ([s, ns]: HrTime): string => (BigInt(s) * 1_000_000_000n + BigInt(ns)).toString();
const nowNanos = () => BigInt(Date.now()) * 1_000_000n;

type Compression = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>['compression'];

describe.each(['none', 'gzip'] as const)('OpenTelemetry SDK over gRPC (compression %s)', (compression) => {
  const service = `grpc-checkout-${compression}`;
  const exporterOptions = () => ({ url: `http://${vigil.grpcAddress}`, compression: compression as Compression });
  const resource = () => resourceFromAttributes({ 'service.name': service, 'service.version': '1.4.2', 'host.cpu.count': 2 });

  it('stores spans with ids, nanosecond times, attributes, resource, events and status', async () => {
    const provider = new BasicTracerProvider({
      resource: resource(),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter(exporterOptions()))],
    });
    const tracer = provider.getTracer('grpc-scope', '1.2.3');
    const parent = tracer.startSpan('GET /cart', {
      kind: SpanKind.SERVER,
      startTime: [1_700_000_100, 123_456_789],
      attributes: { 'http.method': 'GET', 'http.status_code': 500, 'cache.hit': false, 'cart.items': ['apple', 'pear'] },
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
    expect(rows).toHaveLength(2);
    const [server, client] = rows;
    const p = parent.spanContext();
    expect(server).toMatchObject({
      TraceId: p.traceId,
      SpanId: p.spanId,
      ParentSpanId: '',
      SpanName: 'GET /cart',
      SpanKind: 'Server',
      ts: nanos([1_700_000_100, 123_456_789]),
      Duration: '1864197532',
      ScopeName: 'grpc-scope',
      ScopeVersion: '1.2.3',
      StatusCode: 'Error',
      StatusMessage: 'cart service failed',
      'Events.Name': ['exception'],
      eventTs: [nanos([1_700_000_100, 500_000_001])],
      'Events.Attributes': [{ 'exception.message': 'boom' }],
    });
    expect(server.ResourceAttributes).toMatchObject({ 'service.name': service, 'service.version': '1.4.2', 'host.cpu.count': '2' });
    expect(server.SpanAttributes).toEqual({
      'http.method': 'GET',
      'http.status_code': '500',
      'cache.hit': 'false',
      'cart.items': '["apple","pear"]',
    });
    expect(client).toMatchObject({ TraceId: p.traceId, ParentSpanId: p.spanId, SpanKind: 'Client', Duration: '999', StatusCode: 'Unset' });
  });

  it('stores a counter, a histogram and a gauge', async () => {
    const exporter = new OTLPMetricExporter(exporterOptions()) as PushMetricExporter;
    // Keep what the SDK sent so stored times are compared with it, not with guesses.
    const sent: ResourceMetrics[] = [];
    const exportBatch = exporter.export.bind(exporter);
    exporter.export = (metrics, done) => {
      sent.push(metrics);
      exportBatch(metrics, done);
    };
    const provider = new MeterProvider({
      resource: resource(),
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    });
    const meter = provider.getMeter('grpc-meter', '0.1.0');
    const requests = meter.createCounter('requests', { unit: '{request}' });
    requests.add(5, { route: '/cart' });
    requests.add(2, { route: '/cart' });
    const latency = meter.createHistogram('latency', { unit: 'ms' });
    for (const v of [3, 7, 120]) latency.record(v);
    meter.createGauge('temperature', { unit: 'Cel' }).record(21.5, { room: 'lab' });
    await provider.shutdown();

    const points = new Map<string, any>();
    for (const rm of sent) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) points.set(m.descriptor.name, m.dataPoints[0]);
    const times = 'toUnixTimestamp64Nano(StartTimeUnix) AS start, toUnixTimestamp64Nano(TimeUnix) AS time';
    const where = 'WHERE ServiceName = {service:String}';

    const [sum] = await vigil.rows<any>(`SELECT *, ${times} FROM otel_metrics_sum ${where}`, { service });
    expect(sum).toMatchObject({
      MetricName: 'requests',
      MetricUnit: '{request}',
      Value: 7,
      IsMonotonic: true,
      AggregationTemporality: 2,
      Attributes: { route: '/cart' },
      ScopeName: 'grpc-meter',
      start: nanos(points.get('requests').startTime),
      time: nanos(points.get('requests').endTime),
    });

    const [histogram] = await vigil.rows<any>(`SELECT *, ${times} FROM otel_metrics_histogram ${where}`, { service });
    const sentHistogram = points.get('latency').value;
    expect(histogram).toMatchObject({
      MetricName: 'latency',
      Count: '3',
      Sum: 130,
      Min: 3,
      Max: 120,
      ExplicitBounds: sentHistogram.buckets.boundaries,
      BucketCounts: sentHistogram.buckets.counts.map(String),
      time: nanos(points.get('latency').endTime),
    });

    const [gauge] = await vigil.rows<any>(`SELECT *, ${times} FROM otel_metrics_gauge ${where}`, { service });
    expect(gauge).toMatchObject({
      MetricName: 'temperature',
      MetricUnit: 'Cel',
      Value: 21.5,
      Attributes: { room: 'lab' },
      time: nanos(points.get('temperature').endTime),
    });
  });

  it('stores log records with severity, body, attributes and trace context', async () => {
    const provider = new LoggerProvider({
      resource: resource(),
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter(exporterOptions()) })],
    });
    const logger = provider.getLogger('grpc-logger', '2.0.0');
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    logger.emit({
      timestamp: [1_700_000_200, 111_222_333],
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: 'disk almost full',
      attributes: { mount: '/var' },
      context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
    });
    logger.emit({ timestamp: [1_700_000_200, 111_222_334], severityNumber: SeverityNumber.INFO, body: { user: 'ada' } });
    await provider.forceFlush();
    await provider.shutdown();

    const rows = await vigil.rows<any>(
      `SELECT *, toUnixTimestamp64Nano(Timestamp) AS ts FROM otel_logs WHERE ServiceName = {service:String} ORDER BY Timestamp`,
      { service },
    );
    expect(rows).toHaveLength(2);
    const [warn, info] = rows;
    expect(warn).toMatchObject({
      ts: nanos([1_700_000_200, 111_222_333]),
      SeverityNumber: SeverityNumber.WARN,
      SeverityText: 'WARN',
      Body: 'disk almost full',
      LogAttributes: { mount: '/var' },
      TraceId: spanContext.traceId,
      SpanId: spanContext.spanId,
      ScopeName: 'grpc-logger',
    });
    expect(info.SeverityNumber).toBe(SeverityNumber.INFO);
    expect(JSON.parse(info.Body)).toEqual({ user: 'ada' });
  });
});

// The few OTLP and google.rpc messages the raw-client tests write or read.
const proto = protobuf.parse(`
  syntax = "proto3";
  package t;
  message AnyValue { string string_value = 1; }
  message KeyValue { string key = 1; AnyValue value = 2; }
  message Resource { repeated KeyValue attributes = 1; }
  message Span { bytes trace_id = 1; bytes span_id = 2; string name = 5; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; }
  message ScopeSpans { repeated Span spans = 2; }
  message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
  message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
  message LogRecord { fixed64 time_unix_nano = 1; int32 severity_number = 2; AnyValue body = 5; }
  message ScopeLogs { repeated LogRecord log_records = 2; }
  message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
  message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
  message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
  message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message Duration { int64 seconds = 1; int32 nanos = 2; }
  message RetryInfo { Duration retry_delay = 1; }
`).root;

function encode(type: string, value: object): Buffer {
  const t = proto.lookupType(`t.${type}`);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

function decode(type: string, bytes: Uint8Array): any {
  const t = proto.lookupType(`t.${type}`);
  return t.toObject(t.decode(bytes), { longs: String, defaults: true });
}

const resourceOf = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });

function spansRequest(service: string, spans: Array<{ traceId: string; spanId: string }>): Buffer {
  const start = nowNanos();
  return encode('ExportTraceServiceRequest', {
    resourceSpans: [
      {
        resource: resourceOf(service),
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              traceId: Buffer.from(s.traceId, 'hex'),
              spanId: Buffer.from(s.spanId, 'hex'),
              name: 'op',
              startTimeUnixNano: start.toString(),
              endTimeUnixNano: (start + 1000n).toString(),
            })),
          },
        ],
      },
    ],
  });
}

function logsRequest(service: string, bodies: string[]): Buffer {
  return encode('ExportLogsServiceRequest', {
    resourceLogs: [
      {
        resource: resourceOf(service),
        scopeLogs: [{ logRecords: bodies.map((b) => ({ timeUnixNano: nowNanos().toString(), severityNumber: 9, body: { stringValue: b } })) }],
      },
    ],
  });
}

interface Reply {
  error: ServiceError | null;
  response: Buffer | undefined;
}

/** One unary call with raw bytes in and out, on a fresh channel. */
function call(method: string, body: Buffer, options: { token?: string; gzip?: boolean } = {}): Promise<Reply> {
  const client = new Client(
    vigil.grpcAddress,
    credentials.createInsecure(),
    options.gzip ? { 'grpc.default_compression_algorithm': compressionAlgorithms.gzip } : {},
  );
  const metadata = new Metadata();
  if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
  const identity = (b: Buffer) => b;
  return new Promise((resolve) => {
    client.makeUnaryRequest(method, identity, identity, body, metadata, (error, response) => {
      client.close();
      resolve({ error, response });
    });
  });
}

const count = async (table: string, service: string) =>
  (await vigil.rows<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE ServiceName = {service:String}`, { service }))[0]!.n;

describe('gRPC status codes', () => {
  it('answers OK with an empty response and stores a raw request, identity or gzip', async () => {
    const plain = await call(LOGS, logsRequest('grpc-raw', ['plain']));
    expect(plain.error).toBeNull();
    expect(plain.response).toEqual(Buffer.alloc(0));
    const gzipped = await call(LOGS, logsRequest('grpc-raw', ['gzipped']), { gzip: true });
    expect(gzipped.error).toBeNull();
    expect(await count('otel_logs', 'grpc-raw')).toBe('2');
  });

  it('answers INVALID_ARGUMENT naming what is malformed', async () => {
    const { error } = await call(TRACES, Buffer.of(0x0a, 0xff, 0xff));
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/malformed protobuf ExportTraceServiceRequest/);
  });

  it('answers RESOURCE_EXHAUSTED past the message limit, also once decompressed', async () => {
    const big = logsRequest('grpc-too-large', ['x'.repeat(MAX_MESSAGE)]);
    expect((await call(LOGS, big)).error?.code).toBe(status.RESOURCE_EXHAUSTED);
    // Small on the wire, too large once gunzipped: the limit applies to the decompressed message.
    expect(gzipSync(big).length).toBeLessThan(MAX_MESSAGE / 10);
    const zipped = await call(LOGS, big, { gzip: true });
    expect(zipped.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(zipped.error?.details).toMatch(/decompresses/);
    expect(await count('otel_logs', 'grpc-too-large')).toBe('0');
  });

  it('answers UNIMPLEMENTED for an unknown method', async () => {
    const { error } = await call('/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export', Buffer.alloc(0));
    expect(error?.code).toBe(status.UNIMPLEMENTED);
  });

  it('answers OK with rejected_spans for a partial success and stores the valid spans', async () => {
    const good = traceId();
    const { error, response } = await call(
      TRACES,
      spansRequest('grpc-partial', [
        { traceId: good, spanId: '1111111111111111' },
        { traceId: 'abcdef', spanId: '2222222222222222' },
        { traceId: good, spanId: '3333333333333333' },
      ]),
    );
    expect(error).toBeNull();
    const { partialSuccess } = decode('ExportTraceServiceResponse', response!);
    expect(partialSuccess.rejectedSpans).toBe('1');
    expect(partialSuccess.errorMessage).toMatch(/invalid trace id "abcdef"/);
    const stored = await vigil.rows<{ SpanId: string }>(
      `SELECT SpanId FROM otel_traces WHERE ServiceName = 'grpc-partial' ORDER BY SpanId`,
    );
    expect(stored.map((r) => r.SpanId)).toEqual(['1111111111111111', '3333333333333333']);
  });

  it('answers UNAVAILABLE with a RetryInfo delay while the store fails, then recovers', async () => {
    await vigil.store.write.command({ query: 'DETACH TABLE otel_logs' });
    let reply: Reply;
    try {
      reply = await call(LOGS, logsRequest('grpc-store-down', ['lost?']));
    } finally {
      await vigil.store.write.command({ query: 'ATTACH TABLE otel_logs' });
    }
    expect(reply.error?.code).toBe(status.UNAVAILABLE);
    expect(reply.error?.details).toMatch(/storage is unavailable/);
    const [details] = reply.error!.metadata.get('grpc-status-details-bin');
    const rpcStatus = decode('Status', details as Buffer);
    expect(rpcStatus.code).toBe(status.UNAVAILABLE);
    expect(rpcStatus.message).toBe(reply.error!.details);
    expect(rpcStatus.details).toHaveLength(1);
    expect(rpcStatus.details[0].typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
    expect(decode('RetryInfo', rpcStatus.details[0].value).retryDelay.seconds).toBe('1');

    expect((await call(LOGS, logsRequest('grpc-store-down', ['kept']))).error).toBeNull();
    expect(await count('otel_logs', 'grpc-store-down')).toBe('1');
  });
});

describe('bearer tokens', () => {
  const INGEST_TOKEN = 'secret';
  const QUERY_TOKEN = 'query-secret';
  beforeAll(async () => {
    // chDB binds one data directory per process: restart on the same one with tokens set.
    await vigil.stop();
    vigil = await startTestVigil({ ...settings, VIGIL_INGEST_TOKENS: INGEST_TOKEN, VIGIL_QUERY_TOKENS: QUERY_TOKEN }, vigil.dataDir);
  });

  it('gRPC: UNAUTHENTICATED and nothing stored without the right token; OK with it', async () => {
    for (const token of [undefined, 'wrong']) {
      const { error } = await call(LOGS, logsRequest('grpc-auth', ['refused']), token === undefined ? {} : { token });
      expect(error?.code, `token ${token}`).toBe(status.UNAUTHENTICATED);
      expect(error?.details).toMatch(/bearer token/);
    }
    // Checked before decoding: even a malformed message is refused for its missing token.
    expect((await call(TRACES, Buffer.of(0x0a, 0xff, 0xff))).error?.code).toBe(status.UNAUTHENTICATED);
    expect(await count('otel_logs', 'grpc-auth')).toBe('0');

    expect((await call(LOGS, logsRequest('grpc-auth', ['accepted']), { token: INGEST_TOKEN })).error).toBeNull();
    expect(await count('otel_logs', 'grpc-auth')).toBe('1');
  });

  it('OTLP/HTTP: 401 with WWW-Authenticate and nothing stored without the right token; 200 with it', async () => {
    const body = () => spansJson('http-auth', [{ traceId: traceId(), spanId: '1111111111111111' }]);
    const json = { 'content-type': 'application/json' };
    for (const headers of [json, { ...json, authorization: 'Bearer wrong' }]) {
      const answer = await post(`${vigil.otlpUrl}/v1/traces`, body(), headers);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(await count('otel_traces', 'http-auth')).toBe('0');

    const ok = await post(`${vigil.otlpUrl}/v1/traces`, body(), { ...json, authorization: `Bearer ${INGEST_TOKEN}` });
    expect(ok.status).toBe(200);
    expect(await count('otel_traces', 'http-auth')).toBe('1');

    for (const path of ['/healthz', '/readyz']) expect((await fetch(`${vigil.otlpUrl}${path}`)).status).toBe(200);
  });

  it('query API: 401 without the query token, health endpoints open', async () => {
    const url = vigil.query!.url;
    const refused = await fetch(`${url}/api/anything`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    // The ingest token is not a query token.
    expect((await fetch(`${url}/api/anything`, { headers: { authorization: `Bearer ${INGEST_TOKEN}` } })).status).toBe(401);
    // Past authentication: the route does not exist.
    expect((await fetch(`${url}/api/anything`, { headers: { authorization: `Bearer ${QUERY_TOKEN}` } })).status).toBe(404);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
