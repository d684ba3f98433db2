// The attribute lookup (vigil_trace_attributes, schemas/migrations/0011_trace_attributes.sql):
// trace ids by hash of (key, value) and minute. A search with `key=value` conditions first takes
// the traces the lookup lists for every such pair in the range's minutes, then checks all its
// conditions on those traces' spans in vigil_traces_by_id (a contiguous range per trace), instead
// of reading every attribute map of the range in otel_traces. The lookup is a superset (minutes,
// hash collisions); the check on the spans decides. `!=` and `=~` have no lookup: searches with
// only those read otel_traces as before.

const MAX_DATETIME = 4_294_967_295n;

/** A `key = value` condition to look up. */
export interface LookupPair {
  key: string;
  value: string;
}

/**
 * Where a search reads spans: `table` and the conditions to add to its WHERE. With pairs, the
 * spans of the traces listed for every pair between the minutes of `fromSeconds` and
 * `toSeconds` (unix seconds); without, otel_traces. Sets the parameters it uses (l0k, l0v, ...,
 * lookupFrom, lookupTo) in `params`.
 */
export function spanSource(
  pairs: readonly LookupPair[],
  fromSeconds: bigint,
  toSeconds: bigint,
  params: Record<string, unknown>,
): { table: string; where: string[] } {
  if (pairs.length === 0) return { table: 'otel_traces', where: [] };
  // Minute is a DateTime (unsigned 32-bit seconds): clamp, then the minute of the start.
  const clamp = (s: bigint) => (s < 0n ? 0n : s > MAX_DATETIME ? MAX_DATETIME : s);
  params.lookupFrom = ((clamp(fromSeconds) / 60n) * 60n).toString();
  params.lookupTo = clamp(toSeconds).toString();
  const where = pairs.map(({ key, value }, i) => {
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
  return { table: 'vigil_traces_by_id', where };
}
