// Loader process of `npm run bench:query`: opens the embedded engine on a fresh data directory,
// generates spans and log records INSIDE the engine (INSERT ... SELECT FROM numbers(), about
// 1M rows per INSERT so the materialized views see normal blocks), picks sample parameters for
// the queries from the data, closes the store and prints one JSON line. A separate process
// because chDB binds one data directory per process.
//   node --import tsx bench/query-load.ts <dataDir> <spans> <logs>
//
// Data: 20 services x 10 operations; traces of 2-200 spans (skewed towards small, mean ~51),
// a trace = consecutive span numbers, span i's parent is span (i-1)/3, services change along
// the tree (so there are dependencies); 10 span attributes (user.id: 100k values, tenant.id:
// 1k values), 5 resource attributes; log-normal durations per operation; ~2% errors; events on
// ~10% of spans; timestamps over the last 2 hours ending at load start. Logs: 4 severities,
// bodies from a vocabulary, the rare token `zebracorn` in ~0.1% of records, ~30% carry the
// trace id (and root span id) of a trace of the same time.
import pino from 'pino';
import { openStore, storeConfigFromEnv } from '../schemas/store.ts';
import { settleMerges } from './settle.ts';

const [dataDir, spansArg, logsArg] = process.argv.slice(2) as [string, string, string];
const SPANS = Number(spansArg);
const LOGS = Number(logsArg);
const CHUNK = 1_000_000;
export const RARE_TOKEN = 'zebracorn';
const WINDOW_NS = 2n * 3600n * 1_000_000_000n;

const SERVICES = [
  'frontend', 'api-gateway', 'auth', 'users', 'cart', 'checkout', 'payments', 'orders', 'inventory', 'catalog',
  'search', 'recommendations', 'shipping', 'notifications', 'email', 'pricing', 'reviews', 'ads', 'fraud', 'ledger',
];
const RESOURCES = ['items', 'list', 'detail', 'create', 'update', 'delete', 'status', 'batch', 'lookup', 'health'];
const METHODS = ['GET', 'GET', 'POST', 'GET', 'PUT', 'DELETE', 'GET', 'POST', 'GET', 'GET'];
const VOCAB = (
  'request handled user session cache miss hit database query slow retry timeout connection pool opened closed ' +
  'payment authorized declined order created shipped inventory reserved released token refreshed expired login ' +
  'logout checkout started completed failed item added removed price updated discount applied queue message ' +
  'published consumed batch processed worker heartbeat upstream downstream latency exceeded threshold circuit ' +
  'breaker open half config reloaded feature flag evaluated'
).split(' ');

const lit = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
const OPS = SERVICES.flatMap((s) => RESOURCES.map((r, k) => `${METHODS[k]} /${s}/${r}`));
const ROUTES = SERVICES.flatMap((s) => RESOURCES.map((r) => `/api/${s}/${r}/{id}`));
const OP_METHODS = SERVICES.flatMap(() => METHODS);

const hexId = (args: string) => `lower(hex(reinterpretAsFixedString(cityHash64(${args}))))`;
const traceId = (t: string) => `concat(${hexId(`${t}, 1`)}, ${hexId(`${t}, 2`)})`;
const spanId = (t: string, i: string) => `${hexId(`${t}, ${i}, 3`)}`;
// Service of span x of trace t (root service r): the root's, then groups of 4 spans in one of
// the 5 services that root service calls.
const service = (x: string) => `if(${x} = 0, r, (r + 1 + cityHash64(r, intDiv(${x} + 3, 4)) % 5) % 20)`;
const SIZE = '2 + toUInt32(198 * pow((cityHash64(number, 7) % 1000000) / 1e6, 3))';

