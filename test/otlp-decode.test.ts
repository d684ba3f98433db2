// The OTLP decoders: the specification's example bodies, protobuf cross-checked against
// JSON through protobufjs and the project's copy of the .proto files, hand-built wire
// edge cases, every kind of malformed input, and the response encoders.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeLogsJson, decodeMetricsJson, decodeTraceJson } from '../ingest/otlp/json.ts';
import type { HistogramDataPoint, MetricData } from '../ingest/otlp/model.ts';
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest } from '../ingest/otlp/protobuf.ts';
import { encodeExportResponse, encodeStatus } from '../ingest/otlp/response.ts';
import { type ErrorCode, VigilError } from '../schemas/errors.ts';

const examplesDir = new URL('../../shared/testdata/otlp-examples/', import.meta.url);
const example = (name: string) => readFileSync(new URL(name, examplesDir), 'utf8');

// ---- protobufjs over the project's .proto files ----------------------------------

const protoDir = fileURLToPath(new URL('../schemas/otlp/', import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(protoDir, target);
root.loadSync([
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
]);
root.resolveAll();
const collector = 'opentelemetry.proto.collector';
const requestType = {
  traces: root.lookupType(`${collector}.trace.v1.ExportTraceServiceRequest`),
  metrics: root.lookupType(`${collector}.metrics.v1.ExportMetricsServiceRequest`),
  logs: root.lookupType(`${collector}.logs.v1.ExportLogsServiceRequest`),
};
const responseType = {
  traces: root.lookupType(`${collector}.trace.v1.ExportTraceServiceResponse`),
  metrics: root.lookupType(`${collector}.metrics.v1.ExportMetricsServiceResponse`),
  logs: root.lookupType(`${collector}.logs.v1.ExportLogsServiceResponse`),
};

// OTLP/JSON ids are hex where proto3 JSON (and so protobufjs) expects base64.
const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);
function hexIdsToBytes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hexIdsToBytes);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, ID_KEYS.has(k) && typeof x === 'string' ? Buffer.from(x, 'hex') : hexIdsToBytes(x)]),
  );
}

/** Encodes an OTLP/JSON body as protobuf, with an encoder that is not ours. */
function jsonToProtobuf(signal: keyof typeof requestType, text: string): Uint8Array {
  const type = requestType[signal];
  return type.encode(type.fromObject(hexIdsToBytes(JSON.parse(text)) as Record<string, unknown>)).finish();
}

// ---- hand-built protobuf -----------------------------------------------------------

type Bytes = number[];
function varint(value: number | bigint): Bytes {
  let n = BigInt.asUintN(64, BigInt(value));
  const out: Bytes = [];
  do {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    out.push(n === 0n ? b : b | 0x80);
  } while (n !== 0n);
  return out;
}
const tag = (field: number, wireType: number) => varint((field << 3) | wireType);
const vint = (field: number, v: number | bigint): Bytes => [...tag(field, 0), ...varint(v)];
const zigzag = (field: number, v: number): Bytes => vint(field, v < 0 ? -2 * v - 1 : 2 * v);
const le64 = (v: bigint): Bytes => [...Buffer.from(new BigUint64Array([BigInt.asUintN(64, v)]).buffer)];
const f64 = (field: number, v: bigint): Bytes => [...tag(field, 1), ...le64(v)];
const dbl = (field: number, v: number): Bytes => [...tag(field, 1), ...Buffer.from(new Float64Array([v]).buffer)];
const f32 = (field: number, v: number): Bytes => [...tag(field, 5), ...Buffer.from(new Uint32Array([v]).buffer)];
const ld = (field: number, ...parts: Bytes[]): Bytes => {
  const body = parts.flat();
  return [...tag(field, 2), ...varint(body.length), ...body];
};
const str = (field: number, s: string): Bytes => ld(field, [...Buffer.from(s)]);
const bytes = (...parts: Bytes[]) => Uint8Array.from(parts.flat());

/** One ExportTraceServiceRequest holding one span made of `spanFields`. */
const traceWithSpan = (...spanFields: Bytes[]) => bytes(ld(1, ld(2, ld(2, ...spanFields))));
/** One ExportTraceServiceRequest whose resource has the attribute `key` = `anyValueFields`. */
const traceWithAttribute = (key: string, ...anyValueFields: Bytes[]) =>
  bytes(ld(1, ld(1, ld(1, str(1, key), ld(2, ...anyValueFields)))));
/** One ExportMetricsServiceRequest holding one metric made of `metricFields`. */
const metricsWith = (...metricFields: Bytes[]) => bytes(ld(1, ld(2, ld(2, ...metricFields))));

function failure(code: ErrorCode, fn: () => unknown): VigilError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe(code);
    expect((err as VigilError).status).toBe(400);
    return err as VigilError;
  }
  throw new Error(`expected ${code}, but nothing was thrown`);
}

const kv = (key: string, value: Record<string, unknown>) => ({ key, value });

// ---- the specification's examples ----------------------------------------------------

