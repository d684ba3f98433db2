// npm run bench:decode — per-item cost of turning a 512-item OTLP protobuf request into
// Native columns, object-model path (decode + rows) against the fused path, per signal.
// Both paths run in one process, alternating, 30 rounds of 20 requests; medians. Then a span
// batch from request bytes to the block handed over, fresh memory against reused (see below).
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest } from '../ingest/otlp/protobuf.ts';
import { appendLogs, logsBlock } from '../ingest/rows/logs.ts';
import { appendLogsRequestProtobuf } from '../ingest/rows/logs-protobuf.ts';
import { appendMetrics, metricTables } from '../ingest/rows/metrics.ts';
import { appendMetricsRequestProtobuf } from '../ingest/rows/metrics-protobuf.ts';
import { appendTraces, tracesBlock } from '../ingest/rows/traces.ts';
import { appendTraceRequestProtobuf } from '../ingest/rows/traces-protobuf.ts';
import { type BenchSignal, makeRequest } from './requests.ts';

const ITEMS = 512;
const now = BigInt(Date.now()) * 1_000_000n;
const metricBlocks = () => ({
  otel_metrics_gauge: metricTables.otel_metrics_gauge(),
  otel_metrics_sum: metricTables.otel_metrics_sum(),
  otel_metrics_histogram: metricTables.otel_metrics_histogram(),
  otel_metrics_exponential_histogram: metricTables.otel_metrics_exponential_histogram(),
  otel_metrics_summary: metricTables.otel_metrics_summary(),
});

const paths: Record<BenchSignal, Record<'model' | 'fused', (body: Uint8Array, blocks: any) => unknown>> = {
  traces: {
    model: (b, blocks) => appendTraces(decodeTraceRequest(b), blocks),
    fused: (b, blocks) => appendTraceRequestProtobuf(b, blocks),
  },
  logs: {
    model: (b, blocks) => appendLogs(decodeLogsRequest(b), blocks, now),
    fused: (b, blocks) => appendLogsRequestProtobuf(b, blocks, now),
  },
  metrics: {
    model: (b, blocks) => appendMetrics(decodeMetricsRequest(b), blocks),
    fused: (b, blocks) => appendMetricsRequestProtobuf(b, blocks),
  },
};
const newBlocks: Record<BenchSignal, () => unknown> = { traces: tracesBlock, logs: logsBlock, metrics: metricBlocks };

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
console.log(`| signal | object model us/item | fused us/item | speed-up |`);
console.log(`| --- | --- | --- | --- |`);
for (const signal of ['traces', 'logs', 'metrics'] as const) {
  const bodies = Array.from({ length: 20 }, () => makeRequest[signal](ITEMS));
  const times: Record<'model' | 'fused', number[]> = { model: [], fused: [] };
  for (let round = 0; round < 35; round++) {
    for (const path of round % 2 ? (['fused', 'model'] as const) : (['model', 'fused'] as const)) {
      const blocks = newBlocks[signal]();
      const started = performance.now();
      for (const body of bodies) paths[signal][path](body, blocks);
      if (round >= 5) times[path].push(((performance.now() - started) * 1000) / (bodies.length * ITEMS));
    }
  }
  const [model, fused] = [median(times.model), median(times.fused)];
  console.log(`| ${signal} | ${model.toFixed(2)} | ${fused.toFixed(2)} | ${(model / fused).toFixed(2)}x |`);
}

// A span batch on the main thread, from request bytes to the block handed to the engine
// (ingest/http.ts, ingest/batcher.ts): 100 requests of 512 spans (51,200 spans, ~35 MiB of
// columns) decoded into a block, then handed over. Fresh memory is what costs here: on this
// machine kind a page touched for the first time costs microseconds (the kernel maps and
// zeroes it), so the cases differ in where the bytes land, not in what is computed.
//   fresh:  each request body concatenated from 64 KiB socket chunks into a new buffer, a new
//           block per batch, encoded into one new buffer (what ingest did before).
//   reused: bodies copied into a buffer used before, the block of the previous batch emptied
//           and filled again, handed over as views of its columns (chunks(), written with writev).
// Process CPU (all threads) per span, median of 7 batches after 2 warm-ups.
const BATCH_REQUESTS = 100;
const socketChunks = Array.from({ length: 20 }, () => {
  const body = makeRequest.traces(ITEMS);
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += 64 * 1024) chunks.push(Buffer.from(body.subarray(at, at + 64 * 1024)));
  return { chunks, length: body.length };
});
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
function batchCpu(mode: 'fresh' | 'reused'): number {
  const times: number[] = [];
  let reusedBlock = tracesBlock();
  const bodyBuffer = Buffer.allocUnsafeSlow(1 << 20);
  for (let round = 0; round < 9; round++) {
    const started = cpuNow();
    const block = mode === 'fresh' ? tracesBlock() : reusedBlock;
    for (let i = 0; i < BATCH_REQUESTS; i++) {
      const { chunks, length } = socketChunks[i % socketChunks.length]!;
      let body: Buffer;
      if (mode === 'fresh') body = Buffer.concat(chunks, length);
      else {
        let at = 0;
        for (const chunk of chunks) at += chunk.copy(bodyBuffer, at);
        body = bodyBuffer.subarray(0, length);
      }
      appendTraceRequestProtobuf(body, block);
    }
    const handed = mode === 'fresh' ? [block.encode()] : block.chunks();
    if (handed.length === 0) throw new Error('nothing handed over');
    if (mode === 'reused') {
      block.clear();
      reusedBlock = block;
    }
    if (round >= 2) times.push((cpuNow() - started) / (BATCH_REQUESTS * ITEMS));
  }
  return median(times);
}
console.log(`\n| span batch of ${(BATCH_REQUESTS * ITEMS).toLocaleString('en')}, request bytes to block handed over | CPU us/span |`);
console.log('| --- | --- |');
const batchTimes = { fresh: [] as number[], reused: [] as number[] };
for (let i = 0; i < 3; i++) for (const mode of ['fresh', 'reused'] as const) batchTimes[mode].push(batchCpu(mode));
console.log(`| fresh body, block and buffer (before) | ${median(batchTimes.fresh).toFixed(2)} |`);
console.log(`| reused body buffer and block, views handed over | ${median(batchTimes.reused).toFixed(2)} |`);
