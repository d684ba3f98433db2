// Math vocabulary: constants and generated lines, per-value functions, binary math
// (lines joined on their group keys), aggregates over lines, percentiles and the macros
// Atlas defines on top of them.
import type { BinaryOp, LineAggregation, TsExpr, UnaryOp } from '../expr.ts';
import { type Word, type WordCall, macro, parseNumber, sumOf, word } from '../interpreter.ts';
import { and } from '../query.ts';
import { TIME_MODES, timeRefBase } from '../time.ts';
import { finalGrouping, isGrouped } from '../tree.ts';
import type { TagQuery } from '../types.ts';

const expr = (e: TsExpr) => ({ type: 'expr' as const, expr: e });

function unaryWord(op: UnaryOp): Word {
  return word(op, ['ts'] as const, 'TimeSeriesExpr', ([e]) => expr({ kind: 'unary', op, arg: 0, expr: e }));
}

function clamp(op: 'clamp-min' | 'clamp-max'): Word {
  return word(op, ['ts', 'number'] as const, 'TimeSeriesExpr', ([e, arg]) => expr({ kind: 'unary', op, arg, expr: e }));
}

export function binary(op: BinaryOp, left: TsExpr, right: TsExpr, call: WordCall): TsExpr {
  if (isGrouped(left) && isGrouped(right)) {
    const gl = finalGrouping(left);
    const gr = finalGrouping(right);
    if (!gl.every((k) => gr.includes(k)) && !gr.every((k) => gl.includes(k))) {
      call.fail(`both sides must have the same grouping or one must be a subset of the other: (,${gl.join(',')},) vs (,${gr.join(',')},)`);
    }
  }
  return { kind: 'binary', op, left, right };
}

function binaryWord(op: BinaryOp): Word {
  return word(op, ['ts', 'ts'] as const, 'TimeSeriesExpr', ([l, r], call) => expr(binary(op, l, r, call)));
}

function aggregate(fn: LineAggregation): Word {
  return word(fn, ['ts'] as const, 'TimeSeriesExpr', ([e]) => expr({ kind: 'aggregate', fn, expr: e, groupBy: null }));
}

function percentiles(query: TagQuery, groupBy: readonly string[], texts: readonly string[], offsetMs: number, call: WordCall): TsExpr {
  const values = texts.map((t) => parseNumber(t));
  const bad = texts.find((_, i) => !(values[i]! >= 0 && values[i]! <= 100));
  if (bad !== undefined) call.fail(`percentile ${JSON.stringify(bad)} is not a number in 0..100`);
  if (values.length === 0) call.fail('the list of percentiles is empty');
  const sorted = [...new Set(values as number[])].sort((a, b) => a - b);
  return { kind: 'percentiles', query, groupBy, percentiles: sorted, offsetMs };
}

/** `statistic` tags of Atlas timers and distribution summaries. */
function stat(query: TagQuery, ...values: string[]): TsExpr {
  const clause: TagQuery = values.length === 1 ? { op: 'eq', key: 'statistic', value: values[0]! } : { op: 'in', key: 'statistic', values };
  return sumOf(and(query, clause));
}

function distribution(name: string, build: (q: TagQuery) => TsExpr): Word {
  return word(name, ['query'] as const, 'TimeSeriesExpr', ([q]) => expr({ kind: 'rewrite', name, expr: build(q) }));
}

const bin = (op: BinaryOp, left: TsExpr, right: TsExpr): TsExpr => ({ kind: 'binary', op, left, right });

