// The contract between the Atlas stack language (parser and evaluator, query/asl/) and the
// store that fetches series (query/metrics/). The evaluator never sees SQL; the store never
// sees the stack. Filtering, time bucketing, consolidation and grouping run in the store;
// math, stateful, filter and style words run on the fetched series.

/** A tag query (Atlas query vocabulary). Tag values compare as strings. */
export type TagQuery =
  | { readonly op: 'true' }
  | { readonly op: 'false' }
  | { readonly op: 'has'; readonly key: string }
  | {
      readonly op: 'eq' | 'lt' | 'le' | 'gt' | 'ge' | 're' | 'reic' | 'contains' | 'starts' | 'ends';
      readonly key: string;
      readonly value: string;
    }
  | { readonly op: 'in'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'and' | 'or'; readonly left: TagQuery; readonly right: TagQuery }
  | { readonly op: 'not'; readonly query: TagQuery };

/** How the series matched by a query combine into one value per step and group. */
export type Aggregation = 'sum' | 'count' | 'min' | 'max';

/** How finer samples consolidate into one step (Atlas cf-*). */
export type Consolidation = 'avg' | 'sum' | 'min' | 'max';

/** What the store fetches for one data word (`:sum`, `:max`, `:by`, `:all`, ...). */
export interface DataRequest {
  readonly query: TagQuery;
  /** `all` returns every matching series unaggregated, with all its tags. */
  readonly aggregation: Aggregation | 'all';
  /** `:by` keys; series lacking one of them are dropped (Atlas rule). Empty: one line. */
  readonly groupBy: readonly string[];
  readonly consolidation: Consolidation;
  /** `:offset`: fetch the window this many ms earlier; timestamps stay those of the graph. */
  readonly offsetMs: number;
}

/** `:percentiles`: estimated from histogram buckets (or the span latency rollup). */
export interface PercentilesRequest {
  readonly query: TagQuery;
  readonly groupBy: readonly string[];
  /** 0..100, e.g. [50, 90, 99.9]. */
  readonly percentiles: readonly number[];
  readonly offsetMs: number;
}

/** The graph window: `start` is aligned to `step`; one value per step in [start, end). */
export interface Window {
  readonly start: number; // unix ms
  readonly end: number; // unix ms, exclusive
  readonly step: number; // ms
}

export interface Series {
  /** For an aggregate: the query's exact-match (:eq) tags plus the group-by tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** values[i] is the value at start + i*step; NaN where there is no data. */
  readonly values: Float64Array;
}

/** Implemented by the store (query/metrics/). Throws VigilErrors for limits (too many series). */
export interface SeriesSource {
  fetch(request: DataRequest, window: Window): Promise<Series[]>;
  /** One series per group and percentile, tagged `percentile` = `p50`, `p99.9`, ... (Atlas style). */
  percentiles(request: PercentilesRequest, window: Window): Promise<Series[]>;
}

export type LineStyle = 'line' | 'area' | 'stack' | 'vspan' | 'heatmap';

/** One line of a graph, as the evaluator leaves it on the stack (style words applied). */
export interface StyledLine extends Series {
  /** The legend: `:legend` with $(key) substituted, else the default Atlas label. */
  readonly label: string;
  /** The expression that produced the line (Atlas `query` in v2 fetch). */
  readonly expression: string;
  readonly groupByKeys: readonly string[];
  readonly style: {
    readonly lineStyle: LineStyle;
    readonly color?: string; // hex without '#', as Atlas
    readonly alpha?: number; // 0..255
    /** `:palette`: the client picks the line's color from this Atlas palette. */
    readonly palette?: string;
    readonly lineWidth: number;
    readonly axis: number;
  };
}

export interface GraphResult {
  readonly lines: readonly StyledLine[];
  /** Warnings for the user (Atlas `notices`), e.g. a truncated result. */
  readonly notices: readonly string[];
}

/** query/asl/evaluator.ts exports `evaluate` with this signature. */
export type Evaluate = (program: string, window: Window, source: SeriesSource) => Promise<GraphResult>;
