// Reads the span rollups (vigil_span_red_1m, vigil_service_edges_1m) for the services API and,
// through DependencyReader, for Jaeger's /api/dependencies.
import type { ClickHouseClient } from '@clickhouse/client';
import type { TimeRange } from '../jaeger/params.ts';
import type { DependencyLink, DependencyReader } from '../jaeger/reader.ts';
import { OPERATION_SERIES, QUANTILE_LEVELS, SERVICE_EDGES, SERVICES_OVERVIEW } from './sql.ts';

/** Minute-aligned unix seconds: the rollups' resolution. */
export interface MinuteRange {
  /** First minute (inclusive), unix seconds, a multiple of 60. */
  startS: number;
  /** Last minute (inclusive), unix seconds, a multiple of 60. */
  endS: number;
}

const DATETIME_MAX_S = 4_294_967_295;

/** The minutes whose buckets overlap [startUs, endUs] (DateTime ends in 2106: later is clamped). */
export function minuteRange(range: TimeRange): MinuteRange {
  const floorMinute = (us: number) => Math.floor(Math.min(Math.floor(us / 1_000_000), DATETIME_MAX_S) / 60) * 60;
  return { startS: floorMinute(range.startUs), endS: floorMinute(range.endUs) };
}

/** Duration quantiles in nanoseconds (t-digest estimates). */
export interface Quantiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export interface ServiceStats {
  service: string;
  calls: number;
  errors: number;
  quantiles: Quantiles;
}

export interface OperationBucket {
  name: string;
  /** As stored ('Server', ...). */
  kind: string;
  /** Index of the step bucket from the range's first minute. */
  bucket: number;
  calls: number;
  errors: number;
  quantiles: Quantiles;
}

export interface ServiceEdge {
  parent: string;
  child: string;
  calls: number;
  errors: number;
}

/**
 * Reads the rollups.
 *
 * Contract: reads only; failures reject with the client's error. Ranges are whole minutes,
 * both ends inclusive. overview: one entry per service with calls in range (kinds [] = all
 * kinds), sorted by service. operationSeries: one entry per (operation, kind, bucket) with
 * calls, sorted by name, kind, bucket; stepS is a positive multiple of 60. edges: one entry
 * per (parent, child) with calls, sorted by parent then child. Nothing in range gives [].
 */
export interface ServiceMetricsReader {
  overview(range: MinuteRange, kinds: readonly string[]): Promise<ServiceStats[]>;
  operationSeries(service: string, range: MinuteRange, stepS: number): Promise<OperationBucket[]>;
  edges(range: MinuteRange): Promise<ServiceEdge[]>;
}

const SETTINGS = { output_format_json_quote_64bit_integers: 1 } as const;

function quantiles(values: number[]): Quantiles {
  const at = (level: number) => Number(values[QUANTILE_LEVELS.indexOf(level as (typeof QUANTILE_LEVELS)[number])] ?? 0);
  return { p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99) };
}

type Counted<T> = Omit<T, 'calls' | 'errors' | 'quantiles' | 'bucket'> & { calls: string; errors: string; quantiles?: number[]; bucket?: string | number };

export class ClickHouseServiceMetricsReader implements ServiceMetricsReader {
  constructor(private readonly client: ClickHouseClient) {}

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: SETTINGS });
    return result.json<T>();
  }

  async overview(range: MinuteRange, kinds: readonly string[]): Promise<ServiceStats[]> {
    const rows = await this.rows<Counted<ServiceStats>>(SERVICES_OVERVIEW, { start: range.startS, end: range.endS, kinds });
    return rows.map((r) => ({ service: r.service, calls: Number(r.calls), errors: Number(r.errors), quantiles: quantiles(r.quantiles ?? []) }));
  }

  async operationSeries(service: string, range: MinuteRange, stepS: number): Promise<OperationBucket[]> {
    const rows = await this.rows<Counted<OperationBucket>>(OPERATION_SERIES, { service, start: range.startS, end: range.endS, step: stepS });
    return rows.map((r) => ({
      name: r.name,
      kind: r.kind,
      bucket: Number(r.bucket),
      calls: Number(r.calls),
      errors: Number(r.errors),
      quantiles: quantiles(r.quantiles ?? []),
    }));
  }

  async edges(range: MinuteRange): Promise<ServiceEdge[]> {
    const rows = await this.rows<Counted<ServiceEdge>>(SERVICE_EDGES, { start: range.startS, end: range.endS });
    return rows.map((r) => ({ parent: r.parent, child: r.child, calls: Number(r.calls), errors: Number(r.errors) }));
  }
}

/**
 * Jaeger's dependencies from the edge rollup. The rollup counts per minute, so a range is
 * widened to the whole minutes it touches.
 */
export class RollupDependencyReader implements DependencyReader {
  constructor(private readonly reader: ServiceMetricsReader) {}

  async dependencies(range: TimeRange): Promise<DependencyLink[]> {
    const edges = await this.reader.edges(minuteRange(range));
    return edges.map((e) => ({ parent: e.parent, child: e.child, callCount: e.calls }));
  }
}
