// The stateful words over one line's step values (Atlas's online algorithms, replayed
// from the start of the window).
import type { StatefulOp } from './expr.ts';
import { addNaN, maxNaN, toBoolean } from './numeric.ts';

/** `params` as the word took them; `trend` has its window already in steps. */
export function runStateful(op: StatefulOp, params: readonly number[], input: Float64Array, startMs: number, stepMs: number): Float64Array {
  const n = params[0] ?? 0;
  switch (op) {
    case 'delay':
      return input.map((_, i) => (i >= n ? input[i - n]! : NaN));
    case 'rolling-count':
      return windowSums(input, n, (v) => (toBoolean(v) ? 1 : 0), (sum) => sum);
    case 'rolling-min':
      return rollingExtreme(input, n, (a, b) => a <= b);
    case 'rolling-max':
      return rollingExtreme(input, n, (a, b) => a >= b);
    case 'rolling-sum':
      return windowSums(input, n, (v) => v, (sum, present) => (present > 0 ? sum : NaN));
    case 'rolling-mean': {
      const minValues = params[1]!;
      return windowSums(input, n, (v) => v, (sum, present) => (present >= minValues ? sum / present : NaN));
    }
    case 'trend':
      // A moving average over n steps once n samples were seen; NaN counts as 0 unless all are.
      if (n <= 1) return input.slice();
      return windowSums(input, n, (v) => v, (sum, present, i) => (i + 1 < n || present === 0 ? NaN : sum / n));
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

/**
 * Over the last n values (the current one included): the sum of `term(v)` for the values
 * that are not NaN and how many those are, handed to `result`. O(length), no allocation per step.
 */
function windowSums(
  input: Float64Array,
  n: number,
  term: (v: number) => number,
  result: (sum: number, present: number, i: number) => number,
): Float64Array {
  const out = new Float64Array(input.length);
  let sum = 0;
  let present = 0;
  for (let i = 0; i < input.length; i++) {
    const v = input[i]!;
    if (!Number.isNaN(v)) {
      sum += term(v);
      present++;
    }
    const leaving = i >= n ? input[i - n]! : NaN;
    if (!Number.isNaN(leaving)) {
      sum -= term(leaving);
      present--;
    }
    out[i] = result(sum, present, i);
  }
  return out;
}

/** Min (or max) of the non-NaN values among the last n, with a monotonic deque of indexes. */
function rollingExtreme(input: Float64Array, n: number, keeps: (older: number, newer: number) => boolean): Float64Array {
  const out = new Float64Array(input.length);
  const deque: number[] = [];
  let head = 0;
  for (let i = 0; i < input.length; i++) {
    const v = input[i]!;
    if (!Number.isNaN(v)) {
      while (deque.length > head && !keeps(input[deque[deque.length - 1]!]!, v)) deque.pop();
      deque.push(i);
    }
    while (deque.length > head && deque[head]! <= i - n) head++;
    out[i] = deque.length > head ? input[deque[head]!]! : NaN;
  }
  return out;
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