describe('the OTLP example bodies, OTLP/JSON', () => {
  const scope = {
    name: 'my.library',
    version: '1.0.0',
    attributes: [{ key: 'my.scope.attribute', value: 'some scope attribute' }],
    droppedAttributesCount: 0,
  };
  const resource = { attributes: [{ key: 'service.name', value: 'my.service' }], droppedAttributesCount: 0 };

  it('trace.json', () => {
    const request = decodeTraceJson(example('trace.json'));
    expect(request.resourceSpans).toHaveLength(1);
    const [rs] = request.resourceSpans;
    expect(rs!.resource).toEqual(resource);
    expect(rs!.schemaUrl).toBe('');
    expect(rs!.scopeSpans).toHaveLength(1);
    expect(rs!.scopeSpans[0]!.scope).toEqual(scope);
    expect(rs!.scopeSpans[0]!.spans).toEqual([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        traceState: '',
        parentSpanId: 'eee19b7ec3c1b173',
        flags: 0,
        name: "I'm a server span",
        kind: 2,
        startTimeUnixNano: 1544712660000000000n,
        endTimeUnixNano: 1544712661000000000n,
        attributes: [{ key: 'my.span.attr', value: 'some value' }],
        droppedAttributesCount: 0,
        events: [],
        droppedEventsCount: 0,
        links: [],
        droppedLinksCount: 0,
        status: { message: '', code: 0 },
      },
    ]);
  });

  it('metrics.json', () => {
    const request = decodeMetricsJson(example('metrics.json'));
    const [rm] = request.resourceMetrics;
    expect(rm!.resource).toEqual(resource);
    expect(rm!.scopeMetrics[0]!.scope).toEqual(scope);
    const metrics = rm!.scopeMetrics[0]!.metrics;
    expect(metrics.map((m) => [m.name, m.unit, m.description, m.data?.type])).toEqual([
      ['my.counter', '1', 'I am a Counter', 'sum'],
      ['my.gauge', '1', 'I am a Gauge', 'gauge'],
      ['my.histogram', '1', 'I am a Histogram', 'histogram'],
      ['my.exponential.histogram', '1', 'I am an Exponential Histogram', 'exponentialHistogram'],
    ]);
    const t = 1544712660300000000n;
    const attrs = (name: string) => [{ key: `my.${name}.attr`, value: 'some value' }];
    expect(metrics[0]!.data).toEqual({
      type: 'sum',
      aggregationTemporality: 1,
      isMonotonic: true,
      dataPoints: [{ attributes: attrs('counter'), startTimeUnixNano: t, timeUnixNano: t, value: 5, exemplars: [], flags: 0 }],
    });
    expect(metrics[1]!.data).toEqual({
      type: 'gauge',
      dataPoints: [{ attributes: attrs('gauge'), startTimeUnixNano: 0n, timeUnixNano: t, value: 10, exemplars: [], flags: 0 }],
    });
    expect(metrics[2]!.data).toEqual({
      type: 'histogram',
      aggregationTemporality: 1,
      dataPoints: [
        {
          attributes: attrs('histogram'),
          startTimeUnixNano: t,
          timeUnixNano: t,
          count: 2,
          sum: 2,
          bucketCounts: [1, 1],
          explicitBounds: [1],
          exemplars: [],
          flags: 0,
          min: 0,
          max: 2,
        },
      ],
    });
    expect(metrics[3]!.data).toEqual({
      type: 'exponentialHistogram',
      aggregationTemporality: 1,
      dataPoints: [
        {
          attributes: attrs('exponential.histogram'),
          startTimeUnixNano: t,
          timeUnixNano: t,
          count: 3,
          sum: 10,
          scale: 0,
          zeroCount: 1,
          positive: { offset: 1, bucketCounts: [0, 2] },
          negative: { offset: 0, bucketCounts: [] },
          flags: 0,
          exemplars: [],
          min: 0,
          max: 5,
          zeroThreshold: 0,
        },
      ],
    });
    expect(metrics.every((m) => m.metadata.length === 0)).toBe(true);
  });

  it('logs.json', () => {
    const request = decodeLogsJson(example('logs.json'));
    const [rl] = request.resourceLogs;
    expect(rl!.resource).toEqual(resource);
    expect(rl!.scopeLogs[0]!.scope).toEqual(scope);
    expect(rl!.scopeLogs[0]!.logRecords).toEqual([
      {
        timeUnixNano: 1544712660300000000n,
        observedTimeUnixNano: 1544712660300000000n,
        severityNumber: 10,
        severityText: 'Information',
        body: 'Example log record',
        attributes: [
          { key: 'string.attribute', value: 'some string' },
          { key: 'boolean.attribute', value: true },
          { key: 'int.attribute', value: 10n },
          { key: 'double.attribute', value: 637.704 },
          { key: 'array.attribute', value: ['many', 'values'] },
          { key: 'map.attribute', value: { kvlist: [{ key: 'some.map.key', value: 'some value' }] } },
        ],
        droppedAttributesCount: 0,
        flags: 0,
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        eventName: '',
      },
    ]);
  });

  it('events.json (a logs body)', () => {
    const request = decodeLogsJson(example('events.json'));
    const [rl] = request.resourceLogs;
    expect(rl!.resource).toEqual(resource);
    expect(rl!.scopeLogs[0]!.logRecords).toEqual([
      {
        timeUnixNano: 1544712660300000000n,
        observedTimeUnixNano: 1544712660300000000n,
        severityNumber: 9,
        severityText: 'test severity text',
        body: {
          kvlist: [
            { key: 'type', value: 0n },
            { key: 'url', value: 'https://www.guidgenerator.com/online-guid-generator.aspx' },
            { key: 'referrer', value: 'https://wwww.google.com' },
            { key: 'title', value: 'Free Online GUID Generator' },
          ],
        },
        attributes: [{ key: 'event.attribute', value: 'some event attribute' }],
        droppedAttributesCount: 0,
        flags: 0,
        traceId: '',
        spanId: '',
        eventName: 'browser.page_view',
      },
    ]);
  });
});

// ---- protobuf against JSON -------------------------------------------------------------

