// The attribute lookup (vigil_trace_attributes, schemas/migrations/0011_trace_attributes.sql):
// trace ids by hash of (key, value) and minute. A search with `key=value` conditions first takes
// the traces the lookup lists for every such pair in the range's minutes, then checks all its
// conditions on those traces' spans in vigil_traces_by_id (a contiguous range per trace), instead
// of reading every attribute map of the range in otel_traces. The lookup is a superset (minutes,
// hash collisions); the check on the spans decides. `!=` and `=~` have no lookup: searches with
// only those read otel_traces as before. Spans stored before the migration have no lookup rows:
// searches whose range reaches them read otel_traces (see AttributeLookup).
import type { ClickHouseClient } from '@clickhouse/client';

const MAX_DATETIME = 4_294_967_295n;

/** A `key = value` condition to look up. */
export interface LookupPair {
  key: string;
  value: string;
}

/**
 * Where a search reads spans (what follows FROM, before its WHERE). With pairs, the spans of
 * the traces listed for every pair between the minutes of `fromSeconds` and `toSeconds` (unix
 * seconds); without, otel_traces. The trace ids go in PREWHERE: the engine keeps an IN over a
 * subquery in WHERE, and then read the attribute maps of every granule the set's ids fall in,
 * in every part (at 10M spans, 3x slower). Sets the parameters it uses (l0k, l0v, ...,
 * lookupFrom, lookupTo) in `params`.
 */
export function spanSource(
  pairs: readonly LookupPair[],
  fromSeconds: bigint,
  toSeconds: bigint,
  params: Record<string, unknown>,
): string {
  if (pairs.length === 0) return 'otel_traces';
  // Minute is a DateTime (unsigned 32-bit seconds): clamp, then the minute of the start.
  const clamp = (s: bigint) => (s < 0n ? 0n : s > MAX_DATETIME ? MAX_DATETIME : s);
  params.lookupFrom = ((clamp(fromSeconds) / 60n) * 60n).toString();
  params.lookupTo = clamp(toSeconds).toString();
  const traces = pairs.map(({ key, value }, i) => {
    const k = `l${i}k`;
    const v = `l${i}v`;
    params[k] = key;
    params[v] = value;
    return `TraceId IN (
        SELECT lower(hex(TraceId)) FROM vigil_trace_attributes
        WHERE Attribute = cityHash64({${k}:String}, {${v}:String})
          AND Minute >= toDateTime({lookupFrom:Int64}) AND Minute <= toDateTime({lookupTo:Int64})
      )`;
  });
  return `vigil_traces_by_id\n    PREWHERE ${traces.join('\n      AND ')}`;
}

/**
 * Start times (unix ns) of the spans stored before the lookup existed (ingested in a second
 * before the one migration 0011 was recorded in; Vigil migrates before it ingests): they have no
 * lookup rows. None after a fresh install; after an upgrade, those spans until they expire.
 */
export const UNINDEXED_SPANS = `
SELECT count() AS spans, toUnixTimestamp64Nano(min(Timestamp)) AS fromNs, toUnixTimestamp64Nano(max(Timestamp)) AS toNs
FROM otel_traces
WHERE IngestTime < (SELECT toDateTime(min(applied_at)) FROM vigil_schema_migrations WHERE version = 11)`;

/**
 * Whether a search over a range may use the lookup: yes unless the range reaches spans stored
 * before it existed. Those are found once per process (a scan of otel_traces' IngestTime, on the
 * first attribute search); until the process restarts, their time span keeps reading otel_traces,
 * which is always correct, only slower.
 */
export class AttributeLookup {
  private static readonly byClient = new WeakMap<ClickHouseClient, AttributeLookup>();
  private unindexed: Promise<{ fromNs: bigint; toNs: bigint } | null> | undefined;

  private constructor(private readonly client: ClickHouseClient) {}

  /** The one lookup of a client, shared by the Jaeger and native readers: the scan runs once. */
  static of(client: ClickHouseClient): AttributeLookup {
    let lookup = AttributeLookup.byClient.get(client);
    if (lookup === undefined) {
      lookup = new AttributeLookup(client);
      AttributeLookup.byClient.set(client, lookup);
    }
    return lookup;
  }

  async covers(startNs: bigint, endNs: bigint): Promise<boolean> {
    this.unindexed ??= this.readUnindexed();
    let before: { fromNs: bigint; toNs: bigint } | null;
    try {
      before = await this.unindexed;
    } catch (error) {
      this.unindexed = undefined; // asked again next time
      throw error;
    }
    return before === null || endNs < before.fromNs || startNs > before.toNs;
  }

  private async readUnindexed(): Promise<{ fromNs: bigint; toNs: bigint } | null> {
    const result = await this.client.query({
      query: UNINDEXED_SPANS,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    const [row] = await result.json<{ spans: string; fromNs: string; toNs: string }>();
    return row === undefined || row.spans === '0' ? null : { fromNs: BigInt(row.fromNs), toNs: BigInt(row.toNs) };
  }
}
