// Reads attribute keys and values for autocomplete (SQL in sql.ts).
import type { ClickHouseClient } from '@clickhouse/client';
import type { AttributeKeysQuery, AttributeValuesQuery } from './params.ts';
import { ATTRIBUTE_KEYS, ATTRIBUTE_VALUES } from './sql.ts';

export interface AttributeKey {
  key: string;
  /** Which map holds it: span or log (the signal's own attributes) or resource. */
  source: 'span' | 'log' | 'resource';
  /** Spans or log records in the range carrying it. */
  count: number;
}

export interface AttributeValue {
  value: string;
  count: number;
}

/**
 * Contract: reads only, always within the query's time range; failures reject with the
 * client's error. Most frequent first (ties by key/value), at most `limit`; keys/values
 * starting with `prefix` (case-sensitive). Nothing in range gives [].
 */
export interface MetadataReader {
  keys(q: AttributeKeysQuery): Promise<AttributeKey[]>;
  values(q: AttributeValuesQuery): Promise<AttributeValue[]>;
}

export class ClickHouseMetadataReader implements MetadataReader {
  constructor(private readonly client: ClickHouseClient) {}

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const result = await this.client.query({
      query,
      query_params: params,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    return result.json<T>();
  }

  async keys(q: AttributeKeysQuery): Promise<AttributeKey[]> {
    const rows = await this.rows<{ key: string; source: AttributeKey['source']; count: string }>(ATTRIBUTE_KEYS[q.signal], {
      start: q.range.startNs.toString(),
      end: q.range.endNs.toString(),
      prefix: q.prefix,
      limit: q.limit,
    });
    return rows.map((r) => ({ key: r.key, source: r.source, count: Number(r.count) }));
  }

  async values(q: AttributeValuesQuery): Promise<AttributeValue[]> {
    const rows = await this.rows<{ value: string; count: string }>(ATTRIBUTE_VALUES[q.signal], {
      start: q.range.startNs.toString(),
      end: q.range.endNs.toString(),
      key: q.key,
      prefix: q.prefix,
      limit: q.limit,
    });
    return rows.map((r) => ({ value: r.value, count: Number(r.count) }));
  }
}
