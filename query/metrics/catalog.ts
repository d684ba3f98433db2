// The tag catalogue behind Atlas's tags API (GET /api/v1/tags[/{key}]): which tag keys and
// values the series matching a query carry, with how many series carry each value. Metric
// series come from the series catalogue (vigil_metric_series, every retained series); span
// series (vigil.span.*) from the span rollup of the last `spanLookbackMs`.
import type { ClickHouseClient } from '@clickhouse/client';
import type { TagQuery } from '../asl/types.ts';
import { catalogueTag, type Params, SPAN_ROW_TAGS, SPAN_SERIES_LIST, spanTag, tagCondition } from './sql.ts';

export interface TagCatalogOptions {
  /** How far back span series count as existing (default 24 h). */
  spanLookbackMs?: number;
  now?: () => number;
}

/** (key, value, series) triples of the matching series, from both sources. */
function pairsSql(query: TagQuery, params: Params): string {
  const metricCondition = tagCondition(query, catalogueTag, params);
  const spanCondition = tagCondition(query, spanTag, params);
  return `SELECT pair.1 AS key, pair.2 AS value, series
    FROM (
        SELECT SeriesId AS series, arrayConcat([('name', toString(MetricName))], arrayZip(mapKeys(tags), mapValues(tags))) AS pairs
        FROM (SELECT MetricName, SeriesId, Tags AS tags FROM vigil_metric_series FINAL WHERE ${metricCondition})
        UNION ALL
        SELECT cityHash64(tags) AS series, arrayZip(mapKeys(tags), mapValues(tags)) AS pairs
        FROM (
            SELECT DISTINCT ${SPAN_ROW_TAGS} AS tags
            FROM (
                SELECT DISTINCT ServiceName, ServiceVersion, SpanName, SpanKind, StatusCode
                FROM vigil_span_red_version_1m
                WHERE Minute >= toDateTime(intDiv({since:Int64}, 1000))
            )
            ARRAY JOIN ${SPAN_SERIES_LIST} AS series
            WHERE ${spanCondition}
        )
    )
    ARRAY JOIN pairs AS pair`;
}

/** Keys and values of the series matching a query, in order, paged Atlas style (after `offset`). */
export class ClickHouseTagCatalog {
  private readonly spanLookbackMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: ClickHouseClient,
    options: TagCatalogOptions = {},
  ) {
    this.spanLookbackMs = options.spanLookbackMs ?? 86_400_000;
    this.now = options.now ?? Date.now;
  }

  /** Tag keys (`name` included), ascending, those after `offset`. */
  async keys(query: TagQuery, limit: number, offset: string): Promise<string[]> {
    const params: Params = { since: this.now() - this.spanLookbackMs, limit, offset };
    const sql = `SELECT key FROM (${pairsSql(query, params)})
        WHERE key > {offset:String} GROUP BY key ORDER BY key LIMIT {limit:UInt32}`;
    return (await this.rows<{ key: string }>(sql, params)).map((r) => r.key);
  }

  /**
   * Values of `key` ('' = every key) with the number of series carrying each, ascending,
   * those after `offset` (a value, or `key,value` when every key is listed). Plain values
   * unless `verbose`.
   */
  async values(key: string, query: TagQuery, limit: number, offset: string, verbose: boolean): Promise<string[] | Array<{ key: string; value: string; count: number }>> {
    const params: Params = { since: this.now() - this.spanLookbackMs, limit, key };
    let after = 'value > {offset:String}';
    if (key === '') {
      const comma = offset.indexOf(',');
      params.offsetKey = comma === -1 ? offset : offset.slice(0, comma);
      params.offset = comma === -1 ? '' : offset.slice(comma + 1);
      after = '(key, value) > ({offsetKey:String}, {offset:String})';
    } else {
      params.offset = offset;
    }
    const sql = `SELECT key, value, uniqExact(series) AS count FROM (${pairsSql(query, params)})
        WHERE ({key:String} = '' OR key = {key:String}) AND ${after}
        GROUP BY key, value ORDER BY key, value LIMIT {limit:UInt32}`;
    const rows = await this.rows<{ key: string; value: string; count: string }>(sql, params);
    return verbose ? rows.map((r) => ({ key: r.key, value: r.value, count: Number(r.count) })) : rows.map((r) => r.value);
  }

  private async rows<T>(query: string, params: Params): Promise<T[]> {
    const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }
}
