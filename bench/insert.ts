// npm run bench:insert — what the embedded engine spends per span by rows per insert: the CPU
// of every thread of a process that inserts BENCH_SPANS realistic spans (10 attributes and one
// event each) into a fresh store as Native blocks of a given size, until the background merges
// they cause are done. With the full schema (otel_traces and every view on it) and with
// otel_traces alone (views dropped). Each case runs in its own process (one engine data
// directory per process). Prints a table and writes bench/results/insert-<time>.json.
//   BENCH_SPANS (400000)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import { decodeTraceRequest } from '../ingest/otlp/protobuf.ts';
import { appendTraces, tracesBlock } from '../ingest/rows/traces.ts';
import { openStore, type Store, storeConfigFromEnv } from '../schemas/store.ts';
import { makeRequest } from './requests.ts';
import { settleMerges } from './settle.ts';

const spans = Number(process.env.BENCH_SPANS ?? 400_000);

type Schema = 'full' | 'table only';
interface CaseResult {
  schema: Schema;
  rowsPerInsert: number;
  inserts: number;
  insertSeconds: number;
  cpuUsPerSpanInserting: number;
  cpuUsPerSpanWithMerges: number;
}

async function viewsOn(store: Store, table: string): Promise<string[]> {
  const result = await store.read.query({
    query: `SELECT arrayJoin(dependencies_table) AS view FROM system.tables WHERE database = currentDatabase() AND name = {table:String}`,
    query_params: { table },
    format: 'JSONEachRow',
  });
  return (await result.json<{ view: string }>()).map((r) => r.view);
}

/** One case, in this process. */
async function runCase(schema: Schema, rowsPerInsert: number): Promise<CaseResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-insert-'));
  const store = await openStore(storeConfigFromEnv({ VIGIL_DATA_DIR: dataDir }), pino({ level: 'warn' }));
  if (schema === 'table only') {
    for (const view of await viewsOn(store, 'otel_traces')) await store.write.command({ query: `DROP VIEW ${view}` });
  }
  const requests = Array.from({ length: 20 }, () => decodeTraceRequest(makeRequest.traces(512)));
  let next = 0;
  const blocks = Array.from({ length: Math.ceil(spans / rowsPerInsert) }, () => {
    const block = tracesBlock();
    while (block.rows < rowsPerInsert) appendTraces(requests[next++ % requests.length]!, block);
    return { names: block.names, bytes: block.encode() };
  });

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const block of blocks) await store.insertNative('otel_traces', block.names, block.bytes);
  const insertSeconds = (performance.now() - started) / 1000;
  const cpuInserting = process.cpuUsage(cpuBefore);
  await settleMerges(store);
  const cpuAll = process.cpuUsage(cpuBefore);
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  const usPerSpan = (c: NodeJS.CpuUsage) => (c.user + c.system) / (blocks.length * rowsPerInsert);
  return {
    schema,
    rowsPerInsert,
    inserts: blocks.length,
    insertSeconds,
    cpuUsPerSpanInserting: usPerSpan(cpuInserting),
    cpuUsPerSpanWithMerges: usPerSpan(cpuAll),
  };
}

const [, , mode, schemaArg, rowsArg] = process.argv;
if (mode === '--case') {
  process.stdout.write(JSON.stringify(await runCase(schemaArg as Schema, Number(rowsArg))));
} else {
  const run = promisify(execFile);
  const cases: Array<[Schema, number]> = [
    ['full', 20_000],
    ['full', 100_000],
    ['table only', 5_000],
    ['table only', 20_000],
    ['table only', 100_000],
  ];
  const results: CaseResult[] = [];
  for (const [schema, rows] of cases) {
    const self = fileURLToPath(import.meta.url);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', self, '--case', schema, String(rows)], { maxBuffer: 1 << 20 });
    results.push(JSON.parse(stdout));
  }
  console.log(`\nEngine CPU per span by rows per insert (${spans.toLocaleString('en')} spans per case, all threads, merges included)\n`);
  console.log('| schema | rows per insert | inserts | insert s | CPU us/span inserting | CPU us/span incl. merges |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.schema} | ${r.rowsPerInsert.toLocaleString('en')} | ${r.inserts} | ${r.insertSeconds.toFixed(1)} | ${r.cpuUsPerSpanInserting.toFixed(1)} | ${r.cpuUsPerSpanWithMerges.toFixed(1)} |`,
    );
  }
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${cpus().length} cores)`);
  const report = { at: new Date().toISOString(), spansPerCase: spans, loadAverage: loadavg(), results };
  writeFileSync(new URL(`results/insert-${report.at.replace(/[:.]/g, '-')}.json`, import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
}
