// npm run bench:metrics — Atlas-style metric queries at the scale (issue 5, Performance).
// 1. Vigil starts as its own process (its metric rollup off); the data set goes in through
//    OTLP/HTTP protobuf: 4,000 series (10 apps x 4 clusters x 25 nodes; counter
//    http_requests_total with status 200/404/500 and gauge http_latency_ms per node), one point
//    per minute for BENCH_MINUTES (1440 = 24 h = 5.76M points), BENCH_CHUNK_MINUTES minutes of
//    every series per request.
// 2. The three queries of the issue over the whole range at a 1-minute step through
//    /api/v1/graph as ingested (nothing rolled up: every hour computed from the minute maps).
// 3. Vigil stopped, in this process: the same queries through ClickHouseSeriesSource + the ASL
//    evaluator (CPU time measurable), then the metric rollup of every closed hour
//    (rollUpMetricHours, timed), then the queries again.
// 4. Vigil started again (`vigil query`): the queries through /api/v1/graph after the rollup
//    (closed hours read from the rollup, the open hour computed), first with the cache of
//    rolled hours off (VIGIL_METRIC_CACHE_SIZE=0: every query reads every hour), then with it
//    on as `npm start` runs (the warm-up queries fill it; the timed ones read only the open hour).
//    Every answer of the counter queries is checked against the rates the generator knows.
// Prints a table and writes bench/results/metrics-<time>.json (+ metrics-latest.json).
//   BENCH_MINUTES (1440)  BENCH_CHUNK_MINUTES (10)  BENCH_CONCURRENCY (4)  BENCH_RUNS (20)  BENCH_WARMUP (3)
//   BENCH_DATA_DIR: keep the data set in this directory; when it already holds one (a previous
//   run's bench-metrics.json), reuse it: no ingest, no as-ingested phases, no rollup (the hours
//   it rolled stay rolled, the hour that was open then stays computed), only steps 3-4 rolled up.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import protobuf from 'protobufjs';
import { evaluate } from '../query/asl/evaluator.ts';
import type { GraphResult } from '../query/asl/types.ts';
import { rollUpMetricHours } from '../query/metrics/rollup.ts';
import { ClickHouseSeriesSource } from '../query/metrics/source.ts';
import { openStore, storeConfigFromEnv } from '../schemas/store.ts';
import { startVigilProcess, type VigilProcess } from './vigil-process.ts';

const minutes = Number(process.env.BENCH_MINUTES ?? 1440);
const chunkMinutes = Number(process.env.BENCH_CHUNK_MINUTES ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const runs = Number(process.env.BENCH_RUNS ?? 20);
const warmup = Number(process.env.BENCH_WARMUP ?? 3);

const MINUTE = 60_000;
const APPS = 10;
const CLUSTERS = 4;
const NODES = 25;
const STATUSES = ['200', '404', '500'] as const;
const nodes = APPS * CLUSTERS * NODES;

const root = new protobuf.Root();
const protoDir = fileURLToPath(new URL('../schemas/otlp/', import.meta.url));
root.resolvePath = (_origin, target) => protoDir + target;
root.loadSync('opentelemetry/proto/collector/metrics/v1/metrics_service.proto', { keepCase: false });
const MetricsRequest = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');

// Deterministic pseudo-random numbers, so every run sends the same data.
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

const keptDir = process.env.BENCH_DATA_DIR;
const metaFile = keptDir === undefined ? undefined : join(keptDir, 'bench-metrics.json');
/** The kept data set's range, when this run reuses one. */
const kept = metaFile !== undefined && existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as { end: number; minutes: number }) : undefined;
if (kept !== undefined && kept.minutes !== minutes) throw new Error(`${keptDir} holds ${kept.minutes} minutes, not BENCH_MINUTES=${minutes}`);
const end = kept?.end ?? Math.floor(Date.now() / MINUTE) * MINUTE;
const start = end - minutes * MINUTE;
const counterStart = BigInt(start - MINUTE) * 1_000_000n;
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const nodeAttrs = Array.from({ length: nodes }, (_, n) => {
  const app = `app-${n % APPS}`;
  const cluster = `${app}-c${Math.floor(n / APPS) % CLUSTERS}`;
  return { app, attrs: [str('app', app), str('cluster', cluster), str('node', `node-${n}`)] };
});

// The generator's own truth for the checks: per minute, the total request increase, the
// status-500 increase per app and the highest latency per cluster.
const counters = new Float64Array(nodes * STATUSES.length);
const totalPerMinute = new Float64Array(minutes);
const errorsPerMinuteByApp = new Map<string, Float64Array>();
for (let a = 0; a < APPS; a++) errorsPerMinuteByApp.set(`app-${a}`, new Float64Array(minutes));
const maxLatencyByCluster = new Map<string, Float64Array>();