function spanInsert(t0: number, count: number, limit: number, endNs: bigint, traces: number): string {
  const perTraceNs = WINDOW_NS / BigInt(traces);
  return `
INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, ResourceAttributes,
  ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage, \`Events.Timestamp\`, \`Events.Name\`, \`Events.Attributes\`)
SELECT
  fromUnixTimestamp64Nano(least(toInt64(${endNs - WINDOW_NS}) + toInt64(t) * ${perTraceNs} + toInt64(i) * 1000000 + toInt64(cityHash64(t, i, 9) % 1000000), toInt64(${endNs}))) AS ts,
  ${traceId('t')}, ${spanId('t', 'i')}, if(i = 0, '', ${spanId('t', 'p')}),
  ${lit(OPS)}[svc * 10 + op + 1],
  if(i = 0 OR svc != psvc, 'Server', if(cityHash64(t, i, 5) % 3 = 0, 'Client', 'Internal')) AS kind,
  ${lit(SERVICES)}[svc + 1] AS svcName,
  map('service.name', svcName, 'service.version', concat('1.', toString(svc % 4), '.', toString(cityHash64(svc) % 10)),
      'host.name', concat(svcName, '-', toString(cityHash64(t, i, 17) % 8)), 'deployment.environment', 'production',
      'telemetry.sdk.language', ${lit(['go', 'java', 'nodejs', 'python'])}[svc % 4 + 1]),
  'io.opentelemetry.http', '1.30.0',
  map('http.method', ${lit(OP_METHODS)}[svc * 10 + op + 1], 'http.route', ${lit(ROUTES)}[svc * 10 + op + 1],
      'http.status_code', if(err, '500', ${lit(['200', '200', '200', '200', '201', '200', '204', '200', '404', '200'])}[cityHash64(t, i, 19) % 10 + 1]),
      'user.id', concat('user-', toString(cityHash64(t, 21) % 100000)),
      'tenant.id', concat('tenant-', toString(cityHash64(t, 23) % 1000)),
      'http.user_agent', ${lit(['Mozilla/5.0', 'okhttp/4.12', 'curl/8.5', 'python-requests/2.31', 'Go-http-client/1.1'])}[cityHash64(t, 25) % 5 + 1],
      'net.host.port', '8080', 'thread.id', toString(cityHash64(t, i, 27) % 64),
      'request.id', ${hexId('t, i, 31')}, 'region', ${lit(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'])}[cityHash64(t, 33) % 4 + 1]),
  least(toUInt64(exp(16.2 + (op % 5) * 0.3 + if(err, 0.7, 0) + randNormal(0, 1.0))), 60000000000),
  if(err, 'Error', 'Unset'), if(err, 'upstream returned 500', ''),
  if(ev, [ts], CAST([], 'Array(DateTime64(9))')),
  if(ev, [if(err, 'exception', 'cache.miss')], CAST([], 'Array(String)')),
  if(ev, [map('exception.type', if(err, 'UpstreamError', ''), 'cache.key', concat('k', toString(cityHash64(t, i, 37) % 1000)))],
      CAST([], 'Array(Map(LowCardinality(String), String))'))
FROM
(
  SELECT t, i, intDiv(i - 1, 3) AS p, r, ${service('i')} AS svc, ${service('p')} AS psvc,
         cityHash64(t, i, 11) % 10 AS op, cityHash64(t, i, 13) % 50 = 0 AS err, cityHash64(t, i, 15) % 10 = 0 OR err AS ev
  FROM (SELECT number AS t, ${SIZE} AS size, cityHash64(number, 11) % 20 AS r FROM numbers(${t0}, ${count}))
  ARRAY JOIN range(size) AS i
)
LIMIT ${limit}`;
}

function logInsert(l0: number, count: number, endNs: bigint, logs: number, traces: number): string {
  const perLogNs = Number(WINDOW_NS) / logs;
  return `
INSERT INTO otel_logs (Timestamp, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body,
  ResourceAttributes, ScopeName, LogAttributes, ObservedTimestamp)
SELECT
  fromUnixTimestamp64Nano(toInt64(${endNs - WINDOW_NS}) + toInt64(n * ${perLogNs})) AS ts,
  if(hasTrace, ${traceId('t')}, ''), if(hasTrace, ${spanId('t', '0')}, ''), if(hasTrace, 1, 0),
  ${lit(['DEBUG', 'INFO', 'WARN', 'ERROR'])}[sev + 1], [5, 9, 13, 17][sev + 1],
  ${lit(SERVICES)}[svc + 1] AS svcName,
  concat(arrayStringConcat(arrayMap(k -> ${lit(VOCAB)}[cityHash64(n, k) % ${VOCAB.length} + 1], range(5 + n % 8)), ' '),
         ' took ', toString(cityHash64(n, 41) % 2000), 'ms', if(cityHash64(n, 99) % 1000 = 0, ' ${RARE_TOKEN}', '')),
  map('service.name', svcName, 'service.version', concat('1.', toString(svc % 4), '.0'), 'host.name', concat(svcName, '-', toString(n % 8)),
      'deployment.environment', 'production', 'telemetry.sdk.language', ${lit(['go', 'java', 'nodejs', 'python'])}[svc % 4 + 1]),
  'app.logger',
  map('logger.name', concat(svcName, '.handler'), 'thread.id', toString(n % 64), 'user.id', concat('user-', toString(cityHash64(n, 43) % 100000))),
  ts
FROM
(
  SELECT number AS n, cityHash64(number, 45) % 20 AS svc,
         multiIf(cityHash64(number, 47) % 100 < 5, 0, cityHash64(number, 47) % 100 < 85, 1, cityHash64(number, 47) % 100 < 95, 2, 3) AS sev,
         cityHash64(number, 49) % 10 < 3 AS hasTrace, toUInt64(least(number * ${traces / logs}, ${traces - 1})) AS t
  FROM numbers(${l0}, ${count})
)`;
}

