// npm run bench:ingest — end-to-end OTLP/HTTP ingest throughput on the embedded engine.
// Starts Vigil as its own process, drives it from a separate load process per signal,
// samples the server's RSS and its CPU per thread group, then stops Vigil and checks that
// every acknowledged item is stored. Prints tables and writes bench/results/ingest-<time>.json
// (+ ingest-latest.json).
//   BENCH_SECONDS (20)  BENCH_CONCURRENCY (128)  BENCH_ITEMS (512)  BENCH_SIGNALS (traces,logs,metrics)
// Every answer waits for its batch to be stored (~200 ms batching + the insert), so with few
// requests in flight the figure measures latency (32 in flight x 512 items / ~0.45 s = ~36k/s
// whatever the server could do); 128 in flight keeps the server busy and measures capacity.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { openStore, storeConfigFromEnv } from '../schemas/store.ts';
import type { BenchSignal } from './requests.ts';
import { MALLOC, startVigilProcess } from './vigil-process.ts';

const run = promisify(execFile);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 128);
const items = Number(process.env.BENCH_ITEMS ?? 512);
const signals = (process.env.BENCH_SIGNALS ?? 'traces,logs,metrics').split(',') as BenchSignal[];

const tablesOf: Record<BenchSignal, string[]> = {
  traces: ['otel_traces'],
  logs: ['otel_logs'],
  metrics: ['otel_metrics_sum', 'otel_metrics_gauge', 'otel_metrics_histogram'],
};

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

// Server CPU by thread group, from /proc/<pid>/task/*/stat (user + system ticks): where the
// time goes per item. chDB's background merges run on threads named MergeMutate; Node.js's
// own threads are named node (the main thread running the JavaScript, V8's GC helpers, libuv's
// pool writing the blocks' temp files); every other thread is the engine running inserts and
// views. nodeMain is the main thread alone (part of node).
type CpuGroup = 'merges' | 'engine' | 'node' | 'nodeMain';
function threadCpuSeconds(pid: number): Record<CpuGroup, number> {
  const total: Record<CpuGroup, number> = { merges: 0, engine: 0, node: 0, nodeMain: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const group: CpuGroup = name.startsWith('MergeMutate') ? 'merges' : name === 'node' ? 'node' : 'engine';
      const seconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
      total[group] += seconds;
      if (tid === String(pid)) total.nodeMain += seconds;
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return total;
}
const CLOCK_TICKS = 100;

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
const vigil = await startVigilProcess({ VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'info' });
const pid = vigil.child.pid!;
let peakRss = rssBytes(pid);
const results = [];
for (const signal of signals) {
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssBytes(pid)), 250);
  const cpuBefore = threadCpuSeconds(pid);
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'bench/load.ts', signal, vigil.otlpUrl, String(seconds), String(concurrency), String(items)],
    { maxBuffer: 1 << 20 },
  );
  clearInterval(sampler);
  const cpuAfter = threadCpuSeconds(pid);
  const signalPeak = Math.max(...samples);
  peakRss = Math.max(peakRss, signalPeak);
  // Flat memory: RSS over the first and the last tenth of the run (medians).
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] ?? 0;
  const rss = { firstTenthBytes: median(samples.slice(0, tenth)), lastTenthBytes: median(samples.slice(-tenth)) };
  const load = JSON.parse(stdout);
  const perItem = (g: CpuGroup) => ((cpuAfter[g] - cpuBefore[g]) / load.ackedItems) * 1e6;
  const serverCpuUsPerItem = { merges: perItem('merges'), engine: perItem('engine'), node: perItem('node'), nodeMain: perItem('nodeMain') };
  results.push({ ...load, peakRssBytes: signalPeak, rss, serverCpuUsPerItem });
}
vigil.child.kill('SIGTERM');
const exitCode = await vigil.exited;