// Bodies using every field of the model, so the cross-check covers every field number.
const richTraces = JSON.stringify({
  resourceSpans: [
    {
      resource: {
        attributes: [
          kv('service.name', { stringValue: 'checkout' }),
          kv('min', { intValue: '-9223372036854775808' }),
          kv('max', { intValue: '9223372036854775807' }),
          kv('bin', { bytesValue: 'AAEC/w==' }),
        ],
        droppedAttributesCount: 2,
      },
      schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
      scopeSpans: [
        {
          scope: { name: 'lib', version: '2', attributes: [kv('s', { boolValue: true })], droppedAttributesCount: 1 },
          schemaUrl: 'https://example.com/scope',
          spans: [
            {
              traceId: '0102030405060708090A0B0C0D0E0F10',
              spanId: 'A1A2A3A4A5A6A7A8',
              parentSpanId: 'b1b2b3b4b5b6b7b8',
              traceState: 'k=v',
              flags: 769,
              name: 'GET /cart',
              kind: 'SPAN_KIND_CLIENT',
              startTimeUnixNano: '1700000000000000001',
              endTimeUnixNano: 1700000000500000000,
              attributes: [
                kv('s', { stringValue: 'x' }),
                kv('b', { boolValue: false }),
                kv('i', { intValue: 42 }),
                kv('nan', { doubleValue: 'NaN' }),
                kv('ninf', { doubleValue: '-Infinity' }),
                kv('arr', {
                  arrayValue: {
                    values: [{ intValue: '-1' }, { kvlistValue: { values: [kv('deep', { arrayValue: { values: [] } })] } }, {}],
                  },
                }),
                kv('empty', {}),
              ],
              droppedAttributesCount: 3,
              events: [
                { timeUnixNano: '1700000000100000000', name: 'retry', attributes: [kv('attempt', { intValue: '2' })], droppedAttributesCount: 1 },
              ],
              droppedEventsCount: 4,
              links: [
                {
                  traceId: 'ffffffffffffffffffffffffffffffff',
                  spanId: '0000000000000001',
                  traceState: 'a=b',
                  attributes: [kv('l', { doubleValue: 0.5 })],
                  droppedAttributesCount: 5,
                  flags: 256,
                },
              ],
              droppedLinksCount: 6,
              status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
            },
            { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0000000000000002', name: 'minimal', kind: 1 },
          ],
        },
      ],
    },
    { scopeSpans: [{ spans: [] }] },
  ],
});

const richMetrics = JSON.stringify({
  resourceMetrics: [
    {
      resource: { attributes: [kv('service.name', { stringValue: 'checkout' })] },
      schemaUrl: 'https://example.com/resource',
      scopeMetrics: [
        {
          scope: { name: 'meter' },
          schemaUrl: 'https://example.com/scope',
          metrics: [
            {
              name: 'requests',
              unit: '{request}',
              metadata: [kv('prometheus.type', { stringValue: 'counter' })],
              sum: {
                aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE',
                isMonotonic: true,
                dataPoints: [
                  {
                    attributes: [kv('code', { intValue: '200' })],
                    startTimeUnixNano: '1700000000000000000',
                    timeUnixNano: '1700000060000000000',
                    asInt: '-7',
                    flags: 1,
                    exemplars: [
                      {
                        filteredAttributes: [kv('user', { stringValue: 'u1' })],
                        timeUnixNano: '1700000030000000000',
                        asInt: '3',
                        traceId: '0102030405060708090a0b0c0d0e0f10',
                        spanId: 'A1A2A3A4A5A6A7A8',
                      },
                      { timeUnixNano: '1700000031000000000', asDouble: 1.5 },
                    ],
                  },
                ],
              },
            },
            {
              name: 'temperature',
              gauge: { dataPoints: [{ timeUnixNano: '1700000060000000000', asDouble: 'Infinity' }, { asDouble: -0.25 }] },
            },
            {
              name: 'latency',
              histogram: {
                aggregationTemporality: 1,
                dataPoints: [
                  {
                    timeUnixNano: '1700000060000000000',
                    count: '6',
                    bucketCounts: ['1', '2', '3'],
                    explicitBounds: [0.1, 1],
                    exemplars: [{ asDouble: 0.7, spanId: 'a1a2a3a4a5a6a7a8' }],
                  },
                  { count: 1, sum: 0, min: -1, max: 1, bucketCounts: [], explicitBounds: [] },
                ],
              },
            },
            {
              name: 'sizes',
              exponentialHistogram: {
                aggregationTemporality: 2,
                dataPoints: [
                  {
                    count: '13',
                    scale: -2,
                    zeroCount: '0',
                    zeroThreshold: 1e-9,
                    positive: { offset: -3, bucketCounts: ['5', '0', '7'] },
                    negative: { offset: 2, bucketCounts: [1] },
                    flags: 0,
                  },
                ],
              },
            },
            {
              name: 'rpc.duration',
              summary: {
                dataPoints: [
                  {
                    count: '10',
                    sum: 55.5,
                    quantileValues: [
                      { quantile: 0, value: 1 },
                      { quantile: 1, value: 10 },
                    ],
                  },
                ],
              },
            },
            { name: 'no.data', description: 'a metric whose data oneof is unset' },
          ],
        },
      ],
    },
  ],
});

const richLogs = JSON.stringify({
  resourceLogs: [
    {
      resource: { attributes: [kv('service.name', { stringValue: 'checkout' })], droppedAttributesCount: 1 },
      schemaUrl: 'https://example.com/resource',
      scopeLogs: [
        {
          scope: { name: 'logger', version: '1' },
          schemaUrl: 'https://example.com/scope',
          logRecords: [
            {
              timeUnixNano: '1700000000000000000',
              observedTimeUnixNano: '1700000000000000005',
              severityNumber: 'SEVERITY_NUMBER_WARN3',
              severityText: 'WARN',
              body: { arrayValue: { values: [{ stringValue: 'a' }, { bytesValue: '3q2+7w==' }] } },
              attributes: [kv('k', { stringValue: 'v' })],
              droppedAttributesCount: 7,
              flags: 1,
              traceId: '0102030405060708090a0b0c0d0e0f10',
              spanId: 'a1a2a3a4a5a6a7a8',
              eventName: 'cart.checkout',
            },
            { severityNumber: 24 },
          ],
        },
      ],
    },
  ],
});

describe('protobuf decoding agrees with JSON decoding', () => {
  const cases = [
    ['traces', 'trace.json', () => example('trace.json')],
    ['logs', 'logs.json', () => example('logs.json')],
    ['logs', 'events.json', () => example('events.json')],
    ['metrics', 'metrics.json', () => example('metrics.json')],
    ['traces', 'a body using every trace field', () => richTraces],
    ['metrics', 'a body using every metrics field', () => richMetrics],
    ['logs', 'a body using every logs field', () => richLogs],
  ] as const;
  const decoders = {
    traces: [decodeTraceRequest, decodeTraceJson],
    metrics: [decodeMetricsRequest, decodeMetricsJson],
    logs: [decodeLogsRequest, decodeLogsJson],
  } as const;

  for (const [signal, name, text] of cases) {
    it(`${name} (${signal})`, () => {
      const [fromProtobuf, fromJson] = decoders[signal];
      const wire = jsonToProtobuf(signal, text());
      expect(fromProtobuf(wire)).toEqual(fromJson(text()));
    });
  }

  it('the rich bodies decode to the values they spell', () => {
    const traces = decodeTraceRequest(jsonToProtobuf('traces', richTraces));
    const resource = traces.resourceSpans[0]!.resource;
    expect(resource.attributes.map((a) => a.value)).toEqual([
      'checkout',
      -9223372036854775808n,
      9223372036854775807n,
      Uint8Array.from([0, 1, 2, 255]),
    ]);
    const span = traces.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.traceId).toBe('0102030405060708090a0b0c0d0e0f10');
    expect(span.spanId).toBe('a1a2a3a4a5a6a7a8');
    expect(span.flags).toBe(769);
    expect(span.kind).toBe(3);
    expect(span.startTimeUnixNano).toBe(1700000000000000001n);
    expect(span.endTimeUnixNano).toBe(1700000000500000000n);
    expect(span.attributes.find((a) => a.key === 'arr')!.value).toEqual([-1n, { kvlist: [{ key: 'deep', value: [] }] }, null]);
    expect(span.attributes.find((a) => a.key === 'empty')!.value).toBeNull();
    expect(span.attributes.find((a) => a.key === 'nan')!.value).toBeNaN();
    expect(span.status).toEqual({ message: 'boom', code: 2 });
    expect(span.links[0]).toMatchObject({ traceId: 'ffffffffffffffffffffffffffffffff', flags: 256, droppedAttributesCount: 5 });
    expect([span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount]).toEqual([3, 4, 6]);
    expect(traces.resourceSpans[1]!.resource).toEqual({ attributes: [], droppedAttributesCount: 0 });

    const metrics = decodeMetricsRequest(jsonToProtobuf('metrics', richMetrics)).resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    const sum = metrics[0]!.data as Extract<MetricData, { type: 'sum' }>;
    expect(sum.aggregationTemporality).toBe(2);
    expect(sum.dataPoints[0]!.value).toBe(-7);
    expect(sum.dataPoints[0]!.exemplars.map((e) => e.value)).toEqual([3, 1.5]);
    expect(metrics[0]!.metadata).toEqual([{ key: 'prometheus.type', value: 'counter' }]);
    const histogram = metrics[2]!.data as Extract<MetricData, { type: 'histogram' }>;
    expect(histogram.dataPoints.map((p) => [p.sum, p.min, p.max])).toEqual([
      [undefined, undefined, undefined],
      [0, -1, 1],
    ]);
    const exponential = metrics[3]!.data as Extract<MetricData, { type: 'exponentialHistogram' }>;
    expect(exponential.dataPoints[0]).toMatchObject({
      scale: -2,
      positive: { offset: -3, bucketCounts: [5, 0, 7] },
      negative: { offset: 2, bucketCounts: [1] },
    });
    expect(metrics[4]!.data).toMatchObject({ type: 'summary', dataPoints: [{ count: 10, sum: 55.5 }] });
    expect(metrics[5]!.data).toBeNull();

    const log = decodeLogsRequest(jsonToProtobuf('logs', richLogs)).resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(log[0]).toMatchObject({ severityNumber: 15, flags: 1, droppedAttributesCount: 7, eventName: 'cart.checkout' });
    expect(log[0]!.body).toEqual(['a', Uint8Array.from([0xde, 0xad, 0xbe, 0xef])]);
    expect(log[1]!.body).toBeNull();
  });
});

