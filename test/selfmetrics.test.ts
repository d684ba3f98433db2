// Vigil's own ingest metrics are stored in Vigil (service.name "vigil") like any other metric.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsJson, post, spansJson, traceId } from './helpers/otlp.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil({ VIGIL_SELF_METRICS_INTERVAL: '1h' });
});
afterAll(async () => {
  await vigil?.stop();
});

describe('self-metrics', () => {
  it('stores request, item, insert and latency metrics that match what happened', async () => {
    const id = traceId();
    const spans = [1, 2, 3].map((i) => ({ traceId: id, spanId: String(i).padStart(16, 'd') }));
    spans.push({ traceId: 'bad', spanId: '4'.padStart(16, 'd') });
    expect((await post(`${vigil.otlpUrl}/v1/traces`, spansJson('self', spans))).status).toBe(200);
    expect((await post(`${vigil.otlpUrl}/v1/logs`, logsJson('self', ['a', 'b']))).status).toBe(200);
    expect((await post(`${vigil.otlpUrl}/v1/logs`, 'not json')).status).toBe(400);

    // Stopping writes a last report; reopen the same data directory to read it.
    await vigil.stop();
    vigil = await startTestVigil({ VIGIL_SELF_METRICS_INTERVAL: '1h' }, vigil.dataDir);
    const sums = await vigil.rows<{ MetricName: string; Attributes: Record<string, string>; Value: number }>(
      `SELECT MetricName, Attributes, Value FROM otel_metrics_sum WHERE ServiceName = 'vigil' ORDER BY MetricName, toString(Attributes)`,
    );
    const value = (name: string, attributes: Record<string, string>) =>
      sums.find((r) => r.MetricName === name && Object.entries(attributes).every(([k, v]) => r.Attributes[k] === v))?.Value;
    expect(value('vigil.ingest.requests', { transport: 'http', signal: 'traces', status: '200' })).toBe(1);
    expect(value('vigil.ingest.requests', { transport: 'http', signal: 'logs', status: '200' })).toBe(1);
    expect(value('vigil.ingest.requests', { transport: 'http', signal: 'logs', status: '400' })).toBe(1);
    expect(value('vigil.ingest.items', { signal: 'traces', outcome: 'stored' })).toBe(3);
    expect(value('vigil.ingest.items', { signal: 'traces', outcome: 'rejected' })).toBe(1);
    expect(value('vigil.ingest.items', { signal: 'logs', outcome: 'stored' })).toBe(2);
    expect(value('vigil.ingest.inserts', { table: 'otel_traces', outcome: 'stored' })).toBeGreaterThanOrEqual(1);

    const [flush] = await vigil.rows<{ Count: string; BucketCounts: string[] }>(
      `SELECT Count, BucketCounts FROM otel_metrics_histogram
       WHERE ServiceName = 'vigil' AND MetricName = 'vigil.ingest.flush.duration' AND Attributes['table'] = 'otel_traces'`,
    );
    expect(Number(flush!.Count)).toBeGreaterThanOrEqual(1);
    const [pending] = await vigil.rows<{ Value: number }>(
      `SELECT Value FROM otel_metrics_gauge WHERE ServiceName = 'vigil' AND MetricName = 'vigil.ingest.pending'`,
    );
    expect(pending!.Value).toBeGreaterThanOrEqual(0);
    const [resource] = await vigil.rows<{ ResourceAttributes: Record<string, string> }>(
      `SELECT ResourceAttributes FROM otel_metrics_sum WHERE ServiceName = 'vigil' LIMIT 1`,
    );
    expect(resource!.ResourceAttributes['service.instance.id']).toMatch(/:\d+$/);
  });
});
