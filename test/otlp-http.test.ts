// OTLP/HTTP receiver: the spec's example bodies, partial success, every error case, and
// that none of the errors costs anything: the server keeps serving and stored data stays.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { example, logsJson, post, spansJson, traceId } from './helpers/otlp.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

let vigil: TestVigil;
const MAX_BODY = 1024 * 1024;
beforeAll(async () => {
  vigil = await startTestVigil({ VIGIL_MAX_BODY_SIZE: String(MAX_BODY) });
});
afterAll(async () => {
  await vigil?.stop();
});

const json = { 'content-type': 'application/json' };
const protobuf = { 'content-type': 'application/x-protobuf' };
const url = (path: string) => `${vigil.otlpUrl}${path}`;

describe('the OTLP specification examples', () => {
  it('stores trace.json field for field', async () => {
    const answer = await post(url('/v1/traces'), example('trace.json'));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json');
    expect(answer.json).toEqual({});
    const [span] = await vigil.rows<any>(
      `SELECT *, toUnixTimestamp64Nano(Timestamp) AS ts FROM otel_traces WHERE TraceId = '5b8efff798038103d269b633813fc60c'`,
    );
    expect(span).toMatchObject({
      SpanId: 'eee19b7ec3c1b174',
      ParentSpanId: 'eee19b7ec3c1b173',
      SpanName: "I'm a server span",
      SpanKind: 'Server',
      ServiceName: 'my.service',
      ts: '1544712660000000000',
      Duration: '1000000000',
      ScopeName: 'my.library',
      ScopeVersion: '1.0.0',
      ScopeAttributes: { 'my.scope.attribute': 'some scope attribute' },
      ResourceAttributes: { 'service.name': 'my.service' },
      SpanAttributes: { 'my.span.attr': 'some value' },
      StatusCode: 'Unset',
    });
  });

  it('stores metrics.json: sum, gauge, histogram and exponential histogram', async () => {
    expect((await post(url('/v1/metrics'), example('metrics.json'))).status).toBe(200);
    const where = `WHERE ServiceName = 'my.service'`;
    const time = `toUnixTimestamp64Nano(TimeUnix) AS time, toUnixTimestamp64Nano(StartTimeUnix) AS start`;
    const [sum] = await vigil.rows<any>(`SELECT *, ${time} FROM otel_metrics_sum ${where}`);
    expect(sum).toMatchObject({
      MetricName: 'my.counter',
      MetricDescription: 'I am a Counter',
      MetricUnit: '1',
      Value: 5,
      AggregationTemporality: 1,
      IsMonotonic: true,
      Attributes: { 'my.counter.attr': 'some value' },
      ScopeAttributes: { 'my.scope.attribute': 'some scope attribute' },
      time: '1544712660300000000',
      start: '1544712660300000000',
    });
    const [gauge] = await vigil.rows<any>(`SELECT *, ${time} FROM otel_metrics_gauge ${where}`);
    expect(gauge).toMatchObject({ MetricName: 'my.gauge', Value: 10, start: '0', time: '1544712660300000000' });
    const [histogram] = await vigil.rows<any>(`SELECT * FROM otel_metrics_histogram ${where}`);
    expect(histogram).toMatchObject({
      MetricName: 'my.histogram',
      Count: '2',
      Sum: 2,
      BucketCounts: ['1', '1'],
      ExplicitBounds: [1],
      Min: 0,
      Max: 2,
      AggregationTemporality: 1,
    });
    const [exponential] = await vigil.rows<any>(`SELECT * FROM otel_metrics_exponential_histogram ${where}`);
    expect(exponential).toMatchObject({
      MetricName: 'my.exponential.histogram',
      Count: '3',
      Sum: 10,
      Scale: 0,
      ZeroCount: '1',
      PositiveOffset: 1,
      PositiveBucketCounts: ['0', '2'],
      NegativeBucketCounts: [],
      Min: 0,
      Max: 5,
      ZeroThreshold: 0,
      Attributes: { 'my.exponential.histogram.attr': 'some value' },
    });
  });

  it('stores logs.json with every attribute value type', async () => {
    expect((await post(url('/v1/logs'), example('logs.json'))).status).toBe(200);
    const [log] = await vigil.rows<any>(
      `SELECT *, toUnixTimestamp64Nano(Timestamp) AS ts FROM otel_logs WHERE Body = 'Example log record'`,
    );
    expect(log).toMatchObject({
      ts: '1544712660300000000',
      SeverityNumber: 10,
      SeverityText: 'Information',
      TraceId: '5b8efff798038103d269b633813fc60c',
      SpanId: 'eee19b7ec3c1b174',
      ServiceName: 'my.service',
      LogAttributes: {
        'string.attribute': 'some string',
        'boolean.attribute': 'true',
        'int.attribute': '10',
        'double.attribute': '637.704',
        'array.attribute': '["many","values"]',
        'map.attribute': '{"some.map.key":"some value"}',
      },
    });
  });

  it('stores events.json with its event name and a key-value body', async () => {
    expect((await post(url('/v1/logs'), example('events.json'))).status).toBe(200);
    const [event] = await vigil.rows<any>(`SELECT * FROM otel_logs WHERE EventName = 'browser.page_view'`);
    expect(event.SeverityText).toBe('test severity text');
    expect(JSON.parse(event.Body)).toEqual({
      type: 0,
      url: 'https://www.guidgenerator.com/online-guid-generator.aspx',
      referrer: 'https://wwww.google.com',
      title: 'Free Online GUID Generator',
    });
    expect(event.LogAttributes).toEqual({ 'event.attribute': 'some event attribute' });
  });

  it('accepts gzip bodies and an empty request', async () => {
    const gz = await post(url('/v1/logs'), gzipSync(logsJson('gzip-service', ['zipped'])), { ...json, 'content-encoding': 'gzip' });
    expect(gz.status).toBe(200);
    expect(await vigil.rows(`SELECT 1 FROM otel_logs WHERE ServiceName = 'gzip-service'`)).toHaveLength(1);
    expect((await post(url('/v1/traces'), '{}')).status).toBe(200);
    const empty = await post(url('/v1/traces'), new Uint8Array(0), protobuf);
    expect(empty.status).toBe(200);
    expect(empty.contentType).toBe('application/x-protobuf');
    expect(empty.body.length).toBe(0);
  });
});