// Every acknowledged item must be in ClickHouse.
const store = await openStore({ ...storeConfigFromEnv({ VIGIL_DATA_DIR: dataDir }) }, pino({ level: 'warn' }));
for (const r of results) {
  let stored = 0;
  for (const table of tablesOf[r.signal as BenchSignal]) {
    // Vigil's own metrics (service.name vigil) land in the same tables: not counted.
    const query = `SELECT count() AS n FROM ${table} WHERE ServiceName != 'vigil'`;
    const rows = await (await store.read.query({ query, format: 'JSONEachRow' })).json<{ n: string }>();
    stored += Number(rows[0]!.n);
  }
  r.storedItems = stored;
}
// Inserts per signal, from Vigil's own cumulative counter (its last report is stored at shutdown):
// the engine's CPU per item falls as rows per insert grow (npm run bench:insert).
const insertCounts = await (
  await store.read.query({
    query: `SELECT Attributes['table'] AS table, max(Value) AS n FROM otel_metrics_sum
            WHERE MetricName = 'vigil.ingest.inserts' AND Attributes['outcome'] = 'stored' GROUP BY table`,
    format: 'JSONEachRow',
  })
).json<{ table: string; n: number }>();
for (const r of results) {
  r.inserts = insertCounts.filter((c) => tablesOf[r.signal as BenchSignal].includes(c.table)).reduce((n, c) => n + Number(c.n), 0);
}
await store.close();
rmSync(dataDir, { recursive: true, force: true });

const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
console.log(`\nVigil ingest benchmark: OTLP/HTTP protobuf, ${items} items/request, ${concurrency} in flight, ${seconds} s per signal`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${mb(totalmem())} MiB, node ${process.version}, embedded engine\n`);
console.log('| signal | items/s committed | requests/s | p50 ms | p99 ms | non-200 | acked | stored | items per insert | RSS MiB first/last tenth | peak RSS MiB |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const requests = Object.values(r.statuses as Record<string, number>).reduce((a, b) => a + b, 0);
  const non200 = requests - (r.statuses['200'] ?? 0);
  console.log(
    `| ${r.signal} | ${Math.round(r.itemsPerSecond).toLocaleString('en')} | ${(requests / r.seconds).toFixed(1)} | ${r.latencyMs.p50.toFixed(1)} | ${r.latencyMs.p99.toFixed(1)} | ${non200} | ${r.ackedItems} | ${r.storedItems} | ${r.inserts > 0 ? Math.round(r.storedItems / r.inserts).toLocaleString('en') : '-'} | ${mb(r.rss.firstTenthBytes)} / ${mb(r.rss.lastTenthBytes)} | ${mb(r.peakRssBytes)} |`,
  );
}
console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes share the ${cpus().length} cores)`);
console.log('\nServer CPU per item committed, microseconds (all threads; 2 cores = 2 s of CPU per second):\n');
console.log('| signal | engine: inserts and views | engine: background merges | Node.js threads | of which main thread | total |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const c = r.serverCpuUsPerItem;
  console.log(`| ${r.signal} | ${c.engine.toFixed(1)} | ${c.merges.toFixed(1)} | ${c.node.toFixed(1)} | ${c.nodeMain.toFixed(1)} | ${(c.engine + c.merges + c.node).toFixed(1)} |`);
}
const lost = results.filter((r) => r.storedItems < r.ackedItems);
console.log(`\nshutdown exit code ${exitCode}; ${lost.length === 0 ? 'every acknowledged item is stored' : `LOST DATA in ${lost.map((r) => r.signal)}`}`);

const report = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version },
  settings: {
    seconds,
    concurrency,
    itemsPerRequest: items,
    engine: 'embedded (chDB)',
    // What the server process was started with beyond the defaults (allocator tuning, profiling).
    serverNodeArgs: process.env.BENCH_NODE_ARGS ?? '',
    glibcTunables: process.env.GLIBC_TUNABLES ?? MALLOC ?? '',
  },
  loadAverage: loadavg(),
  peakRssBytes: peakRss,
  results,
};
const json = `${JSON.stringify(report, null, 2)}\n`;
writeFileSync(new URL(`results/ingest-${report.at.replace(/[:.]/g, '-')}.json`, import.meta.url), json);
writeFileSync(new URL('results/ingest-latest.json', import.meta.url), json);
if (lost.length > 0 || exitCode !== 0) process.exitCode = 1;
