// Vigil's own ingest metrics, stored in Vigil like any other metric (service.name "vigil"),
// so users chart and alert on them with the same queries. Written through the batcher, not
// over the network: a self-report never competes with, or waits behind, client requests'
// admission, and a failed self-report is only logged.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Batcher } from './batcher.ts';
import type { ExportMetricsRequest, Metric } from './otlp/model.ts';
import { appendMetrics } from './rows/metrics.ts';

const nowNanos = () => BigInt(Date.now()) * 1_000_000n;

export function selfMetricsRequest(batcher: Batcher, startNanos: bigint, timeNanos: bigint, instance: string): ExportMetricsRequest {
  const s = batcher.stats;
  const pending: Metric = {
    name: 'vigil.ingest.pending',
    description: 'Bytes accepted and not yet stored (the queue the 429 limit applies to)',
    unit: 'By',
    metadata: [],
    data: {
      type: 'gauge',
      dataPoints: [{ attributes: [], startTimeUnixNano: 0n, timeUnixNano: timeNanos, value: batcher.pending, exemplars: [], flags: 0 }],
    },
  };
  const metrics = [s.requests, s.items, s.inserts, s.batchRows, s.flushDuration].map((m) => m.toMetric(startNanos, timeNanos));
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: 'vigil' },
            { key: 'service.instance.id', value: instance },
            { key: 'host.name', value: hostname() },
          ],
          droppedAttributesCount: 0,
        },
        scopeMetrics: [{ scope: { name: 'vigil.ingest', version: '', attributes: [], droppedAttributesCount: 0 }, metrics: [...metrics, pending], schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

/**
 * Stores the ingest metrics every `intervalMs`. The returned stop function appends a last
 * report without waiting for it: the batcher's close, which follows, stores it.
 */
export function startSelfMetrics(batcher: Batcher, intervalMs: number, log: Logger): () => void {
  const start = nowNanos();
  const instance = `${hostname()}:${process.pid}`;
  const report = () => {
    const request = selfMetricsRequest(batcher, start, nowNanos(), instance);
    try {
      batcher
        .append(0, (blocks) => appendMetrics(request, blocks))
        .committed.catch((error: unknown) => log.warn({ err: error }, 'could not store self-metrics'));
    } catch (error) {
      log.warn({ err: error }, 'could not store self-metrics');
    }
  };
  const timer = setInterval(report, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    report();
  };
}