/** The OTLP request of these minutes; with `encode` false only the generator's truth is updated (a reused data set). */
function request(firstMinute: number, count: number, encode = true): Uint8Array | undefined {
  const sums: object[] = [];
  const gauges: object[] = [];
  for (let m = firstMinute; m < firstMinute + count; m++) {
    const time = (BigInt(start + m * MINUTE + 7_000) * 1_000_000n).toString();
    for (let n = 0; n < nodes; n++) {
      const { app, attrs } = nodeAttrs[n]!;
      STATUSES.forEach((status, s) => {
        const increase = Math.floor(random() * (status === '200' ? 100 : status === '404' ? 10 : 3));
        const i = n * STATUSES.length + s;
        counters[i] = counters[i]! + increase;
        // The first point has no earlier one to compare with: its minute shows no rate.
        if (m > 0) {
          totalPerMinute[m] = totalPerMinute[m]! + increase;
          if (status === '500') errorsPerMinuteByApp.get(app)![m] = errorsPerMinuteByApp.get(app)![m]! + increase;
        }
        if (encode) sums.push({ attributes: [...attrs, str('status', status)], startTimeUnixNano: counterStart.toString(), timeUnixNano: time, asDouble: counters[i] });
      });
      const latency = 20 + Math.round(random() * 1800) / 10;
      const cluster = attrs[1]!.value.stringValue;
      if (!maxLatencyByCluster.has(cluster)) maxLatencyByCluster.set(cluster, new Float64Array(minutes));
      const max = maxLatencyByCluster.get(cluster)!;
      max[m] = Math.max(max[m]!, latency);
      if (encode) gauges.push({ attributes: attrs, timeUnixNano: time, asDouble: latency });
    }
  }
  if (!encode) return undefined;
  const message = MetricsRequest.fromObject({
    resourceMetrics: [
      {
        resource: { attributes: [str('service.name', 'bench-web'), str('deployment.environment', 'bench')] },
        scopeMetrics: [
          {
            scope: { name: 'bench' },
            metrics: [
              { name: 'http_requests_total', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: sums } },
              { name: 'http_latency_ms', gauge: { dataPoints: gauges } },
            ],
          },
        ],
      },
    ],
  });
  return MetricsRequest.encode(message).finish();
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const QUERIES = {
  'errors by app': 'name,http_requests_total,:eq,status,500,:eq,:and,:sum,(,app,),:by',
  'max latency by cluster': 'name,http_latency_ms,:eq,:max,(,cluster,),:by',
  'total requests': 'name,http_requests_total,:eq,:sum',
} as const;
type QueryName = keyof typeof QUERIES;

/** Largest relative error of an answer against the generator's values (counters: minutes 1.., the first has no rate). */
function checkAnswer(name: QueryName, result: GraphResult): number {
  const expected = (line: { tags: Readonly<Record<string, string>> }): Float64Array | undefined =>
    name === 'total requests'
      ? Float64Array.from(totalPerMinute, (v) => v / 60)
      : name === 'errors by app'
        ? errorsPerMinuteByApp.get(line.tags.app ?? '')?.map((v) => v / 60)
        : maxLatencyByCluster.get(line.tags.cluster ?? '');
  let worst = 0;
  for (const line of result.lines) {
    const want = expected(line);
    if (want === undefined) return Number.NaN;
    for (let m = name === 'max latency by cluster' ? 0 : 1; m < minutes; m++) {
      const got = line.values[m]!;
      const w = want[m]!;
      worst = Math.max(worst, w === 0 ? Math.abs(got) : Math.abs(got - w) / w);
    }
  }
  return worst;
}

interface Timing {
  p50: number;
  p95: number;
  min: number;
  /** CPU of this process per query (the embedded engine runs in it): load from other processes does not inflate it. */
  cpuP50: number;
  lines: number;
  /** Against the generator's values: NaN when a line or a value is missing. */
  maxRelativeError: number;
}

async function measure(run: (q: string) => Promise<GraphResult>): Promise<Record<QueryName, Timing>> {
  const out = {} as Record<QueryName, Timing>;
  for (const [name, q] of Object.entries(QUERIES) as Array<[QueryName, string]>) {
    let last: GraphResult | undefined;
    for (let i = 0; i < warmup; i++) last = await run(q);
    const ms: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      last = await run(q);
      const used = process.cpuUsage(c);
      ms.push(performance.now() - t);
      cpu.push((used.user + used.system) / 1000);
    }
    ms.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    out[name] = {
      p50: percentile(ms, 50),
      p95: percentile(ms, 95),
      min: ms[0]!,
      cpuP50: percentile(cpu, 50),
      lines: last!.lines.length,
      maxRelativeError: checkAnswer(name, last!),
    };
  }
  return out;
}

