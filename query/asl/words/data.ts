// Data vocabulary: what to fetch (`:all`, `:sum`, `:count`, `:min`, `:max`), grouping
// (`:by`), consolidation (`:cf-*`), time shift (`:offset`) and the common query (`:cq`).
import type { TsExpr } from '../expr.ts';
import { type Word, type WordCall, present, word } from '../interpreter.ts';
import { parseDuration } from '../duration.ts';
import { and } from '../query.ts';
import { finalGrouping, isGrouped, mapChildren, mapData, withCommonQuery, withOffset } from '../tree.ts';
import type { Aggregation, Consolidation } from '../types.ts';

function fetch(fn: Aggregation | 'all'): Word {
  return word(fn, ['query'] as const, 'DataExpr', ([query]) => ({
    type: 'expr',
    expr: { kind: 'data', data: { query, fn, groupBy: null, cf: null, offsetMs: 0 } },
  }));
}

function groupBy(expr: TsExpr, keys: readonly string[], call: WordCall): TsExpr {
  if (keys.length === 0) call.fail('the list of keys is empty');
  switch (expr.kind) {
    case 'data':
      if (expr.data.fn === 'all') call.fail(':all returns every series already; group an aggregate such as :sum');
      if (expr.data.groupBy !== null) call.fail(`the expression is already grouped by (${expr.data.groupBy.join(',')})`);
      return { kind: 'data', data: { ...expr.data, groupBy: keys } };
    case 'aggregate': {
      // Second-level grouping of already grouped lines (Atlas MathExpr.GroupBy).
      const inner = finalGrouping(expr.expr);
      if (expr.groupBy !== null || !isGrouped(expr.expr)) call.fail('grouping the lines of an aggregate needs a grouped input, e.g. :sum,(,a,b,),:by,:max,(,a,),:by');
      const missing = keys.filter((k) => !inner.includes(k));
      if (missing.length > 0) call.fail(`(,${keys.join(',')},) is not a subset of the input grouping (,${inner.join(',')},)`);
      return { ...expr, groupBy: keys };
    }
    case 'rewrite':
      return { ...expr, expr: regroup(expr.expr, keys, call) };
    default:
      return call.fail('expects an aggregate (:sum, :count, :min, :max, :avg, :dist-*) to group');
  }
}

/**
 * `:by` after a macro (`:avg`, `:dist-*`, `:stddev`): every ungrouped aggregate inside is
 * grouped, data words by the keys, aggregates of grouped lines on a subset of their keys.
 */
function regroup(expr: TsExpr, keys: readonly string[], call: WordCall): TsExpr {
  if (expr.kind === 'data') {
    return expr.data.fn !== 'all' && expr.data.groupBy === null ? { ...expr, data: { ...expr.data, groupBy: keys } } : expr;
  }
  if (expr.kind === 'aggregate' && expr.groupBy === null && isGrouped(expr.expr)) return groupBy(expr, keys, call);
  return mapChildren(expr, (child) => regroup(child, keys, call));
}

function consolidate(cf: Consolidation): Word {
  return word(`cf-${cf}`, ['ts'] as const, 'TimeSeriesExpr', ([expr]) => ({
    type: 'expr',
    expr: mapData(expr, (node) => ('fn' in node ? { ...node, cf } : node)),
  }));
}

export const dataWords: readonly Word[] = [
  fetch('all'),
  fetch('sum'),
  fetch('count'),
  fetch('min'),
  fetch('max'),
  word('by', ['query', 'strings'] as const, 'DataExpr', ([query, keys], call) => ({
    type: 'expr',
    expr: groupBy({ kind: 'data', data: { query, fn: 'sum', groupBy: null, cf: null, offsetMs: 0 } }, keys, call),
  })),
  word('by', ['ts', 'strings'] as const, 'TimeSeriesExpr', ([expr, keys], call) => ({ type: 'expr', expr: groupBy(expr, keys, call) })),
  ...(['sum', 'avg', 'min', 'max'] as const).map(consolidate),
  word('offset', ['presentation', 'duration'] as const, 'TimeSeriesExpr', ([p, ms]) => present(p, withOffset(p.expr, ms))),
  // The list form draws the expression once per offset (Atlas's style-vocabulary :offset).
  word('offset', ['presentation', 'strings'] as const, 'StyleExpr', ([p, texts], call) => {
    const offsets = texts.map((t) => parseDuration(t) ?? call.fail(`${JSON.stringify(t)} is not a duration such as 1w, 3h or PT5M`));
    if (offsets.length === 0) call.fail('the list of offsets is empty');
    return present(p, p.expr, { ...p.style, offsets });
  }),
  word('cg', ['presentation', 'strings'] as const, 'TimeSeriesExpr', ([p, keys]) =>
    present(
      p,
      mapData(p.expr, (node) =>
        'fn' in node && node.fn !== 'all' ? { ...node, groupBy: [...new Set([...(node.groupBy ?? []), ...keys])] } : node,
      ),
    ),
  ),
  word('cq', ['query', 'query'] as const, 'Query', ([q, common]) => ({ type: 'query', query: and(q, common) })),
  word('cq', ['presentation', 'query'] as const, 'TimeSeriesExpr', ([p, common]) =>
    present(p, withCommonQuery(p.expr, (q) => and(q, common))),
  ),
];
