// npm run bench:decode — per-item cost of turning a 512-item OTLP protobuf request into
// Native columns, object-model path (decode + rows) against the fused path, per signal.
// Both paths run in one process, alternating, 30 rounds of 20 requests; medians.
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