const window = { start, end, step: MINUTE };
if (keptDir !== undefined) mkdirSync(keptDir, { recursive: true });
const dataDir = keptDir ?? mkdtempSync(join(tmpdir(), 'vigil-bench-metrics-'));
const points = minutes * nodes * (STATUSES.length + 1);
console.error(`${kept === undefined ? 'encoding' : 'generating (data set kept in ' + dataDir + ')'} ${points.toLocaleString('en')} points (${minutes} minutes x ${nodes * 4} series) ...`);
const encodeStart = performance.now();
const bodies: Uint8Array[] = [];
for (let m = 0; m < minutes; m += chunkMinutes) {
  const body = request(m, Math.min(chunkMinutes, minutes - m), kept === undefined);
  if (body !== undefined) bodies.push(body);
}
const encodeSeconds = (performance.now() - encodeStart) / 1000;

// The rollup runs only when this script says so.
const vigilEnv = { VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'info', VIGIL_SELF_METRICS_INTERVAL: '1h', VIGIL_METRIC_ROLLUP_INTERVAL: '0s' };
let vigil: VigilProcess | undefined;
// A failed run must not leave the server behind.
process.on('exit', () => vigil?.child.kill('SIGKILL'));

/** The three queries through /api/v1/graph of the running Vigil. */
const overHttp = () =>
  measure(async (q) => {
    const url = `${vigil!.queryUrl}/api/v1/graph?format=std.json&step=1m&s=${start}&e=${end}&q=${encodeURIComponent(q)}`;
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`graph answered ${res.status}: ${await res.text()}\n${vigil!.lines.filter((l) => l.includes('"level":50')).join('\n')}`);
    const body = (await res.json()) as { metrics: Array<Record<string, string>>; values: Array<Array<number | string>> };
    return {
      notices: [],
      lines: body.metrics.map((tags, i) => ({ tags, values: Float64Array.from(body.values, (row) => Number(row[i])) })),
    } as unknown as GraphResult;
  });
const stopVigil = async () => {
  vigil!.child.kill('SIGTERM');
  await vigil!.exited;
};