describe('partial success', () => {
  it('stores the valid spans and reports the rejected ones', async () => {
    const good = traceId();
    const body = spansJson('partial-service', [
      { traceId: good, spanId: '1111111111111111' },
      { traceId: 'not-a-trace-id', spanId: '2222222222222222' },
      { traceId: good, spanId: '3333333333333333' },
      { traceId: '00000000000000000000000000000000', spanId: '4444444444444444' },
    ]);
    const answer = await post(url('/v1/traces'), body);
    expect(answer.status).toBe(200);
    expect(answer.json.partialSuccess.rejectedSpans).toBe('2');
    expect(answer.json.partialSuccess.errorMessage).toMatch(/invalid trace id "not-a-trace-id"/);
    const stored = await vigil.rows<{ SpanId: string }>(
      `SELECT SpanId FROM otel_traces WHERE ServiceName = 'partial-service' ORDER BY SpanId`,
    );
    expect(stored.map((r) => r.SpanId)).toEqual(['1111111111111111', '3333333333333333']);
  });
});

describe('bad requests', () => {
  const gzipBomb = gzipSync(Buffer.alloc(MAX_BODY * 8));
  const cases: Array<{ name: string; path: string; body: string | Uint8Array; headers?: Record<string, string>; method?: string; status: number; message: RegExp }> = [
    { name: 'malformed protobuf', path: '/v1/traces', body: Uint8Array.of(0x0a, 0xff, 0xff), headers: protobuf, status: 400, message: /malformed protobuf/ },
    { name: 'invalid JSON', path: '/v1/logs', body: '{"resourceLogs": [', status: 400, message: /invalid JSON/ },
    { name: 'wrong JSON field type', path: '/v1/traces', body: '{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": {"a": 1}}]}]}]}', status: 400, message: /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.startTimeUnixNano/ },
    { name: 'wrong Content-Type', path: '/v1/traces', body: 'hello', headers: { 'content-type': 'text/plain' }, status: 415, message: /unsupported Content-Type "text\/plain"/ },
    { name: 'missing Content-Type', path: '/v1/metrics', body: Buffer.from('hello'), headers: {}, status: 415, message: /unsupported Content-Type \(none\)/ },
    { name: 'unsupported Content-Encoding', path: '/v1/logs', body: 'x', headers: { ...json, 'content-encoding': 'br' }, status: 415, message: /Content-Encoding "br"/ },
    { name: 'body over the limit', path: '/v1/logs', body: 'x'.repeat(MAX_BODY + 1), status: 413, message: /exceeds the limit/ },
    { name: 'gzip bomb over the limit', path: '/v1/logs', body: gzipBomb, headers: { ...json, 'content-encoding': 'gzip' }, status: 413, message: /after decompression/ },
    { name: 'truncated gzip', path: '/v1/logs', body: gzipSync(logsJson('x', ['y'])).subarray(0, 20), headers: { ...json, 'content-encoding': 'gzip' }, status: 400, message: /invalid gzip body/ },
    { name: 'unknown path', path: '/v1/profiles', body: '{}', status: 404, message: /no route for POST \/v1\/profiles/ },
    { name: 'wrong method', path: '/v1/traces', body: '', method: 'GET', status: 405, message: /GET is not allowed on \/v1\/traces; use POST/ },
  ];

  let before: number;
  beforeAll(async () => {
    expect((await post(url('/v1/logs'), logsJson('survivor', ['before errors']))).status).toBe(200);
    before = (await vigil.rows(`SELECT 1 FROM otel_logs`)).length;
  });

  it.each(cases)('$name -> $status with a google.rpc.Status that says what was wrong', async (c) => {
    const answer = await post(url(c.path), c.body, c.headers ?? json, c.method);
    expect(answer.status).toBe(c.status);
    expect(answer.json.message).toMatch(c.message);
    expect(answer.json.code).toBeGreaterThan(0);
    if (c.headers === protobuf) expect(answer.contentType).toBe('application/x-protobuf');
    if (c.status === 405) expect(answer.headers.get('allow')).toBe('POST');
  });

  it('keeps serving after all of them, with nothing stored earlier missing', async () => {
    const answer = await post(url('/v1/logs'), logsJson('survivor', ['after errors']));
    expect(answer.status).toBe(200);
    expect((await vigil.rows(`SELECT 1 FROM otel_logs`)).length).toBe(before + 1);
    const survivors = await vigil.rows<{ Body: string }>(`SELECT Body FROM otel_logs WHERE ServiceName = 'survivor' ORDER BY Body`);
    expect(survivors.map((r) => r.Body)).toEqual(['after errors', 'before errors']);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz on the ingest and the query port', async () => {
    for (const base of [vigil.otlpUrl, vigil.query!.url]) {
      for (const path of ['/healthz', '/readyz']) {
        const res = await fetch(`${base}${path}`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ status: 'ok' });
      }
    }
  });
});
