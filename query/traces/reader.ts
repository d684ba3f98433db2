// Reads trace summaries for the native API (SQL in sql.ts). Whole traces are read with the
// Jaeger API's TraceReader.spans (from the spans ordered by trace id).
import type { ClickHouseClient } from '@clickhouse/client';
import { AttributeLookup } from './attribute-lookup.ts';
import type { TraceSearch } from './params.ts';
import { traceSearchSql } from './sql.ts';
import { type TraceSummary, nsToMs } from './model.ts';

/**
 * Contract: reads only; failures reject with the client's error (answered 500). Returns the
 * summaries of traces with at least one span in the range matching every condition, ordered by
 * the sort key then trace id (both descending), strictly after `after`, at most `limit`.
 * A summary covers the whole trace.
 */
export interface TraceSummaryReader {
  search(q: TraceSearch): Promise<TraceSummary[]>;
}

interface Row {
  traceId: string;
  startNs: string;
  durationNs: string;
  spanCount: string;
  errorCount: string;
  rootService: string;
  rootOperation: string;
  services: [string[], string[]];
}

export class ClickHouseTraceSummaryReader implements TraceSummaryReader {
  private readonly lookup: AttributeLookup;

  constructor(private readonly client: ClickHouseClient) {
    this.lookup = AttributeLookup.of(client);
  }

  async search(q: TraceSearch): Promise<TraceSummary[]> {
    const lookup = q.attributes.some((f) => f.op === '=') && (await this.lookup.covers(q.range.startNs, q.range.endNs));
    const { query, params } = traceSearchSql(q, { lookup });
    const result = await this.client.query({
      query,
      query_params: params,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    return (await result.json<Row>()).map((r) => ({
      traceId: r.traceId,
      rootService: r.rootService,
      rootOperation: r.rootOperation,
      startNs: r.startNs,
      startMs: nsToMs(BigInt(r.startNs)),
      durationNs: r.durationNs,
      durationMs: nsToMs(BigInt(r.durationNs)),
      spanCount: Number(r.spanCount),
      errorCount: Number(r.errorCount),
      services: r.services[0].map((service, i) => ({ service, spanCount: Number(r.services[1][i] ?? 0) })),
    }));
  }
}