// ---- hand-built protobuf ----------------------------------------------------------

describe('protobuf wire edge cases', () => {
  it('decodes negative and extreme int64 attribute values (10-byte varints)', () => {
    for (const n of [-1n, -5n, -9223372036854775808n, 9223372036854775807n, 0n, 300n, 2n ** 40n]) {
      const request = decodeTraceRequest(traceWithAttribute('n', vint(3, n)));
      expect(request.resourceSpans[0]!.resource.attributes).toEqual([{ key: 'n', value: n }]);
    }
  });

  it('accepts repeated scalars both packed and unpacked', () => {
    const histogram = (...pointFields: Bytes[]) => {
      const metric = decodeMetricsRequest(metricsWith(str(1, 'h'), ld(9, ld(1, ...pointFields), vint(2, 2))))
        .resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
      return (metric.data as Extract<MetricData, { type: 'histogram' }>).dataPoints[0]!;
    };
    const packed = histogram(ld(6, le64(1n), le64(2n), le64(3n)), ld(7, ...[0.5, 1].map((b) => [...Buffer.from(new Float64Array([b]).buffer)])));
    const unpacked = histogram(f64(6, 1n), f64(6, 2n), f64(6, 3n), dbl(7, 0.5), dbl(7, 1));
    expect(packed.bucketCounts).toEqual([1, 2, 3]);
    expect(packed.explicitBounds).toEqual([0.5, 1]);
    expect(unpacked).toEqual(packed);
    // Both forms in one point append, as the protobuf spec requires.
    expect(histogram(f64(6, 1n), ld(6, le64(2n), le64(3n)), f64(6, 4n)).bucketCounts).toEqual([1, 2, 3, 4]);

    const exponential = (...bucketFields: Bytes[]) => {
      const metric = decodeMetricsRequest(metricsWith(ld(10, ld(1, zigzag(6, -3), ld(8, ...bucketFields)))))
        .resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
      return (metric.data as Extract<MetricData, { type: 'exponentialHistogram' }>).dataPoints[0]!;
    };
    const varints = [5, 0, 300, 2 ** 40];
    const packedExp = exponential(zigzag(1, -7), ld(2, ...varints.map((n) => varint(n))));
    const unpackedExp = exponential(zigzag(1, -7), ...varints.map((n) => vint(2, n)));
    expect(packedExp.scale).toBe(-3);
    expect(packedExp.positive).toEqual({ offset: -7, bucketCounts: varints });
    expect(unpackedExp).toEqual(packedExp);
  });

  it('skips unknown fields of every wire type, and known fields sent with the wrong wire type', () => {
    const plain = decodeTraceRequest(traceWithSpan(str(5, 'op'), f64(7, 5n), f32(16, 1)));
    const noisy = decodeTraceRequest(
      traceWithSpan(
        vint(100, -1n),
        str(5, 'op'),
        f64(101, 7n),
        ld(102, str(1, 'nested unknown message')),
        f32(103, 9),
        [...tag(104, 3), ...vint(1, 1), ...tag(105, 3), ...f32(2, 0), ...tag(105, 4), ...str(3, 'x'), ...tag(104, 4)],
        f64(7, 5n),
        vint(5, 99), // name is a string: a varint there is not it
        ld(7, [1, 2, 3]), // start_time_unix_nano is fixed64
        f32(16, 1),
        vint(536870911, 1), // the largest field number
      ),
    );
    expect(noisy).toEqual(plain);
    expect(plain.resourceSpans[0]!.scopeSpans[0]!.spans[0]).toMatchObject({ name: 'op', startTimeUnixNano: 5n, flags: 1 });
    // Unknown fields at the top level and in every enclosing message too.
    const wrapped = bytes(
      str(99, 'x'),
      ld(1, f32(98, 0), ld(2, vint(97, 1), ld(2, str(5, 'op'), f64(7, 5n), f32(16, 1)))),
    );
    expect(decodeTraceRequest(wrapped)).toEqual(plain);
  });

  it('tells absent optional sum/min/max from present zeros', () => {
    const point = (...fields: Bytes[]): HistogramDataPoint => {
      const metric = decodeMetricsRequest(metricsWith(ld(9, ld(1, ...fields)))).resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
      return (metric.data as Extract<MetricData, { type: 'histogram' }>).dataPoints[0]!;
    };
    expect(point(f64(4, 3n))).toMatchObject({ count: 3, sum: undefined, min: undefined, max: undefined });
    expect(point(f64(4, 3n), dbl(5, 0), dbl(11, 0), dbl(12, 0))).toMatchObject({ count: 3, sum: 0, min: 0, max: 0 });
    expect(point(dbl(5, 4.5), dbl(11, -2), dbl(12, 7))).toMatchObject({ sum: 4.5, min: -2, max: 7 });
  });

  it('decodes nested kvlist and array values, and copies bytes values', () => {
    // [{a: [1, 'x']}, true, 1.5, bytes 09 08, <empty AnyValue>]
    const kvlist = ld(6, ld(1, str(1, 'a'), ld(2, ld(5, ld(1, vint(3, 1)), ld(1, str(1, 'x'))))));
    const input = traceWithAttribute(
      'nested',
      ld(5, ld(1, kvlist), ld(1, vint(2, 1)), ld(1, dbl(4, 1.5)), ld(1, ld(7, [9, 8])), ld(1)),
    );
    const value = decodeTraceRequest(input).resourceSpans[0]!.resource.attributes[0]!.value;
    expect(value).toEqual([{ kvlist: [{ key: 'a', value: [1n, 'x'] }] }, true, 1.5, Uint8Array.from([9, 8]), null]);
    const blob = (value as unknown[])[3] as Uint8Array;
    input.fill(0);
    expect([...blob]).toEqual([9, 8]);
    expect(blob.buffer).not.toBe(input.buffer);
  });

  it('decodes every id, time and enum field of spans and logs', () => {
    const span = decodeTraceRequest(
      traceWithSpan(
        ld(1, [0xab, 0xcd]),
        ld(2, [0x01]),
        str(3, 'ts'),
        ld(4, [0xff]),
        vint(6, 5),
        f64(8, 2n ** 64n - 1n),
        vint(12, 2),
        ld(15, str(2, 'msg'), vint(3, 2)),
        ld(15, str(2, 'merged')), // a second Status merges into the first
      ),
    ).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span).toMatchObject({ traceId: 'abcd', spanId: '01', traceState: 'ts', parentSpanId: 'ff', kind: 5, droppedEventsCount: 2 });
    expect(span.endTimeUnixNano).toBe(2n ** 64n - 1n);
    expect(span.status).toEqual({ message: 'merged', code: 2 });

    const log = decodeLogsRequest(bytes(ld(1, ld(2, ld(2, vint(2, -1), str(12, 'ev'), f32(8, 0xffffffff)))))).resourceLogs[0]!
      .scopeLogs[0]!.logRecords[0]!;
    expect(log).toMatchObject({ severityNumber: -1, eventName: 'ev', flags: 0xffffffff, body: null });
  });

  it('decodes an empty body to an empty request', () => {
    expect(decodeTraceRequest(new Uint8Array(0))).toEqual({ resourceSpans: [] });
    expect(decodeMetricsRequest(new Uint8Array(0))).toEqual({ resourceMetrics: [] });
    expect(decodeLogsRequest(new Uint8Array(0))).toEqual({ resourceLogs: [] });
    expect(decodeTraceRequest(bytes(ld(1)))).toEqual({
      resourceSpans: [{ resource: { attributes: [], droppedAttributesCount: 0 }, scopeSpans: [], schemaUrl: '' }],
    });
  });

  it('reads from a view into a larger buffer', () => {
    const wire = jsonToProtobuf('traces', example('trace.json'));
    const padded = new Uint8Array(wire.length + 20).fill(0xff);
    padded.set(wire, 7);
    expect(decodeTraceRequest(padded.subarray(7, 7 + wire.length))).toEqual(decodeTraceRequest(wire));
  });
});

