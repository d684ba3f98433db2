// Stateful vocabulary: words whose value at a step depends on earlier steps of the line.
// Like Atlas (StylePassthrough), they also apply to a styled expression and keep its style.
import type { StatefulOp, Value } from '../expr.ts';
import { type Presentation, type Word, type WordCall, macro, present, word } from '../interpreter.ts';

function stateful(op: StatefulOp, p: Presentation, params: number[]): Value {
  return present(p, { kind: 'stateful', op, params, expr: p.expr });
}

function positive(n: number, what: string, call: WordCall): number {
  if (n <= 0) call.fail(`${what} must be positive, got ${n}`);
  return n;
}

function window(op: StatefulOp): Word {
  return word(op, ['presentation', 'int'] as const, 'TimeSeriesExpr', ([e, n], call) => stateful(op, e, [positive(n, 'the window size', call)]));
}

function smoothing(op: 'des' | 'sdes'): Word {
  return word(op, ['presentation', 'int', 'number', 'number'] as const, 'TimeSeriesExpr', ([e, training, alpha, beta], call) => {
    positive(training, 'the training size', call);
    if (!(alpha > 0 && alpha <= 1 && beta > 0 && beta <= 1)) call.fail(`alpha and beta must be in (0, 1], got ${alpha} and ${beta}`);
    return stateful(op, e, [training, alpha, beta]);
  });
}

/** Atlas's presets (training, alpha, beta) for `:des-*` and `:sdes-*`. */
const PRESETS = { simple: '10,0.1,0.5', fast: '10,0.1,0.02', slower: '10,0.05,0.03', slow: '10,0.03,0.04' } as const;

export const statefulWords: readonly Word[] = [
  word('delay', ['presentation', 'int'] as const, 'TimeSeriesExpr', ([e, n], call) => {
    if (n < 0) call.fail(`the delay must not be negative, got ${n}`);
    return stateful('delay', e, [n]);
  }),
  window('rolling-count'),
  window('rolling-min'),
  window('rolling-max'),
  window('rolling-sum'),
  word('rolling-mean', ['presentation', 'int', 'int'] as const, 'TimeSeriesExpr', ([e, n, minValues], call) => {
    positive(n, 'the window size', call);
    if (minValues < 1 || minValues > n) call.fail(`the minimum number of values must be in 1..${n}, got ${minValues}`);
    return stateful('rolling-mean', e, [n, minValues]);
  }),
  smoothing('des'),
  smoothing('sdes'),
  word('trend', ['presentation', 'duration'] as const, 'TimeSeriesExpr', ([e, ms], call) => stateful('trend', e, [positive(ms, 'the window', call)])),
  word('integral', ['presentation'] as const, 'TimeSeriesExpr', ([e]) => stateful('integral', e, [])),
  word('cumulative-max', ['presentation'] as const, 'TimeSeriesExpr', ([e]) => stateful('cumulative-max', e, [])),
  word('derivative', ['presentation'] as const, 'TimeSeriesExpr', ([e]) => stateful('derivative', e, [])),
  ...Object.entries(PRESETS).flatMap(([name, params]) => [
    macro(`des-${name}`, ['presentation'], `${params},:des`),
    macro(`sdes-${name}`, ['presentation'], `${params},:sdes`),
  ]),
];