const store = await openStore(storeConfigFromEnv({ VIGIL_DATA_DIR: dataDir }), pino({ level: 'warn' }));
const q = async <T>(query: string): Promise<T[]> => (await store.write.query({ query, format: 'JSONEachRow' })).json<T>();
/** The one row a query returns. */
const one = async <T>(query: string): Promise<T> => {
  const [row] = await q<T>(query);
  if (row === undefined) throw new Error(`no row from: ${query}`);
  return row;
};
const endNs = BigInt(Date.now()) * 1_000_000n;

// Trace sizes are a fixed function of the trace number; the mean decides how many traces
// cover the window (for the timestamps) and how many go into one INSERT.
const { mean } = await one<{ mean: number }>(`SELECT avg(${SIZE}) AS mean FROM numbers(100000)`);
const traces = Math.max(1, Math.ceil(SPANS / mean));
const tracesPerChunk = Math.max(1, Math.round(CHUNK / mean));

let started = performance.now();
let spans = 0;
let t0 = 0;
while (spans < SPANS) {
  const count = Math.min(tracesPerChunk, traces + tracesPerChunk - t0); // never loops forever
  const { rows } = await one<{ rows: string }>(`SELECT sum(${SIZE}) AS rows FROM numbers(${t0}, ${count})`);
  const limit = Math.min(Number(rows), SPANS - spans);
  await store.write.command({ query: spanInsert(t0, count, limit, endNs, traces) });
  spans += limit;
  t0 += count;
}
const spanSeconds = (performance.now() - started) / 1000;

started = performance.now();
for (let l0 = 0; l0 < LOGS; l0 += CHUNK) {
  await store.write.command({ query: logInsert(l0, Math.min(CHUNK, LOGS - l0), endNs, LOGS, Math.min(traces, t0)) });
}
const logSeconds = (performance.now() - started) / 1000;

// Query parameters, from the data of the last hour.
const hourAgoNs = endNs - WINDOW_NS / 2n;
const since = `fromUnixTimestamp64Nano(toInt64(${hourAgoNs}))`;
const traceIds = (await q<{ id: string }>(`SELECT TraceId AS id FROM otel_traces_trace_id_ts ORDER BY cityHash64(TraceId) LIMIT 200`)).map((r) => r.id);
const userIds = (await q<{ v: string }>(
  `SELECT DISTINCT SpanAttributes['user.id'] AS v FROM otel_traces WHERE Timestamp >= ${since} ORDER BY cityHash64(v) LIMIT 50`,
)).map((r) => r.v);
const counts = await q<Record<string, string>>(`
SELECT
  (SELECT count() FROM otel_traces) AS spans,
  (SELECT count() FROM otel_logs) AS logs,
  (SELECT uniqExact(TraceId) FROM otel_traces) AS traces,
  (SELECT countIf(StatusCode = 'Error') / count() FROM otel_traces) AS errorRatio,
  (SELECT uniqExact(SpanName) FROM otel_traces) AS operations,
  (SELECT count() FROM otel_logs WHERE hasToken(Body, '${RARE_TOKEN}')) AS rareLogs,
  (SELECT sum(Calls) FROM vigil_span_red_1m) AS redCalls,
  (SELECT count() FROM (SELECT ParentService, ChildService FROM vigil_service_edges_1m GROUP BY ALL)) AS edges,
  (SELECT count() FROM otel_traces_trace_id_ts) AS traceIdRows,
  (SELECT quantileExact(0.99)(Duration) FROM otel_traces WHERE ServiceName = 'checkout' AND Timestamp >= ${since}) AS checkoutP99Ns`);
const tables = await q<Record<string, string>>(`
SELECT table, sum(rows) AS rows, count() AS parts, sum(data_compressed_bytes) AS compressedBytes, sum(data_uncompressed_bytes) AS uncompressedBytes
FROM system.parts WHERE active AND database = currentDatabase() AND table IN ('otel_traces', 'otel_logs', 'otel_traces_trace_id_ts', 'vigil_span_red_1m', 'vigil_service_edges_1m')
GROUP BY table ORDER BY table`);
// Queries are timed on a settled store: the background merges of the load done first.
const settleSeconds = await settleMerges(store);
await store.close();

console.log(JSON.stringify({
  endMs: Number(endNs / 1_000_000n),
  spans, logs: LOGS, spanSeconds, logSeconds, settleSeconds, meanTraceSize: mean,
  counts: counts[0], tables, traceIds, userIds, services: SERVICES, rareToken: RARE_TOKEN,
}));
