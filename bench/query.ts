// npm run bench:query — query latency at scale on the embedded engine (issue 4, Performance).
// 1. A loader process (bench/query-load.ts) fills a fresh data directory with BENCH_SPANS spans
//    and BENCH_LOGS log records generated inside the engine (INSERT ... SELECT FROM numbers()).
//    It waits until the engine's background merges are done, so queries meet a settled store.
// 2. Vigil starts as its own process on that directory; each query is sent over HTTP as a user
//    would, one at a time: BENCH_WARMUP warm-up requests, then BENCH_RUNS measured ones with
//    varying parameters (random existing trace ids, services, user ids).
// Prints a table with the issue's goals and writes bench/results/query-<time>.json (+ query-latest.json).
//   BENCH_SPANS (10000000)  BENCH_LOGS (= BENCH_SPANS)  BENCH_RUNS (40)  BENCH_WARMUP (3)
//   BENCH_DATA_DIR: keep the data set in this directory; when it already holds one (a previous
//   run's bench-query.json), reuse it: no load, the same queries on the same data (A/B runs of
//   two commits, EXPLAIN afterwards). The "last hour" stays the one the data was loaded for.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startVigilProcess } from './vigil-process.ts';

const run = promisify(execFile);
const spans = Number(process.env.BENCH_SPANS ?? 10_000_000);
const logs = Number(process.env.BENCH_LOGS ?? spans);
const runs = Number(process.env.BENCH_RUNS ?? 40);
const warmup = Number(process.env.BENCH_WARMUP ?? 3);
const keptDir = process.env.BENCH_DATA_DIR;

interface Loaded {
  endMs: number;
  spans: number;
  logs: number;
  spanSeconds: number;
  logSeconds: number;
  settleSeconds: number;
  meanTraceSize: number;
  counts: Record<string, string>;
  tables: Array<Record<string, string>>;
  traceIds: string[];
  userIds: string[];
  services: string[];
  rareToken: string;
}

const dataDir = keptDir ?? mkdtempSync(join(tmpdir(), 'vigil-bench-query-'));
const metaFile = join(dataDir, 'bench-query.json');
const reused = keptDir !== undefined && existsSync(metaFile);
let data: Loaded;
if (reused) {
  data = JSON.parse(readFileSync(metaFile, 'utf8')) as Loaded;
  console.error(`reusing the data set in ${dataDir} (${data.spans.toLocaleString('en')} spans, ${data.logs.toLocaleString('en')} log records); starting Vigil`);
} else {
  mkdirSync(dataDir, { recursive: true });
  console.error(`loading ${spans.toLocaleString('en')} spans and ${logs.toLocaleString('en')} log records into ${dataDir} ...`);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/query-load.ts', dataDir, String(spans), String(logs)], {
    maxBuffer: 16 << 20,
  });
  data = JSON.parse(stdout) as Loaded;
  if (keptDir !== undefined) writeFileSync(metaFile, stdout);
  console.error(
    `loaded: spans ${data.spanSeconds.toFixed(1)} s, logs ${data.logSeconds.toFixed(1)} s, background merges done ${data.settleSeconds.toFixed(1)} s later; starting Vigil`,
  );
}

const vigil = await startVigilProcess({ VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'info' });
const base = vigil.queryUrl!;

// "Over 1 h" = the last hour of the data (it ends when the load started).
const endMs = data.endMs;
const hour = { startMs: endMs - 3_600_000, endMs };
const us = (ms: number) => String(ms * 1000);
const pick = <T>(xs: readonly T[], i: number): T => xs[(i * 7919) % xs.length]!;
const MIN_DURATION = '300ms';
const TENANT = 'tenant-42';

interface Case {
  name: string;
  goal: string;
  goalMs: number;
  url: (i: number) => string;
  /** Items in the answer (to show the query found something). */
  count: (body: any) => number;
}

const jaegerSearch = (params: Record<string, string>) =>
  `/api/traces?${new URLSearchParams({ ...params, start: us(hour.startMs), end: us(hour.endMs), limit: '20' })}`;
const nativeSearch = (params: Record<string, string>) =>
  `/api/v1/traces?${new URLSearchParams({ ...params, start: String(hour.startMs), end: String(hour.endMs), limit: '20' })}`;

