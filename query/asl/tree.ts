// Walks over expression trees: grouping (for joins and `:by`), rewrites of every data
// word inside an expression (`:offset`, `:cq`, `:cf-*`, regrouping a macro) and the
// expression text Atlas reports for a line.
import { formatDuration } from './duration.ts';
import type { DataNode, TsExpr } from './expr.ts';
import { queryText } from './query.ts';
import type { TagQuery } from './types.ts';

// Expressions are immutable and shared (`:dup`), so per-node results are cached: walks stay
// linear in the number of distinct nodes.
const groupings = new WeakMap<TsExpr, readonly string[]>();
const grouped = new WeakMap<TsExpr, boolean>();
const sizes = new WeakMap<TsExpr, number>();

function cached<T>(cache: WeakMap<TsExpr, T>, expr: TsExpr, compute: (e: TsExpr) => T): T {
  const known = cache.get(expr);
  if (known !== undefined) return known;
  const value = compute(expr);
  cache.set(expr, value);
  return value;
}

/** The keys lines of this expression are grouped by (Atlas `finalGrouping`). */
export function finalGrouping(expr: TsExpr): readonly string[] {
  return cached(groupings, expr, computeGrouping);
}

function computeGrouping(expr: TsExpr): readonly string[] {
  switch (expr.kind) {
    case 'data':
      return expr.data.groupBy ?? [];
    case 'percentiles':
      return expr.groupBy;
    case 'aggregate':
      return expr.groupBy ?? [];
    case 'binary': {
      const left = finalGrouping(expr.left);
      const right = finalGrouping(expr.right);
      return right.every((k) => left.includes(k)) ? left : right;
    }
    case 'as':
      return finalGrouping(expr.expr).map((k) => (k === expr.from ? expr.to : k));
    default:
      // Words over one expression (unary, stateful, stat, filter, priority, rewrite) keep its grouping.
      return 'expr' in expr ? finalGrouping(expr.expr) : [];
  }
}

export function isGrouped(expr: TsExpr): boolean {
  return cached(grouped, expr, computeIsGrouped);
}

function computeIsGrouped(expr: TsExpr): boolean {
  switch (expr.kind) {
    case 'data':
      return expr.data.groupBy !== null;
    case 'percentiles':
      return true;
    case 'aggregate':
      return expr.groupBy !== null;
    case 'binary':
      return isGrouped(expr.left) || isGrouped(expr.right);
    default:
      return 'expr' in expr ? isGrouped(expr.expr) : false;
  }
}

/** Direct sub-expressions. */
export function children(expr: TsExpr): TsExpr[] {
  if (expr.kind === 'binary') return [expr.left, expr.right];
  if (expr.kind === 'filter') return [expr.expr, expr.condition];
  return 'expr' in expr ? [expr.expr] : [];
}

/**
 * Nodes of the tree with shared sub-expressions counted each time they are used: `:dup,:add`
 * repeated n times shares one node but means 2^n evaluations, so this is what is limited.
 */
export function expandedSize(expr: TsExpr): number {
  return cached(sizes, expr, (e) => children(e).reduce((total, child) => total + expandedSize(child), 1));
}

/** The expression with `f` applied to each of its direct sub-expressions. */
export function mapChildren(expr: TsExpr, f: (child: TsExpr) => TsExpr): TsExpr {
  switch (expr.kind) {
    case 'binary':
      return { ...expr, left: f(expr.left), right: f(expr.right) };
    case 'filter':
      return { ...expr, expr: f(expr.expr), condition: f(expr.condition) };
    default:
      return 'expr' in expr ? { ...expr, expr: f(expr.expr) } : expr;
  }
}

type Fetching = DataNode | Extract<TsExpr, { kind: 'percentiles' }>;

/** Rebuilds the tree with `f` applied to every data word and `:percentiles` (sharing kept). */
export function mapData(expr: TsExpr, f: <T extends Fetching>(node: T) => T, memo = new Map<TsExpr, TsExpr>()): TsExpr {
  const known = memo.get(expr);
  if (known !== undefined) return known;
  let mapped: TsExpr;
  if (expr.kind === 'data') mapped = { ...expr, data: f(expr.data) };
  else if (expr.kind === 'percentiles') mapped = f(expr);
  else mapped = mapChildren(expr, (child) => mapData(child, f, memo));
  memo.set(expr, mapped);
  return mapped;
}

export function withOffset(expr: TsExpr, offsetMs: number): TsExpr {
  return mapData(expr, (node) => ({ ...node, offsetMs }));
}

export function withCommonQuery(expr: TsExpr, common: (q: TagQuery) => TagQuery): TsExpr {
  return mapData(expr, (node) => ({ ...node, query: common(node.query) }));
}

/** Every data word and percentile request of the expression, in order. */
export function fetches(expr: TsExpr): Fetching[] {
  const found: Fetching[] = [];
  mapData(expr, (node) => {
    found.push(node);
    return node;
  });
  return found;
}

function byText(keys: readonly string[] | null): string {
  return keys === null ? '' : `,(,${keys.join(',')},),:by`;
}

function offsetText(ms: number): string {
  return ms === 0 ? '' : `,${formatDuration(ms)},:offset`;
}

const texts = new WeakMap<TsExpr, string>();

/** The expression in stack-language syntax (Atlas reports it as the line's `query`). */
export function exprText(expr: TsExpr): string {
  return cached(texts, expr, computeText);
}

function computeText(expr: TsExpr): string {
  switch (expr.kind) {
    case 'data': {
      const d = expr.data;
      const cf = d.cf === null ? '' : `,:cf-${d.cf}`;
      return `${queryText(d.query)},:${d.fn}${cf}${byText(d.groupBy)}${offsetText(d.offsetMs)}`;
    }
    case 'percentiles':
      return `${queryText(expr.query)}${expr.groupBy.length > 0 ? byText(expr.groupBy) : ''},(,${expr.percentiles.join(',')},),:percentiles${offsetText(expr.offsetMs)}`;
    case 'const':
      return `${expr.value},:const`;
    case 'random':
      return expr.seed === null ? ':random' : `${expr.seed},:srandom`;
    case 'time':
      return `${expr.mode},:time`;
    case 'time-span':
      return `${expr.start},${expr.end},:time-span`;
    case 'unary':
      return expr.op === 'clamp-min' || expr.op === 'clamp-max'
        ? `${exprText(expr.expr)},${expr.arg},:${expr.op}`
        : `${exprText(expr.expr)},:${expr.op}`;
    case 'binary':
      return `${exprText(expr.left)},${exprText(expr.right)},:${expr.op}`;
    case 'aggregate':
      return `${exprText(expr.expr)},:${expr.fn}${byText(expr.groupBy)}`;
    case 'as':
      return `${exprText(expr.expr)},${expr.from},${expr.to},:as`;
    case 'rewrite':
      return exprText(expr.expr);
    case 'stateful': {
      const params = expr.op === 'trend' ? [formatDuration(expr.params[0]!)] : expr.params;
      return [exprText(expr.expr), ...params, `:${expr.op}`].join(',');
    }
    case 'stat':
      return `${exprText(expr.expr)},${expr.stat},:stat`;
    case 'stat-ref':
      return `:stat-${expr.stat}`;
    case 'filter':
      return `${exprText(expr.expr)},${exprText(expr.condition)},:filter`;
    case 'priority': {
      const others = expr.others === null ? '' : `-others-${expr.others}`;
      return `${exprText(expr.expr)},${expr.stat},${expr.k},:${expr.order}k${others}`;
    }
  }
}
