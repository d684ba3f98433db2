// Per-value arithmetic with Atlas's NaN rules, and the summary statistics of a line.
import type { BinaryOp, Stat, UnaryOp } from './expr.ts';

/** `:add`: NaN counts as 0 unless both sides are NaN. */
export function addNaN(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return a + b;
}

export function subNaN(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? NaN : -b;
  if (Number.isNaN(b)) return a;
  return a - b;
}

export function minNaN(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return Math.min(a, b);
}

export function maxNaN(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return Math.max(a, b);
}

/** Atlas truth: not NaN and not (nearly) zero. */
export function toBoolean(v: number): boolean {
  return !Number.isNaN(v) && Math.abs(v) >= 1e-12;
}

export const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: addNaN,
  sub: subNaN,
  mul: (a, b) => a * b,
  // 0/0 is 0 (no activity), x/0 is NaN (Atlas); :fdiv is the strict IEEE division.
  div: (a, b) => (b === 0 ? (a === 0 ? 0 : NaN) : a / b),
  pow: (a, b) => Math.pow(a, b),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  fadd: (a, b) => a + b,
  fsub: (a, b) => a - b,
  fmul: (a, b) => a * b,
  fdiv: (a, b) => a / b,
  and: (a, b) => (toBoolean(a) && toBoolean(b) ? 1 : 0),
  or: (a, b) => (toBoolean(a) || toBoolean(b) ? 1 : 0),
};

/** Label templates, `%1` and `%2` being the operand labels (Atlas's formats). */
export const BINARY_LABEL: Record<BinaryOp, string> = {
  add: '(%1 + %2)',
  sub: '(%1 - %2)',
  mul: '(%1 * %2)',
  div: '(%1 / %2)',
  pow: 'pow(%1, %2)',
  gt: '(%1 > %2)',
  ge: '(%1 >= %2)',
  lt: '(%1 < %2)',
  le: '(%1 <= %2)',
  fadd: '(%1 + %2)',
  fsub: '(%1 - %2)',
  fmul: '(%1 * %2)',
  fdiv: '(%1 / %2)',
  and: '(%1 AND %2)',
  or: '(%1 OR %2)',
};

/** `arg` is the clamp bound, or the step in seconds for `:per-step`. */
export function unary(op: UnaryOp, arg: number): (v: number) => number {
  switch (op) {
    case 'abs':
      return Math.abs;
    case 'neg':
      return (v) => -v;
    case 'sin':
      return Math.sin;
    case 'sqrt':
      return Math.sqrt;
    case 'per-step':
      return (v) => v * arg;
    case 'clamp-min':
      return (v) => (v < arg ? arg : v);
    case 'clamp-max':
      return (v) => (v > arg ? arg : v);
  }
}

export interface SummaryStats {
  readonly count: number;
  readonly total: number;
  readonly avg: number;
  readonly max: number;
  readonly min: number;
  readonly last: number;
}

/** Statistics over the non-NaN values of a line (Atlas SummaryStats). */
export function summaryStats(values: Float64Array): SummaryStats {
  let count = 0;
  let total = 0;
  let max = NaN;
  let min = NaN;
  let last = NaN;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    count++;
    total += v;
    max = maxNaN(max, v);
    min = minNaN(min, v);
    last = v;
  }
  return { count, total, avg: count > 0 ? total / count : NaN, max, min, last };
}

export function stat(values: Float64Array, which: Stat): number {
  return summaryStats(values)[which];
}
