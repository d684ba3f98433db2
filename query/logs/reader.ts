// Reads log records for the native API (SQL in sql.ts), mapped into the API's JSON model.
import type { ClickHouseClient } from '@clickhouse/client';
import type { NsRange } from '../params.ts';
import { type LogFilter, type LogSearch } from './params.ts';
import { LOGS_OF_TRACE, logSearchSql, logVolumeSql } from './sql.ts';

type Pairs = Array<[string, string]>;

/** A log record as the API answers it. Nanoseconds as decimal strings, milliseconds as numbers. */
export interface LogRecord {
  timeNs: string;
  timeMs: number;
  observedTimeNs: string;
  service: string;
  severityText: string;
  severityNumber: number;
  body: string;
  /** '' when the record has no trace context. */
  traceId: string;
  spanId: string;
  traceFlags: number;
  eventName: string;
  attributes: Record<string, string>;
  resource: Record<string, string>;
  scope: { name: string; version: string; attributes: Record<string, string> };
}

/** A record with the hash that breaks ties between records of the same nanosecond (for cursors). */
export interface LogRow {
  record: LogRecord;
  hash: string;
}

export interface VolumeRow {
  bucketNs: string;
  severity: string;
  count: number;
}

/**
 * Reads log records.
 *
 * Contract: every method reads only; failures reject with the client's error (the error
 * mapper answers 500). Returned objects belong to the caller.
 * - search: records matching every condition, newest first (ties by hash, descending), at
 *   most `limit`, strictly after `after` when given.
 * - volume: counts per (aligned bucket start, severity name), only non-empty pairs, ordered.
 * - ofTrace: the trace's records within `range`, oldest first, in batches as they stream in.
 */
export interface LogReader {
  search(q: LogSearch): Promise<LogRow[]>;
  volume(f: LogFilter, stepNs: bigint): Promise<VolumeRow[]>;
  ofTrace(traceId: string, range: NsRange): AsyncIterable<LogRecord[]>;
}

const SETTINGS = { output_format_json_quote_64bit_integers: 1 } as const;

interface Row {
  timeNs: string;
  observedTimeNs: string;
  rowHash: string;
  service: string;
  severityText: string;
  severityNumber: number;
  body: string;
  traceId: string;
  spanId: string;
  traceFlags: number;
  eventName: string;
  attributes: Pairs;
  resource: Pairs;
  scopeName: string;
  scopeVersion: string;
  scopeAttributes: Pairs;
}

function toRecord(r: Row): LogRecord {
  return {
    timeNs: r.timeNs,
    timeMs: Number(BigInt(r.timeNs) / 1_000_000n),
    observedTimeNs: r.observedTimeNs,
    service: r.service,
    severityText: r.severityText,
    severityNumber: r.severityNumber,
    body: r.body,
    traceId: r.traceId,
    spanId: r.spanId,
    traceFlags: r.traceFlags,
    eventName: r.eventName,
    attributes: Object.fromEntries(r.attributes),
    resource: Object.fromEntries(r.resource),
    scope: { name: r.scopeName, version: r.scopeVersion, attributes: Object.fromEntries(r.scopeAttributes) },
  };
}

export class ClickHouseLogReader implements LogReader {
  constructor(private readonly client: ClickHouseClient) {}

  async search(q: LogSearch): Promise<LogRow[]> {
    const { query, params } = logSearchSql(q);
    const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: SETTINGS });
    return (await result.json<Row>()).map((r) => ({ record: toRecord(r), hash: r.rowHash }));
  }

  async volume(f: LogFilter, stepNs: bigint): Promise<VolumeRow[]> {
    const { query, params } = logVolumeSql(f, stepNs);
    const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: SETTINGS });
    const rows = await result.json<{ bucketNs: string; severity: string; count: string }>();
    return rows.map((r) => ({ bucketNs: r.bucketNs, severity: r.severity, count: Number(r.count) }));
  }

  async *ofTrace(traceId: string, range: NsRange): AsyncIterable<LogRecord[]> {
    const result = await this.client.query({
      query: LOGS_OF_TRACE,
      query_params: { traceId, start: range.startNs.toString(), end: range.endNs.toString() },
      format: 'JSONEachRow',
      clickhouse_settings: SETTINGS,
    });
    for await (const rows of result.stream<Row>()) yield rows.map((row) => toRecord(row.json()));
  }
}
