// The projection spans_by_duration of otel_traces (migration 0014): the span scan of a search by
// service and minimum duration reads it, and answers the same as the table. 200,000 spans over the
// last hour, 5 services, durations 0-999 ms, are made inside the engine (the real insert path:
// every view of otel_traces runs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceSearchSql as jaegerSearchSql } from '../query/jaeger/sql.ts';
import { traceSearchSql } from '../query/traces/sql.ts';
import { openStore, type Store } from '../schemas/store.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-span-durations-'));
const retention = { tracesDays: 7, logsDays: 7, metricsDays: 30 };
let store: Store;
const endNs = BigInt(Date.now()) * 1_000_000n;
const startNs = endNs - 3_600_000_000_000n;

beforeAll(async () => {
  store = await openStore({ user: 'default', password: '', database: 'default', dataDir, retention });
  await store.write.command({
    query: `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ServiceName, SpanName, Duration, StatusCode)
      SELECT fromUnixTimestamp64Nano({end:Int64} - toInt64(number) * 17998000), lower(hex(cityHash64(intDiv(number, 10)))) || lower(hex(cityHash64(intDiv(number, 10), 1))),
        lower(hex(cityHash64(number))), concat('svc-', toString(number % 5)), concat('op-', toString(number % 7)), (number % 1000) * 1000000, 'Unset'
      FROM numbers(200000)`,
    query_params: { end: endNs.toString() },
  });
}, 120_000);

afterAll(async () => {
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The answer and the rows the engine read for it, with or without projections. */
async function run(query: string, params: Record<string, unknown>, projections: boolean): Promise<{ data: unknown[]; readRows: number }> {
  const result = await store.read.query({ query, query_params: params, format: 'JSON', clickhouse_settings: { optimize_use_projections: projections ? 1 : 0 } });
  const { data, statistics } = await result.json<unknown>();
  // No statistics: NaN, which fails every comparison below.
  return { data, readRows: statistics?.rows_read ?? Number.NaN };
}

describe('spans_by_duration', () => {
  const native = traceSearchSql(
    { range: { startNs, endNs }, service: 'svc-1', operation: undefined, minDurationNs: 990_000_000n, maxDurationNs: undefined, status: undefined, attributes: [], sort: 'start', limit: 20, after: undefined },
    { lookup: false },
  );
  const jaeger = jaegerSearchSql({ service: 'svc-1', minDurationNs: 990_000_000n, tags: [], startUs: Number(startNs / 1000n), endUs: Number(endNs / 1000n), limit: 20, lookup: false });

  it.each([
    ['native', native],
    ['Jaeger', jaeger],
  ])('the %s search by service and minimum duration reads it: fewer rows, the same answer', async (_name, { query, params }) => {
    const [on, off] = [await run(query, params, true), await run(query, params, false)];
    expect(on.data).toHaveLength(20);
    expect(on.data).toEqual(off.data);
    // The span scan reads svc-1's 40,000 spans of the hour from the table, the 400 of 990 ms
    // and more from the projection (in their granules of 8,192); the summaries read the same.
    expect(off.readRows).toBeGreaterThan(40_000);
    expect(off.readRows - on.readRows).toBeGreaterThan(20_000);
  });

  it('is not read where it cannot narrow the scan (no duration bound)', async () => {
    const { query, params } = traceSearchSql(
      { range: { startNs, endNs }, service: 'svc-1', operation: 'op-3', minDurationNs: undefined, maxDurationNs: undefined, status: undefined, attributes: [], sort: 'start', limit: 20, after: undefined },
      { lookup: false },
    );
    const [on, off] = [await run(query, params, true), await run(query, params, false)];
    expect(on.readRows).toEqual(off.readRows);
  });
});
