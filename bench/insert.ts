// npm run bench:insert — what one insert of span rows costs the embedded engine: by batch
// size (fixed cost vs cost per row), and how much the trace-id view and the skip indexes on
// the attribute maps add. 5 inserts per case, medians.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { decodeTraceRequest } from '../ingest/otlp/protobuf.ts';
import { appendTraces, tracesBlock } from '../ingest/rows/traces.ts';
import { openStore, storeConfigFromEnv } from '../schemas/store.ts';
import { makeRequest } from './requests.ts';

const store = await openStore(storeConfigFromEnv({ VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-insert-')) }), pino({ level: 'warn' }));
const requests = Array.from({ length: 10 }, () => decodeTraceRequest(makeRequest.traces(512)));
const blockOf = (rows: number) => {
  const block = tracesBlock();
  for (let i = 0; block.rows < rows; i++) appendTraces(requests[i % requests.length]!, block);
  return { names: block.names, bytes: block.encode(), rows: block.rows };
};
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
async function insertMs(block: ReturnType<typeof blockOf>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await store.insertNative('otel_traces', block.names, block.bytes);
    ms.push(performance.now() - started);
  }
  return median(ms);
}

console.log('| case | rows per insert | ms per insert | rows/s |');
console.log('| --- | --- | --- | --- |');
const report = (label: string, rows: number, ms: number) =>
  console.log(`| ${label} | ${rows} | ${ms.toFixed(0)} | ${Math.round((rows / ms) * 1000).toLocaleString('en')} |`);
const big = blockOf(20_480);
for (const rows of [512, 2_048, 8_192]) {
  const block = blockOf(rows);
  report('full schema', block.rows, await insertMs(block));
}
report('full schema', big.rows, await insertMs(big));
await store.write.command({ query: 'DROP VIEW otel_traces_trace_id_ts_mv' });
report('without the trace-id view', big.rows, await insertMs(big));
for (const index of ['idx_res_attr_key', 'idx_res_attr_value', 'idx_span_attr_key', 'idx_span_attr_value']) {
  await store.write.command({ query: `ALTER TABLE otel_traces DROP INDEX ${index}` });
}
report('without view and map bloom filters', big.rows, await insertMs(big));
await store.close();
