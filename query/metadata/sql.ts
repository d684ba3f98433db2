// The SQL of the metadata endpoints (attribute keys and values for autocomplete), one fixed
// text per signal, built once at start-up from the table and map names below. Always bounded
// by a time range ({start:Int64}, {end:Int64}: unix ns compared as DateTime64(9)).

export type Signal = 'traces' | 'logs';

/** Per signal: its table and its attribute maps with the source name answered for each. */
const SOURCES: Readonly<Record<Signal, { table: string; maps: ReadonlyArray<[column: string, source: string]> }>> = {
  traces: { table: 'otel_traces', maps: [['SpanAttributes', 'span'], ['ResourceAttributes', 'resource']] },
  logs: { table: 'otel_logs', maps: [['LogAttributes', 'log'], ['ResourceAttributes', 'resource']] },
};

const TIME = `Timestamp >= fromUnixTimestamp64Nano({start:Int64}) AND Timestamp <= fromUnixTimestamp64Nano({end:Int64})`;
// otel_logs is keyed and partitioned on TimestampTime (DateTime): bound it too, with DateTime values (rounded down to the second).
const LOG_SECONDS = (p: string) => `toDateTime(least(intDiv({${p}:Int64}, 1000000000), 4294967295))`;
const TIME_OF: Readonly<Record<Signal, string>> = {
  traces: TIME,
  logs: `${TIME} AND TimestampTime >= ${LOG_SECONDS('start')} AND TimestampTime <= ${LOG_SECONDS('end')}`,
};

function keysSql(signal: Signal): string {
  const { table, maps } = SOURCES[signal];
  const parts = maps.map(
    ([column, source]) => `    SELECT arrayJoin(mapKeys(${column})) AS key, '${source}' AS source FROM ${table} WHERE ${TIME_OF[signal]}`,
  );
  return `
SELECT key, source, count() AS count
FROM
(
${parts.join('\n    UNION ALL\n')}
)
WHERE startsWith(key, {prefix:String})
GROUP BY key, source
ORDER BY count DESC, key, source
LIMIT {limit:UInt32}`;
}

function valuesSql(signal: Signal): string {
  const { table, maps } = SOURCES[signal];
  const parts = maps.map(
    ([column]) =>
      `    SELECT ${column}[{key:String}] AS value FROM ${table} WHERE ${TIME_OF[signal]} AND mapContains(${column}, {key:String})`,
  );
  return `
SELECT value, count() AS count
FROM
(
${parts.join('\n    UNION ALL\n')}
)
WHERE startsWith(value, {prefix:String})
GROUP BY value
ORDER BY count DESC, value
LIMIT {limit:UInt32}`;
}

/** Attribute keys with the number of spans/records carrying them, most frequent first. */
export const ATTRIBUTE_KEYS: Readonly<Record<Signal, string>> = { traces: keysSql('traces'), logs: keysSql('logs') };
/** Values of one attribute key (either map) with their counts, most frequent first. */
export const ATTRIBUTE_VALUES: Readonly<Record<Signal, string>> = { traces: valuesSql('traces'), logs: valuesSql('logs') };
