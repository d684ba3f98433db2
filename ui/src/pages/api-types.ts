// Shapes of the API answers the pages read (the server's own types where it exports them).
export type { Span, TraceSummary } from '../../../query/traces/model.ts';
export type { LogRecord } from '../../../query/logs/reader.ts';
export type { LogVolume, LogPage } from '../../../query/logs/service.ts';
export type { ServiceEdge } from '../../../query/services/reader.ts';
export type { TraceDetail, TracePage } from '../../../query/traces/service.ts';
import type { ServiceEdge } from '../../../query/services/reader.ts';

export interface ServiceOverview {
  service: string;
  calls: number;
  errors: number;
  rate: number;
  errorRatio: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

export interface OverviewAnswer {
  start: number;
  end: number;
  services: ServiceOverview[];
}

export interface OperationSeries {
  name: string;
  spanKind: string;
  calls: number[];
  errors: number[];
  p50Ms: Array<number | null>;
  p90Ms: Array<number | null>;
  p99Ms: Array<number | null>;
}

export interface OperationsAnswer {
  service: string;
  start: number;
  end: number;
  /** Seconds. */
  step: number;
  /** Unix microseconds. */
  timestamps: number[];
  operations: OperationSeries[];
}

export interface DependenciesAnswer {
  start: number;
  end: number;
  edges: ServiceEdge[];
}

export interface JaegerList {
  data: string[] | null;
}