export const mathWords: readonly Word[] = [
  word('as', ['ts', 'string', 'string'] as const, 'TimeSeriesExpr', ([e, from, to]) => expr({ kind: 'as', expr: e, from, to })),
  word('const', ['number'] as const, 'TimeSeriesExpr', ([value]) => expr({ kind: 'const', value })),
  word('pi', [] as const, 'TimeSeriesExpr', () => expr({ kind: 'const', value: Math.PI })),
  word('random', [] as const, 'TimeSeriesExpr', () => expr({ kind: 'random', seed: null })),
  word('srandom', ['int'] as const, 'TimeSeriesExpr', ([seed]) => expr({ kind: 'random', seed })),
  word('time', ['string'] as const, 'TimeSeriesExpr', ([mode], call) => {
    if (!TIME_MODES.includes(mode)) call.fail(`unknown mode ${JSON.stringify(mode)}; one of ${TIME_MODES.join(', ')}`);
    return expr({ kind: 'time', mode });
  }),
  word('time-span', ['string', 'string'] as const, 'TimeSeriesExpr', ([start, end], call) => {
    for (const t of [start, end]) {
      if (timeRefBase(t) === undefined) call.fail(`${JSON.stringify(t)} is not a time (gs, ge, s, e, now, epoch, ISO date or epoch, with +/- durations)`);
    }
    return expr({ kind: 'time-span', start, end });
  }),
  clamp('clamp-min'),
  clamp('clamp-max'),
  ...(['abs', 'neg', 'sin', 'sqrt', 'per-step'] as const).map(unaryWord),
  ...(['add', 'sub', 'mul', 'div', 'pow', 'gt', 'ge', 'lt', 'le', 'fadd', 'fsub', 'fmul', 'fdiv', 'and', 'or'] as const).map(binaryWord),
  ...(['sum', 'count', 'min', 'max'] as const).map(aggregate),
  word('percentiles', ['query', 'strings'] as const, 'TimeSeriesExpr', ([q, ps], call) => expr(percentiles(q, [], ps, 0, call))),
  word('percentiles', ['ts', 'strings'] as const, 'TimeSeriesExpr', ([e, ps], call) => {
    if (e.kind !== 'data' || e.data.fn === 'all') return call.fail('expects a query or an aggregate such as :sum or :by of one');
    return expr(percentiles(e.data.query, e.data.groupBy ?? [], ps, e.data.offsetMs, call));
  }),
  macro('median', ['ts'], '(,50,),:percentiles'),
  distribution('avg', (q) => bin('div', sumOf(q), { kind: 'data', data: { query: q, fn: 'count', groupBy: null, cf: null, offsetMs: 0 } })),
  macro('avg', ['ts'], ':dup,:sum,:swap,:count,:div', true),
  macro('stddev', ['ts'], ':dup,:count,:over,:dup,:mul,:sum,:mul,:over,:sum,:dup,:mul,:sub,:swap,:count,:dup,:mul,:div,:sqrt', true),
  macro('pct', ['ts'], ':dup,:sum,:div,100,:mul'),
  distribution('dist-avg', (q) => bin('div', stat(q, 'totalAmount', 'totalTime'), stat(q, 'count'))),
  distribution('dist-max', (q) => ({ kind: 'data', data: { query: and(q, { op: 'eq', key: 'statistic', value: 'max' }), fn: 'max', groupBy: null, cf: null, offsetMs: 0 } })),
  distribution('dist-stddev', (q) => {
    // sqrt((N * sum(x^2) - sum(x)^2) / N^2), the population standard deviation.
    const n = stat(q, 'count');
    const total = stat(q, 'totalAmount', 'totalTime');
    const squares = stat(q, 'totalOfSquares');
    return { kind: 'unary', op: 'sqrt', arg: 0, expr: bin('div', bin('sub', bin('mul', n, squares), bin('mul', total, total)), bin('mul', n, n)) };
  }),
  macro('cos', ['ts'], ':pi,2,:div,:swap,:sub,:sin'),
  macro('tan', ['ts'], ':dup,:sin,:swap,:cos,:div'),
  macro('cot', ['ts'], ':dup,:cos,:swap,:sin,:div'),
  macro('sec', ['ts'], '1,:swap,:cos,:div'),
  macro('csc', ['ts'], '1,:swap,:sin,:div'),
];
