// Realistic OTLP protobuf export requests for the ingest benchmark, encoded with
// protobufjs from the project's .proto files (so the benchmark does not trust Vigil's own code).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const protoDir = fileURLToPath(new URL('../schemas/otlp/', import.meta.url));

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => protoDir + target;
  return root.loadSync(
    [
      'opentelemetry/proto/collector/trace/v1/trace_service.proto',
      'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
      'opentelemetry/proto/collector/logs/v1/logs_service.proto',
    ],
    { keepCase: false },
  );
}

const root = loadRoot();
const TraceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const MetricsRequest = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
const LogsRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');

export type BenchSignal = 'traces' | 'logs' | 'metrics';

const services = Array.from({ length: 20 }, (_, i) => `service-${i}`);
const operations = Array.from({ length: 200 }, (_, i) => `GET /api/v1/resource-${i}`);

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: value } });

function resource(service: string) {
  return {
    attributes: [
      str('service.name', service),
      str('service.version', '1.4.2'),
      str('host.name', `host-${service}`),
      str('deployment.environment', 'production'),
      str('telemetry.sdk.language', 'nodejs'),
    ],
  };
}

const nowNanos = () => BigInt(Date.now()) * 1_000_000n;

/** ~10 attributes, like an instrumented HTTP server span. */
function spanAttributes(i: number) {
  return [
    str('http.request.method', 'GET'),
    str('url.path', `/api/v1/resource-${i % 200}`),
    int('http.response.status_code', i % 17 === 0 ? 500 : 200),
    str('server.address', 'api.internal'),
    int('server.port', 8080),
    str('network.protocol.version', '1.1'),
    str('user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64) bench'),
    str('client.address', `10.0.${i % 256}.${(i * 7) % 256}`),
    int('http.response.body.size', 1000 + (i % 5000)),
    str('customer.tier', i % 3 === 0 ? 'gold' : 'free'),
  ];
}

function traceRequest(spans: number) {
  const service = services[Math.floor(Math.random() * services.length)]!;
  const start = nowNanos();
  const traceId = randomBytes(16);
  return TraceRequest.encode(
    TraceRequest.fromObject({
      resourceSpans: [
        {
          resource: resource(service),
          scopeSpans: [
            {
              scope: { name: '@opentelemetry/instrumentation-http', version: '0.200.0' },
              spans: Array.from({ length: spans }, (_, i) => ({
                traceId: i % 8 === 0 ? randomBytes(16) : traceId,
                spanId: randomBytes(8),
                parentSpanId: i % 8 === 0 ? undefined : randomBytes(8),
                name: operations[i % operations.length],
                kind: i % 2 === 0 ? 2 : 3,
                startTimeUnixNano: (start + BigInt(i * 1000)).toString(),
                endTimeUnixNano: (start + BigInt(i * 1000 + 1_000_000 + (i % 100) * 10_000)).toString(),
                attributes: spanAttributes(i),
                events: [
                  {
                    timeUnixNano: (start + BigInt(i * 1000 + 500)).toString(),
                    name: 'message',
                    attributes: [str('message.type', 'RECEIVED'), int('message.id', i)],
                  },
                ],
                status: { code: i % 17 === 0 ? 2 : 0, message: i % 17 === 0 ? 'upstream failed' : '' },
              })),
            },
          ],
        },
      ],
    }),
  ).finish();
}

function logsRequest(records: number) {
  const service = services[Math.floor(Math.random() * services.length)]!;
  const start = nowNanos();
  return LogsRequest.encode(
    LogsRequest.fromObject({
      resourceLogs: [
        {
          resource: resource(service),
          scopeLogs: [
            {
              scope: { name: 'pino', version: '10.0.0' },
              logRecords: Array.from({ length: records }, (_, i) => ({
                timeUnixNano: (start + BigInt(i * 1000)).toString(),
                observedTimeUnixNano: (start + BigInt(i * 1000 + 10)).toString(),
                severityNumber: i % 10 === 0 ? 17 : 9,
                severityText: i % 10 === 0 ? 'ERROR' : 'INFO',
                body: { stringValue: `request ${i} handled in ${i % 300} ms for customer ${i % 977} on /api/v1/resource-${i % 200}` },
                attributes: spanAttributes(i),
                traceId: randomBytes(16),
                spanId: randomBytes(8),
                flags: 1,
              })),
            },
          ],
        },
      ],
    }),
  ).finish();
}

/** Points spread over sums, gauges and histograms, each with a handful of attributes. */
function metricsRequest(points: number) {
  const service = services[Math.floor(Math.random() * services.length)]!;
  const time = nowNanos().toString();
  const start = (nowNanos() - 60_000_000_000n).toString();
  const attrs = (i: number) => [
    str('http.route', `/api/v1/resource-${i % 200}`),
    int('http.response.status_code', i % 17 === 0 ? 500 : 200),
    str('http.request.method', 'GET'),
    str('customer.tier', i % 3 === 0 ? 'gold' : 'free'),
  ];
  const perMetric = 64;
  const metrics = [];
  for (let m = 0; m * perMetric < points; m++) {
    const n = Math.min(perMetric, points - m * perMetric);
    const kind = m % 8;
    const base = { name: `bench.metric.${m}`, unit: 'ms', description: 'benchmark metric' };
    if (kind < 4) {
      metrics.push({
        ...base,
        sum: {
          aggregationTemporality: 2,
          isMonotonic: true,
          dataPoints: Array.from({ length: n }, (_, i) => ({ attributes: attrs(i), startTimeUnixNano: start, timeUnixNano: time, asDouble: i * 3.5 })),
        },
      });
    } else if (kind < 7) {
      metrics.push({
        ...base,
        gauge: { dataPoints: Array.from({ length: n }, (_, i) => ({ attributes: attrs(i), timeUnixNano: time, asDouble: i / 7 })) },
      });
    } else {
      metrics.push({
        ...base,
        histogram: {
          aggregationTemporality: 2,
          dataPoints: Array.from({ length: n }, (_, i) => ({
            attributes: attrs(i),
            startTimeUnixNano: start,
            timeUnixNano: time,
            count: 100,
            sum: 4321.5,
            min: 1,
            max: 900,
            explicitBounds: [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000],
            bucketCounts: [0, 10, 10, 20, 20, 10, 10, 10, 5, 3, 2, 0],
          })),
        },
      });
    }
  }
  return MetricsRequest.encode(MetricsRequest.fromObject({ resourceMetrics: [{ resource: resource(service), scopeMetrics: [{ scope: { name: 'bench' }, metrics }] }] })).finish();
}

export const makeRequest: Record<BenchSignal, (items: number) => Uint8Array> = {
  traces: traceRequest,
  logs: logsRequest,
  metrics: metricsRequest,
};