describe('malformed protobuf', () => {
  const bad = (input: Uint8Array) => failure('VIGIL_ERR_BAD_PROTOBUF', () => decodeTraceRequest(input)).message;

  it('rejects a truncated buffer, naming the byte offset', () => {
    const wire = jsonToProtobuf('traces', richTraces);
    expect(bad(wire.subarray(0, wire.length - 1))).toMatch(
      new RegExp(`^malformed protobuf ExportTraceServiceRequest: length \\d+ at byte \\d+ runs past the end of the ${wire.length - 1}-byte body$`),
    );
    expect(bad(bytes([0x0a]))).toBe('malformed protobuf ExportTraceServiceRequest: truncated varint at byte 1: the body ends at byte 1');
    expect(bad(bytes(tag(2, 1), [1, 2, 3]))).toBe(
      'malformed protobuf ExportTraceServiceRequest: truncated fixed64 at byte 1: needs 8 bytes, the body ends at byte 4',
    );
    expect(bad(bytes(tag(2, 5), [1]))).toContain('truncated fixed32 at byte 1');
  });

  it('rejects a varint longer than 10 bytes', () => {
    expect(bad(bytes(tag(2, 0), new Array(10).fill(0xff), [0x01]))).toBe(
      'malformed protobuf ExportTraceServiceRequest: varint at byte 1 is longer than 10 bytes',
    );
  });

  it('rejects a length past the end', () => {
    expect(bad(bytes([0x0a, 0x05, 0x00]))).toBe(
      'malformed protobuf ExportTraceServiceRequest: length 5 at byte 1 runs past the end of the 3-byte body',
    );
    // A huge length (beyond 32 bits) must not wrap around.
    expect(bad(bytes(tag(1, 2), varint(2n ** 40n + 1n), [0]))).toContain('runs past the end');
  });

  it('rejects a field running past the end of its enclosing message', () => {
    // ResourceSpans declares 2 bytes but its schema_url says 3 more follow.
    expect(bad(bytes(tag(1, 2), [2], tag(3, 2), [3], [0x61, 0x62, 0x63]))).toBe(
      'malformed protobuf ExportTraceServiceRequest: ResourceSpans ending at byte 4 has a field running on to byte 7',
    );
  });

  it('rejects invalid wire types and field number 0', () => {
    expect(bad(bytes([0x0e]))).toBe('malformed protobuf ExportTraceServiceRequest: invalid wire type 6 for field 1 in the tag at byte 0');
    // Deep inside a span: outer tag 0, length 1, scope_spans tag 2, length 3, span tag 4, length 5, bad tag 6.
    expect(bad(traceWithSpan([0x0f]))).toBe('malformed protobuf ExportTraceServiceRequest: invalid wire type 7 for field 1 in the tag at byte 6');
    expect(bad(bytes([0x00]))).toContain('invalid field number 0 in the tag at byte 0');
    expect(bad(bytes(tag(3, 4)))).toContain('end-group tag for field 3 at byte 0 has no matching start-group');
    expect(bad(bytes(tag(3, 3), vint(1, 1)))).toContain('group for field 3 opened at byte 0 is never closed');
    expect(bad(bytes(tag(3, 3), tag(4, 4)))).toContain('group for field 3 opened at byte 0 is closed as field 4 at byte 1');
    expect(bad(bytes(...new Array(150).fill(tag(3, 3))))).toContain('groups nested deeper than 100 levels');
  });

  it('rejects packed fixed64 runs of the wrong length', () => {
    const input = metricsWith(ld(9, ld(1, ld(6, [1, 2, 3]))));
    expect(failure('VIGIL_ERR_BAD_PROTOBUF', () => decodeMetricsRequest(input)).message).toContain(
      'packed fixed64 field at byte 10 is 3 bytes long, not a multiple of 8',
    );
  });

  it('rejects nesting deeper than 100 levels instead of overflowing the stack', () => {
    let value: Bytes = vint(3, 1);
    for (let i = 0; i < 150; i++) value = ld(5, ld(1, value));
    expect(bad(traceWithAttribute('deep', value))).toContain('nested deeper than 100 levels');
  });

  it('answers every prefix and every corruption of a valid body with a decode or a BAD_PROTOBUF', () => {
    const wire = jsonToProtobuf('traces', richTraces);
    const attempt = (input: Uint8Array) => {
      try {
        decodeTraceRequest(input);
      } catch (err) {
        if (!(err instanceof VigilError) || err.code !== 'VIGIL_ERR_BAD_PROTOBUF') throw err;
      }
    };
    for (let n = 0; n < wire.length; n++) attempt(wire.subarray(0, n));
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 3000; i++) {
      const copy = wire.slice();
      for (let j = 0; j < 3; j++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      attempt(copy);
    }
  });
});