const cases: Case[] = [
  { name: 'trace by id (Jaeger /api/traces/{id})', goal: 'trace by id', goalMs: 10, url: (i) => `/api/traces/${pick(data.traceIds, i)}`, count: (b) => b.data?.[0]?.spans?.length ?? 0 },
  { name: 'trace by id (native /api/v1/traces/{id})', goal: 'trace by id', goalMs: 10, url: (i) => `/api/v1/traces/${pick(data.traceIds, i)}`, count: (b) => b.spans?.length ?? 0 },
  { name: `service + minDuration ${MIN_DURATION}, 1 h (Jaeger)`, goal: 'service+minDuration', goalMs: 50, url: (i) => jaegerSearch({ service: pick(data.services, i), minDuration: MIN_DURATION }), count: (b) => b.data?.length ?? 0 },
  { name: `service + minDuration ${MIN_DURATION}, 1 h (native)`, goal: 'service+minDuration', goalMs: 50, url: (i) => nativeSearch({ service: pick(data.services, i), minDuration: MIN_DURATION }), count: (b) => b.traces?.length ?? 0 },
  { name: 'attribute user.id=<one of 100k>, 1 h (Jaeger tags)', goal: 'attribute search', goalMs: 200, url: (i) => jaegerSearch({ tags: JSON.stringify({ 'user.id': pick(data.userIds, i) }) }), count: (b) => b.data?.length ?? 0 },
  { name: 'attribute user.id=<one of 100k>, 1 h (native attr)', goal: 'attribute search', goalMs: 200, url: (i) => nativeSearch({ attr: `user.id=${pick(data.userIds, i)}` }), count: (b) => b.traces?.length ?? 0 },
  { name: `attribute tenant.id=${TENANT} (0.1%), 1 h (native attr)`, goal: 'attribute search', goalMs: 200, url: () => nativeSearch({ attr: `tenant.id=${TENANT}` }), count: (b) => b.traces?.length ?? 0 },
  { name: `log text search q=${data.rareToken} (0.1%), 1 h`, goal: 'log text search', goalMs: 200, url: () => `/api/v1/logs?${new URLSearchParams({ q: data.rareToken, start: String(hour.startMs), end: String(hour.endMs) })}`, count: (b) => b.logs?.length ?? 0 },
  { name: 'services overview, 24 h', goal: 'services overview', goalMs: 100, url: () => `/api/v1/services/overview?start=${us(endMs - 86_400_000)}&end=${us(endMs)}`, count: (b) => b.services?.length ?? 0 },
];

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function timed(url: string): Promise<{ ms: number; status: number; body: any; bytes: number }> {
  const started = performance.now();
  const res = await fetch(base + url);
  const text = await res.text();
  const ms = performance.now() - started;
  return { ms, status: res.status, body: JSON.parse(text), bytes: text.length };
}

const results = [];
for (const c of cases) {
  for (let i = 0; i < warmup; i++) await timed(c.url(runs + i));
  const latencies: number[] = [];
  const items: number[] = [];
  const statuses: Record<number, number> = {};
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const r = await timed(c.url(i));
    latencies.push(r.ms);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status !== 200) console.error(`${c.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    items.push(c.count(r.body));
    bytes += r.bytes;
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const sortedItems = [...items].sort((a, b) => a - b);
  const result = {
    name: c.name, goal: c.goal, goalMs: c.goalMs, runs,
    p50Ms: quantile(sorted, 0.5), p95Ms: quantile(sorted, 0.95), minMs: sorted[0], maxMs: sorted.at(-1),
    medianItems: quantile(sortedItems, 0.5), meanBytes: Math.round(bytes / runs), statuses,
    example: c.url(0),
  };
  results.push(result);
  console.error(`${c.name}: p50 ${result.p50Ms.toFixed(1)} ms, p95 ${result.p95Ms.toFixed(1)} ms`);
}

vigil.child.kill('SIGTERM');
const exitCode = await vigil.exited;
if (keptDir === undefined) rmSync(dataDir, { recursive: true, force: true });

const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en')}/s`;
console.log(`\nVigil query benchmark: ${data.spans.toLocaleString('en')} spans (${Number(data.counts.traces).toLocaleString('en')} traces, mean ${data.meanTraceSize.toFixed(1)} spans), ${data.logs.toLocaleString('en')} log records, embedded engine`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${mb(totalmem())} MiB, node ${process.version}`);
console.log(`load (INSERT ... SELECT in the engine, 1M-row blocks, materialized views included): spans ${data.spanSeconds.toFixed(1)} s = ${rate(data.spans, data.spanSeconds)}, logs ${data.logSeconds.toFixed(1)} s = ${rate(data.logs, data.logSeconds)}`);
console.log(`data: ${data.counts.operations} operations, error ratio ${(Number(data.counts.errorRatio) * 100).toFixed(2)}%, ${data.counts.rareLogs} logs with '${data.rareToken}', ${data.counts.edges} service edges\n`);
console.log('| query | goal p50 | p50 ms | p95 ms | met | items (median) | status |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const ok = r.p50Ms <= r.goalMs ? 'yes' : 'NO';
  console.log(`| ${r.name} | <= ${r.goalMs} ms | ${r.p50Ms.toFixed(1)} | ${r.p95Ms.toFixed(1)} | ${ok} | ${r.medianItems} | ${Object.entries(r.statuses).map(([s, n]) => `${s}x${n}`).join(' ')} |`);
}
console.log(`\n${runs} measured requests per query after ${warmup} warm-up, sequential; Vigil exit code ${exitCode}`);

const report = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version },
  settings: { spans: data.spans, logs: data.logs, reused, runs, warmup, engine: 'embedded (chDB)', window: hour },
  load: { spanSeconds: data.spanSeconds, logSeconds: data.logSeconds, spansPerSecond: data.spans / data.spanSeconds, logsPerSecond: data.logs / data.logSeconds, counts: data.counts, tables: data.tables },
  results,
};
const json = `${JSON.stringify(report, null, 2)}\n`;
writeFileSync(new URL(`results/query-${report.at.replace(/[:.]/g, '-')}.json`, import.meta.url), json);
writeFileSync(new URL('results/query-latest.json', import.meta.url), json);
if (results.some((r) => (r.statuses[200] ?? 0) !== runs)) process.exitCode = 1;
