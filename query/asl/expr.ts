// What the interpreter leaves on the stack: strings, lists, queries, time series
// expressions (a tree, evaluated once the data is fetched) and styled expressions.
// Expressions are built first and evaluated later, as in Atlas, because words such
// as `:by`, `:offset`, `:cq` and `:cf-*` rewrite an expression after it was built.
import type { Aggregation, Consolidation, LineStyle, TagQuery } from './types.ts';

/** One fetch from the store: a data word (`:sum`, `:max`, `:by`, `:all`, ...). */
export interface DataNode {
  readonly query: TagQuery;
  readonly fn: Aggregation | 'all';
  /** null: not grouped; `:by` sets the keys. */
  readonly groupBy: readonly string[] | null;
  /** `:cf-*`; null means the default for `fn` (avg for sum/count/all, min for min, max for max). */
  readonly cf: Consolidation | null;
  readonly offsetMs: number;
}

export type Stat = 'avg' | 'max' | 'min' | 'last' | 'count' | 'total';
export type LineAggregation = 'sum' | 'count' | 'min' | 'max';

export type TsExpr =
  | { readonly kind: 'data'; readonly data: DataNode }
  | {
      readonly kind: 'percentiles';
      readonly query: TagQuery;
      readonly groupBy: readonly string[];
      readonly percentiles: readonly number[];
      readonly offsetMs: number;
    }
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'random'; readonly seed: number | null }
  | { readonly kind: 'time'; readonly mode: string }
  | { readonly kind: 'time-span'; readonly start: string; readonly end: string }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly arg: number; readonly expr: TsExpr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: TsExpr; readonly right: TsExpr }
  /** `:sum`/`:count`/`:min`/`:max` over the lines of an expression, optionally `:by` keys. */
  | { readonly kind: 'aggregate'; readonly fn: LineAggregation; readonly expr: TsExpr; readonly groupBy: readonly string[] | null }
  | { readonly kind: 'as'; readonly expr: TsExpr; readonly from: string; readonly to: string }
  /** A macro over queries (`:avg`, `:dist-avg`, ...): `:by` regroups every data word inside. */
  | { readonly kind: 'rewrite'; readonly name: string; readonly expr: TsExpr }
  | { readonly kind: 'stateful'; readonly op: StatefulOp; readonly params: readonly number[]; readonly expr: TsExpr }
  | { readonly kind: 'stat'; readonly stat: Stat; readonly expr: TsExpr }
  /** `:stat-max` etc.: stands for `max,:stat` of the first argument of `:filter`. */
  | { readonly kind: 'stat-ref'; readonly stat: Stat }
  | { readonly kind: 'filter'; readonly expr: TsExpr; readonly condition: TsExpr }
  | {
      readonly kind: 'priority';
      readonly order: 'top' | 'bottom';
      readonly others: LineAggregation | 'avg' | null;
      readonly stat: Stat;
      readonly k: number;
      readonly expr: TsExpr;
    };

export type UnaryOp = 'abs' | 'neg' | 'sin' | 'sqrt' | 'per-step' | 'clamp-min' | 'clamp-max';
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow'
  | 'gt' | 'ge' | 'lt' | 'le'
  | 'fadd' | 'fsub' | 'fmul' | 'fdiv'
  | 'and' | 'or';
export type StatefulOp =
  | 'delay' | 'rolling-count' | 'rolling-min' | 'rolling-max' | 'rolling-mean' | 'rolling-sum'
  | 'des' | 'sdes' | 'trend' | 'integral' | 'cumulative-max' | 'derivative';

export type SortBy = 'legend' | Stat;

/** Settings of the style vocabulary, applied to every line of one expression. */
export interface StyleSettings {
  readonly legend?: string;
  readonly color?: string;
  readonly alpha?: number;
  readonly palette?: string;
  readonly lineStyle?: LineStyle;
  readonly lineWidth?: number;
  readonly axis?: number;
  readonly decode?: 'none' | 'hex';
  /** `:s` search-and-replace on the legend, in order. */
  readonly replacements?: readonly { readonly search: string; readonly replace: string }[];
  readonly sort?: SortBy;
  readonly order?: 'asc' | 'desc';
  readonly limit?: number;
  /** `(,0h,1w,),:offset`: the expression is drawn once per offset. */
  readonly offsets?: readonly number[];
}

export type Value =
  /** `position`: offset in the program, or -1 for strings computed by words (`:format`). */
  | { readonly type: 'string'; readonly text: string; readonly position: number }
  | { readonly type: 'list'; readonly items: readonly Value[] }
  | { readonly type: 'query'; readonly query: TagQuery }
  | { readonly type: 'expr'; readonly expr: TsExpr }
  | { readonly type: 'styled'; readonly expr: TsExpr; readonly style: StyleSettings };

export function describe(value: Value): string {
  switch (value.type) {
    case 'string':
      return `the string ${JSON.stringify(value.text)}`;
    case 'list':
      return `a list of ${value.items.length} item(s)`;
    case 'query':
      return 'a query';
    case 'expr':
      return 'a time series expression';
    case 'styled':
      return 'a styled expression';
  }
}