// ---- OTLP/JSON rules -----------------------------------------------------------------

describe('OTLP/JSON decoding rules', () => {
  const spanJson = (span: Record<string, unknown>) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
  const oneSpan = (span: Record<string, unknown>) => decodeTraceJson(spanJson(span)).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;

  it('lowercases ids, passes malformed id strings through, ignores snake_case and unknown keys', () => {
    const span = oneSpan({
      traceId: '5B8EFFF798038103D269B633813FC60C',
      span_id: 'eee19b7ec3c1b174',
      spanId: 'Not-Hex',
      parent_span_id: 'eee19b7ec3c1b173',
      start_time_unix_nano: '1',
      somethingNew: { nested: [1, 2] },
    });
    expect(span).toMatchObject({ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'not-hex', parentSpanId: '', startTimeUnixNano: 0n });
  });

  it('accepts enum names, numbers and numeric strings for integers, and the special doubles', () => {
    const span = oneSpan({
      kind: 'SPAN_KIND_SERVER',
      status: { code: '2' },
      startTimeUnixNano: 1544712660000000000,
      endTimeUnixNano: '1544712661000000000',
      droppedAttributesCount: '3',
      flags: 1,
      attributes: [
        kv('inf', { doubleValue: 'Infinity' }),
        kv('num', { doubleValue: '2.5e3' }),
        kv('int', { intValue: 7 }),
        kv('b64', { bytesValue: 'AQID' }),
        kv('url-safe', { bytesValue: '-_8' }),
      ],
    });
    expect(span).toMatchObject({ kind: 2, status: { code: 2, message: '' }, droppedAttributesCount: 3, flags: 1 });
    expect(span.startTimeUnixNano).toBe(1544712660000000000n);
    expect(span.endTimeUnixNano).toBe(1544712661000000000n);
    expect(span.attributes.map((a) => a.value)).toEqual([Infinity, 2500, 7n, Uint8Array.from([1, 2, 3]), Uint8Array.from([0xfb, 0xff])]);
  });

  it('treats null as absent everywhere', () => {
    const span = oneSpan({
      traceId: null,
      name: null,
      kind: null,
      startTimeUnixNano: null,
      attributes: [kv('a', { stringValue: null, intValue: '5' }), { key: 'b', value: null }],
      events: null,
      status: null,
    });
    expect(span).toMatchObject({ traceId: '', name: '', kind: 0, startTimeUnixNano: 0n, events: [], status: { code: 0, message: '' } });
    expect(span.attributes).toEqual([
      { key: 'a', value: 5n },
      { key: 'b', value: null },
    ]);
    expect(decodeTraceJson('{"resourceSpans":null}')).toEqual({ resourceSpans: [] });
    expect(decodeMetricsJson('{}')).toEqual({ resourceMetrics: [] });
    expect(decodeLogsJson('{"resource_logs":[{}]}')).toEqual({ resourceLogs: [] });
  });
});