/** Ingest and the as-ingested HTTP queries: only when the data set is new. */
async function ingest() {
  vigil = await startVigilProcess(vigilEnv);
  console.error(`sending ${bodies.length} requests to ${vigil.otlpUrl} (${concurrency} in flight) ...`);
  const ingestStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`${vigil!.otlpUrl}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      }
    }),
  );
  const seconds = (performance.now() - ingestStart) / 1000;
  console.error(`ingested in ${seconds.toFixed(1)} s`);
  console.error('queries over HTTP, as ingested ...');
  const http = await overHttp();
  await stopVigil();
  return { ingest: { requests: bodies.length, seconds, pointsPerSecond: points / seconds, encodeSeconds }, http };
}
const fresh = kept === undefined ? await ingest() : undefined;

const store = await openStore(storeConfigFromEnv({ VIGIL_DATA_DIR: dataDir }), pino({ level: 'warn' }));
// Without the cache of rolled hours (a source's default): every query reads every hour.
const source = new ClickHouseSeriesSource(store.read);
const rowsOf = async (query: string) => (await store.read.query({ query, format: 'JSONEachRow' })).json<Record<string, string>>();
const tableRows = async () =>
  rowsOf(`SELECT table, sum(rows) AS rows, count() AS parts, sum(data_compressed_bytes) AS bytes FROM system.parts
    WHERE active AND table IN ('otel_metrics_sum', 'otel_metrics_gauge', 'vigil_metric_hours', 'vigil_metric_series', 'vigil_metric_rollup') GROUP BY table ORDER BY table`);
/** The in-process queries as ingested and the rollup: only when the data set is new. */
async function rollUp() {
  console.error('queries in-process, as ingested ...');
  const asIngested = { tables: await tableRows(), queries: await measure((q) => evaluate(q, window, source)) };
  console.error('rolling up the closed hours ...');
  const rollupStart = performance.now();
  const rollupCpu = process.cpuUsage();
  const metricHours = await rollUpMetricHours(store.write, 0);
  const rollupUsage = process.cpuUsage(rollupCpu);
  const rollup = { metricHours, seconds: (performance.now() - rollupStart) / 1000, cpuSeconds: (rollupUsage.user + rollupUsage.system) / 1e6 };
  console.error(`rolled up ${metricHours} metric hours in ${rollup.seconds.toFixed(1)} s`);
  return { asIngested, rollup };
}
const rolled = fresh === undefined ? undefined : await rollUp();
console.error('queries in-process, rolled up ...');
const rolledUp = { tables: await tableRows(), queries: await measure((q) => evaluate(q, window, source)) };
await store.close();

console.error('queries over HTTP, after the rollup ...');
vigil = await startVigilProcess({ ...vigilEnv, VIGIL_METRIC_CACHE_SIZE: '0' }, ['query']);
const httpRolledUp = await overHttp();
await stopVigil();
console.error('queries over HTTP, after the rollup, with the cache of rolled hours ...');
vigil = await startVigilProcess(vigilEnv, ['query']);
const httpCached = await overHttp();
await stopVigil();
if (keptDir === undefined) rmSync(dataDir, { recursive: true, force: true });
else if (kept === undefined) writeFileSync(metaFile!, JSON.stringify({ end, minutes }));

const names = Object.keys(QUERIES) as QueryName[];
const ratios =
  fresh === undefined || rolled === undefined
    ? undefined
    : Object.fromEntries(
        names.map((n) => [n, { http: fresh.http[n].p50 / httpRolledUp[n].p50, inProcessCpu: rolled.asIngested.queries[n].cpuP50 / rolledUp.queries[n].cpuP50 }]),
      );
const report = {
  at: new Date().toISOString(),
  loadAverage: loadavg(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version },
  settings: { minutes, series: nodes * 4, points, chunkMinutes, concurrency, runs, warmup, step: '1m', engine: 'embedded (chDB)', reusedDataSet: kept !== undefined },
  ingest: fresh?.ingest,
  http: { asIngested: fresh?.http, rolledUp: httpRolledUp, rolledUpCached: httpCached },
  rollup: rolled?.rollup,
  source: { asIngested: rolled?.asIngested, rolledUp },
  /** p50 as ingested / p50 after the rollup (HTTP wall clock; in-process CPU). */
  speedup: ratios,
};
console.log(`\nVigil metrics benchmark: ${points.toLocaleString('en')} points, ${nodes * 4} series, ${minutes} minutes at 1-minute step`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}, embedded engine`);
if (fresh !== undefined && rolled !== undefined) {
  const { ingest, rollup } = { ingest: fresh.ingest, rollup: rolled.rollup };
  console.log(`ingest: ${Math.round(ingest.pointsPerSecond).toLocaleString('en')} points/s (${ingest.requests} OTLP/HTTP protobuf requests in ${ingest.seconds.toFixed(1)} s)`);
  console.log(`rollup: ${rollup.metricHours} metric hours in ${rollup.seconds.toFixed(2)} s (CPU ${rollup.cpuSeconds.toFixed(2)} s)\n`);
} else {
  console.log(`data set reused from ${dataDir} (ingested and rolled up by an earlier run)\n`);
}
console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes share the ${cpus().length} cores)\n`);
console.log('| query | path | p50 ms | p95 ms | min ms | CPU ms p50 (in-process only) | lines | max rel. error |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
const paths: Array<[string, Record<QueryName, Timing> | undefined]> = [
  ['HTTP /api/v1/graph, as ingested', fresh?.http],
  ['HTTP /api/v1/graph, rolled up', httpRolledUp],
  ['HTTP /api/v1/graph, rolled up, hours cached', httpCached],
  ['source + evaluator, as ingested', rolled?.asIngested.queries],
  ['source + evaluator, rolled up', rolledUp.queries],
];
for (const name of names) {
  for (const [path, result] of paths) {
    const r = result?.[name];
    if (r === undefined) continue;
    const cpu = path.startsWith('HTTP') ? '-' : r.cpuP50.toFixed(1);
    console.log(
      `| \`${QUERIES[name]}\` | ${path} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.min.toFixed(1)} | ${cpu} | ${r.lines} | ${r.maxRelativeError.toExponential(1)} |`,
    );
  }
}
if (ratios !== undefined) {
  console.log('\nspeed-up (as ingested / rolled up, p50): ' + names.map((n) => `${n}: HTTP ${ratios[n]!.http.toFixed(1)}x, in-process CPU ${ratios[n]!.inProcessCpu.toFixed(1)}x`).join('; '));
}
const json = `${JSON.stringify(report, null, 2)}\n`;
writeFileSync(new URL(`results/metrics-${report.at.replace(/[:.]/g, '-')}.json`, import.meta.url), json);
writeFileSync(new URL('results/metrics-latest.json', import.meta.url), json);
