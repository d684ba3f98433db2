// Filter vocabulary: summary statistics of lines, keeping lines by a condition, and the
// priority words (`:topk`, `:bottomk` and their `-others-*` variants).
import type { Stat, TsExpr } from '../expr.ts';
import { type Presentation, type Word, present, word } from '../interpreter.ts';
import { mapChildren } from '../tree.ts';

const STATS: readonly Stat[] = ['avg', 'max', 'min', 'last', 'count', 'total'];

function statName(text: string, fail: (d: string) => never): Stat {
  if (!(STATS as readonly string[]).includes(text)) fail(`unknown statistic ${JSON.stringify(text)}; one of ${STATS.join(', ')}`);
  return text as Stat;
}

/** `:stat-max` inside a `:filter` condition means `max,:stat` of the filtered expression. */
function resolveStatRefs(condition: TsExpr, filtered: TsExpr): TsExpr {
  if (condition.kind === 'stat-ref') return { kind: 'stat', stat: condition.stat, expr: filtered };
  return mapChildren(condition, (child) => resolveStatRefs(child, filtered));
}

function priority(order: 'top' | 'bottom', others: 'min' | 'max' | 'sum' | 'avg' | null): Word {
  const name = `${order}k${others === null ? '' : `-others-${others}`}`;
  return word(name, ['presentation', 'string', 'int'] as const, 'TimeSeriesExpr', ([p, s, k], call) => {
    const which = statName(s, call.fail);
    if (k <= 0) call.fail(`k must be positive, got ${k}`);
    return present(p, { kind: 'priority', order, others, stat: which, k, expr: p.expr });
  });
}

export const filterWords: readonly Word[] = [
  word('stat', ['presentation', 'string'] as const, 'TimeSeriesExpr', ([p, s], call) =>
    present(p, { kind: 'stat', stat: statName(s, call.fail), expr: p.expr }),
  ),
  ...STATS.map((stat) => word(`stat-${stat}`, [] as const, 'TimeSeriesExpr', () => ({ type: 'expr', expr: { kind: 'stat-ref', stat } }))),
  word('filter', ['presentation', 'ts'] as const, 'TimeSeriesExpr', ([p, condition]: [Presentation, TsExpr]) =>
    present(p, { kind: 'filter', expr: p.expr, condition: resolveStatRefs(condition, p.expr) }),
  ),
  ...(['top', 'bottom'] as const).flatMap((order) => ([null, 'min', 'max', 'sum', 'avg'] as const).map((others) => priority(order, others))),
];