describe('malformed OTLP/JSON', () => {
  const badJson = (fn: () => unknown) => failure('VIGIL_ERR_BAD_OTLP_JSON', fn).message;

  it('rejects text that is not JSON', () => {
    const err = failure('VIGIL_ERR_BAD_JSON', () => decodeTraceJson('{"resourceSpans": ['));
    expect(err.message).toMatch(/^invalid JSON body: /);
    expect(failure('VIGIL_ERR_BAD_JSON', () => decodeLogsJson('')).message).toMatch(/^invalid JSON body: /);
  });

  it('rejects a top level that is not an object', () => {
    expect(badJson(() => decodeTraceJson('[]'))).toBe('invalid OTLP/JSON at (top level): expected an object, got an array');
    expect(badJson(() => decodeMetricsJson('null'))).toBe('invalid OTLP/JSON at (top level): expected an object, got null');
  });

  it('names the path of a value of the wrong type', () => {
    const spans = (second: Record<string, unknown>[]) =>
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [] }, { spans: second }] }] });
    expect(badJson(() => decodeTraceJson(spans([{}, {}, {}, { startTimeUnixNano: 'soon' }])))).toBe(
      'invalid OTLP/JSON at resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano: expected an integer (a decimal string or a number), got the string "soon"',
    );
    expect(badJson(() => decodeTraceJson('{"resourceSpans":[{"scopeSpans":[{"spans":"nope"}]}]}'))).toBe(
      'invalid OTLP/JSON at resourceSpans[0].scopeSpans[0].spans: expected an array, got the string "nope"',
    );
    expect(badJson(() => decodeTraceJson(spans([{ traceId: 123 }])))).toBe(
      'invalid OTLP/JSON at resourceSpans[0].scopeSpans[1].spans[0].traceId: expected a hex string, got the number 123',
    );
    expect(badJson(() => decodeTraceJson(spans([{ attributes: [kv('a', {}), kv('b', { intValue: '12x' })] }])))).toBe(
      'invalid OTLP/JSON at resourceSpans[0].scopeSpans[1].spans[0].attributes[1].value.intValue: expected an integer (a decimal string or a number), got the string "12x"',
    );
    expect(badJson(() => decodeTraceJson(spans([{ events: [{ name: { text: 'x' } }] }])))).toBe(
      'invalid OTLP/JSON at resourceSpans[0].scopeSpans[1].spans[0].events[0].name: expected a string, got an object',
    );
    expect(badJson(() => decodeTraceJson(spans(['span' as never])))).toBe(
      'invalid OTLP/JSON at resourceSpans[0].scopeSpans[1].spans[0]: expected an object, got the string "span"',
    );
    expect(badJson(() => decodeLogsJson('{"resourceLogs":[{"resource":"r"}]}'))).toBe(
      'invalid OTLP/JSON at resourceLogs[0].resource: expected an object, got the string "r"',
    );
    const histogram = JSON.stringify({
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ histogram: { dataPoints: [{ bucketCounts: ['1', 'x'] }] } }] }] }],
    });
    expect(badJson(() => decodeMetricsJson(histogram))).toBe(
      'invalid OTLP/JSON at resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts[1]: expected an integer (a decimal string or a number), got the string "x"',
    );
    const nested = spans([{ attributes: [kv('a', { arrayValue: { values: [{ kvlistValue: { values: [kv('k', { boolValue: 'yes' })] } }] } })] }]);
    expect(badJson(() => decodeTraceJson(nested))).toBe(
      'invalid OTLP/JSON at resourceSpans[0].scopeSpans[1].spans[0].attributes[0].value.arrayValue.values[0].kvlistValue.values[0].value.boolValue: expected true or false, got the string "yes"',
    );
  });

  it('rejects values out of range, unknown enum names and invalid base64', () => {
    const span = (s: Record<string, unknown>) => () => decodeTraceJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [s] }] }] }));
    const at = 'invalid OTLP/JSON at resourceSpans[0].scopeSpans[0].spans[0]';
    expect(badJson(span({ startTimeUnixNano: '-1' }))).toBe(`${at}.startTimeUnixNano: -1 is out of range [0, 18446744073709551615]`);
    expect(badJson(span({ endTimeUnixNano: '18446744073709551616' }))).toContain('out of range');
    expect(badJson(span({ flags: 1.5 }))).toBe(`${at}.flags: 1.5 is not an integer in [0, 4294967295]`);
    expect(badJson(span({ droppedAttributesCount: -1 }))).toBe(`${at}.droppedAttributesCount: -1 is not an integer in [0, 4294967295]`);
    expect(badJson(span({ kind: 'SPAN_KIND_BOGUS' }))).toBe(
      `${at}.kind: unknown enum value "SPAN_KIND_BOGUS"; expected an integer or one of SPAN_KIND_UNSPECIFIED, SPAN_KIND_INTERNAL, SPAN_KIND_SERVER, SPAN_KIND_CLIENT, SPAN_KIND_PRODUCER, SPAN_KIND_CONSUMER`,
    );
    expect(badJson(span({ attributes: [kv('b', { bytesValue: '@@' })] }))).toBe(`${at}.attributes[0].value.bytesValue: the string "@@" is not valid base64`);
    expect(badJson(span({ attributes: [kv('d', { doubleValue: 'lots' })] }))).toContain('expected a number (or "NaN", "Infinity", "-Infinity")');
    expect(badJson(span({ attributes: [kv('i', { intValue: '9223372036854775808' })] }))).toContain('out of range');
  });

  it('rejects more than one member of a oneof', () => {
    const span = (attr: Record<string, unknown>) => () =>
      decodeTraceJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ attributes: [kv('a', attr)] }] }] }] }));
    expect(badJson(span({ stringValue: 'x', intValue: '1' }))).toBe(
      'invalid OTLP/JSON at resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value: more than one value is set (stringValue and intValue)',
    );
    const metric = JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: {}, sum: {} }] }] }] });
    expect(badJson(() => decodeMetricsJson(metric))).toBe(
      'invalid OTLP/JSON at resourceMetrics[0].scopeMetrics[0].metrics[0]: more than one of the data oneof is set (gauge and sum)',
    );
    const point = JSON.stringify({
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: { dataPoints: [{ asDouble: 1, asInt: '1' }] } }] }] }],
    });
    expect(badJson(() => decodeMetricsJson(point))).toContain('gauge.dataPoints[0]: more than one of the value oneof is set');
  });

  it('rejects nesting deeper than 100 levels', () => {
    let value: Record<string, unknown> = { intValue: '1' };
    for (let i = 0; i < 150; i++) value = { arrayValue: { values: [value] } };
    const body = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: value }] }] }] });
    expect(badJson(() => decodeLogsJson(body))).toContain('nested deeper than 100 levels');
  });
});

