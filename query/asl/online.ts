// The stateful words over one line's step values (Atlas's online algorithms, replayed
// from the start of the window).
import type { StatefulOp } from './expr.ts';
import { addNaN, maxNaN, minNaN, toBoolean } from './numeric.ts';

/** `params` as the word took them; `trend` has its window already in steps. */
export function runStateful(op: StatefulOp, params: readonly number[], input: Float64Array, startMs: number, stepMs: number): Float64Array {
  const n = params[0] ?? 0;
  switch (op) {
    case 'delay':
      return input.map((_, i) => (i >= n ? input[i - n]! : NaN));
    case 'rolling-count':
      return rolling(input, n, (w) => w.filter(toBoolean).length);
    case 'rolling-min':
      return rolling(input, n, (w) => w.reduce(minNaN, NaN));
    case 'rolling-max':
      return rolling(input, n, (w) => w.reduce(maxNaN, NaN));
    case 'rolling-sum':
      return rolling(input, n, (w) => w.reduce(addNaN, NaN));
    case 'rolling-mean': {
      const minValues = params[1]!;
      return rolling(input, n, (w) => {
        const present = w.filter((v) => !Number.isNaN(v));
        return present.length >= minValues ? present.reduce((a, b) => a + b, 0) / present.length : NaN;
      });
    }
    case 'trend':
      // A moving average over n steps; NaN counts as 0 once the window is full of samples.
      if (n <= 1) return input.slice();
      return rolling(input, n, (w, i) => (i + 1 < n || w.every(Number.isNaN) ? NaN : w.reduce(addNaN, NaN) / n));
    case 'integral': {
      let acc = NaN;
      return input.map((v) => (acc = addNaN(acc, v)));
    }
    case 'cumulative-max': {
      let acc = NaN;
      return input.map((v) => (acc = maxNaN(acc, v)));
    }
    case 'derivative': {
      let prev = NaN;
      return input.map((v) => {
        const d = v - prev;
        prev = v;
        return d;
      });
    }
    case 'des':
      return des(input, params[0]!, params[1]!, params[2]!);
    case 'sdes':
      return slidingDes(input, params[0]!, params[1]!, params[2]!, startMs, stepMs);
  }
}

/** f over the last n values (the current one included), shorter at the start. */
function rolling(input: Float64Array, n: number, f: (window: number[], i: number) => number): Float64Array {
  return input.map((_, i) => f(Array.from(input.subarray(Math.max(0, i - n + 1), i + 1)), i));
}

class Des {
  private samples = 0;
  private sp = NaN;
  private bp = NaN;

  constructor(
    private readonly training: number,
    private readonly alpha: number,
    private readonly beta: number,
  ) {}

  /** The prediction made before seeing v, then learns v. */
  next(v: number): number {
    const prediction = this.samples >= this.training ? this.sp : NaN;
    if (!Number.isNaN(v)) {
      if (this.samples === 0) {
        this.sp = v;
        this.bp = 0;
      } else {
        const sn = this.alpha * v + (1 - this.alpha) * (this.sp + this.bp);
        this.bp = this.beta * (sn - this.sp) + (1 - this.beta) * this.bp;
        this.sp = sn;
      }
      this.samples++;
    }
    return prediction;
  }

  reset(): void {
    this.samples = 0;
    this.sp = NaN;
    this.bp = NaN;
  }
}

function des(input: Float64Array, training: number, alpha: number, beta: number): Float64Array {
  const d = new Des(training, alpha, beta);
  return input.map((v) => d.next(v));
}

/**
 * Two DES alternating every `training` samples, started on a multiple of the training
 * window so that a time gets the same prediction whatever the graph's start.
 */
function slidingDes(input: Float64Array, training: number, alpha: number, beta: number, startMs: number, stepMs: number): Float64Array {
  const trainingMs = stepMs * training;
  const alignedStart = startMs % trainingMs === 0 ? startMs : Math.floor(startMs / trainingMs) * trainingMs + trainingMs;
  const skip = Math.round((alignedStart - startMs) / stepMs);
  const first = new Des(training, alpha, beta);
  const second = new Des(training, alpha, beta);
  let useFirst = true;
  let samples = 0;
  return input.map((v, i) => {
    if (i < skip) return NaN;
    samples++;
    const p1 = first.next(v);
    const p2 = second.next(v);
    const result = useFirst ? p1 : p2;
    if (samples % training === 0) {
      (useFirst ? first : second).reset();
      useFirst = !useFirst;
    }
    return result;
  });
}