// ---- responses -------------------------------------------------------------------------

describe('export responses and status bodies', () => {
  const signals = [
    ['traces', 'ExportTraceServiceResponse', 'rejectedSpans'],
    ['metrics', 'ExportMetricsServiceResponse', 'rejectedDataPoints'],
    ['logs', 'ExportLogsServiceResponse', 'rejectedLogRecords'],
  ] as const;

  for (const [signal, name, rejectedKey] of signals) {
    it(`encodes ${name} in both encodings`, () => {
      const type = responseType[signal];
      const empty = encodeExportResponse(signal, 'protobuf');
      expect(empty).toHaveLength(0);
      expect(type.toObject(type.decode(empty))).toEqual({});
      expect(encodeExportResponse(signal, 'json')).toBe('{}');

      const partial = { rejected: 300, message: 'span 3: trace_id must be 16 bytes — ünïcode' };
      const wire = encodeExportResponse(signal, 'protobuf', partial);
      expect(type.toObject(type.decode(wire), { longs: String })).toEqual({
        partialSuccess: { [rejectedKey]: '300', errorMessage: partial.message },
      });
      const json = encodeExportResponse(signal, 'json', partial);
      expect(JSON.parse(json)).toEqual({ partialSuccess: { [rejectedKey]: '300', errorMessage: partial.message } });
      // The JSON is valid proto3 JSON for the same message.
      expect(type.toObject(type.fromObject(JSON.parse(json)), { longs: String })).toEqual(type.toObject(type.decode(wire), { longs: String }));

      // A warning without rejections: partial_success is present, rejected is the default 0.
      const warning = encodeExportResponse(signal, 'protobuf', { rejected: 0, message: 'heads up' });
      expect(type.toObject(type.decode(warning), { longs: String, defaults: true })).toEqual({
        partialSuccess: { [rejectedKey]: '0', errorMessage: 'heads up' },
      });
      expect(JSON.parse(encodeExportResponse(signal, 'json', { rejected: 0, message: 'heads up' }))).toEqual({
        partialSuccess: { errorMessage: 'heads up' },
      });
    });
  }

  it('encodes google.rpc.Status in both encodings', () => {
    const Status = new protobuf.Type('Status')
      .add(new protobuf.Field('code', 1, 'int32'))
      .add(new protobuf.Field('message', 2, 'string'))
      .add(new protobuf.Field('details', 3, 'bytes', 'repeated'));
    new protobuf.Root().add(Status);
    const message = 'malformed protobuf ExportTraceServiceRequest: truncated varint at byte 1 — ✗';
    expect(Status.toObject(Status.decode(encodeStatus('protobuf', 3, message)))).toEqual({ code: 3, message });
    expect(Status.toObject(Status.decode(encodeStatus('protobuf', 0, '')))).toEqual({});
    expect(encodeStatus('protobuf', 0, '')).toHaveLength(0);
    expect(JSON.parse(encodeStatus('json', 14, 'storage is unavailable'))).toEqual({ code: 14, message: 'storage is unavailable' });
  });
});
