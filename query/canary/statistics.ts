// The statistics of the canary judge: the Mann-Whitney (Wilcoxon rank-sum) test with R's
// `wilcox.test(x, y, exact = FALSE, correct = TRUE, conf.int = TRUE)` semantics, the
// Hodges-Lehmann shift estimate, and the small numeric tools they need (normal distribution,
// average ranks, Brent's root finder, percentiles). Pure functions over plain arrays.

const SQRT2 = Math.SQRT2;
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

/** erfc(x) for x >= 0, to ~1e-15 relative: a positive-term series below 2, a continued fraction above. */
function erfcNonNegative(x: number): number {
  if (x < 2) {
    // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)); no cancellation.
    let term = x;
    let sum = x;
    for (let n = 1; term > sum * 1e-17; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - 2 * INV_SQRT_PI * Math.exp(-x * x) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + (2/2)/(x + (3/2)/(x + ...)))), modified Lentz.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (Math.exp(-x * x) * INV_SQRT_PI) / f;
}

/** The standard normal distribution function. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const t = Math.abs(z) / SQRT2;
  const upper = 0.5 * erfcNonNegative(t); // P(Z > |z|)
  return z < 0 ? upper : 1 - upper;
}

/** The standard normal quantile: Newton's method on normalCdf from a logistic first guess. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  let z = -Math.log(1 / p - 1) / 1.702;
  for (let i = 0; i < 100; i++) {
    const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    const step = (normalCdf(z) - p) / density;
    z -= step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}

export interface Ranking {
  /** Ranks 1..n in input order; tied values share their average rank. */
  ranks: Float64Array;
  /** Sum over groups of tied values of t^3 - t (t = group size): the tie correction term. */
  tieTerm: number;
}

/** Average ranks of `values` (no NaN: the judge removes or replaces them first). */
export function averageRanks(values: ArrayLike<number>): Ranking {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && values[order[j]!] === values[order[i]!]) j++;
    const rank = (i + 1 + j) / 2; // average of ranks i+1 .. j
    for (let k = i; k < j; k++) ranks[order[k]!] = rank;
    const t = j - i;
    tieTerm += t * t * t - t;
    i = j;
  }
  return { ranks, tieTerm };
}

/**
 * The rank sum of (x - d) in the pooled sample (x - d) ++ y with average ranks for ties, and
 * the tie term, from x and y sorted ascending: one merge, O(n_x + n_y).
 */
function shiftedRankSum(xs: Float64Array, d: number, ys: Float64Array): { rankSum: number; tieTerm: number } {
  let i = 0;
  let j = 0;
  let below = 0; // values ranked so far
  let rankSum = 0;
  let tieTerm = 0;
  while (i < xs.length || j < ys.length) {
    const v = Math.min(i < xs.length ? xs[i]! - d : Infinity, j < ys.length ? ys[j]! : Infinity);
    let cx = 0;
    let cy = 0;
    while (i < xs.length && xs[i]! - d === v) {
      i++;
      cx++;
    }
    while (j < ys.length && ys[j] === v) {
      j++;
      cy++;
    }
    const t = cx + cy;
    rankSum += cx * (below + (t + 1) / 2);
    tieTerm += t * t * t - t;
    below += t;
  }
  return { rankSum, tieTerm };
}

/** The normal approximation's standard deviation of U with the tie correction. */
function uSigma(nx: number, ny: number, tieTerm: number): number {
  const n = nx + ny;
  return Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
}

/**
 * Brent's method (zeroin, as R's uniroot) for a root of f in [lo, hi], where f(lo) and f(hi)
 * have opposite signs. Stops when the bracket is within `tol` (plus 4 ulps of the iterate).
 */
export function brentRoot(f: (x: number) => number, lo: number, hi: number, tol: number, maxIterations = 1000): number {
  let a = lo;
  let b = hi;
  let fa = f(a);
  let fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (fa * fb > 0) throw new Error(`brentRoot: f(${lo}) and f(${hi}) have the same sign`);
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let i = 0; i < maxIterations; i++) {
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol1 = 2 * Number.EPSILON * Math.abs(b) + tol / 2;
    const m = (c - b) / 2;
    if (Math.abs(m) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      // Interpolation: secant when only two points, else inverse quadratic.
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol1 * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol1 ? d : m > 0 ? tol1 : -tol1;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
  }
  return b;
}

/** The k-th smallest (0-based) of `values`, which it reorders (Hoare's selection). */
function select(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

/** The median (mean of the two middle values for an even count); NaN when empty. Reorders `values`. */
function medianInPlace(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return NaN;
  const upper = select(values, n >> 1);
  if (n % 2 === 1) return upper;
  // The lower middle is the largest value left of the upper one after selection.
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** The Hodges-Lehmann shift: the median of all pairwise differences x_i - y_j. */
export function hodgesLehmann(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const diffs = new Float64Array(x.length * y.length);
  let k = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) diffs[k++] = x[i]! - y[j]!;
  return medianInPlace(diffs);
}

/**
 * A percentile as Apache Commons Math's default (legacy) estimator, which Kayenta uses:
 * position p(n+1)/100 in the sorted values, linear between neighbours, clamped to the ends.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (p * (n + 1)) / 100;
  if (pos < 1) return sorted[0]!;
  if (pos >= n) return sorted[n - 1]!;
  const whole = Math.floor(pos);
  const lower = sorted[whole - 1]!;
  return lower + (pos - whole) * (sorted[whole]! - lower);
}

/** A reproducible standard normal generator (mulberry32 uniforms, Box-Muller). */
export function seededGaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296; // in (0, 1)
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

export interface MannWhitneyResult {
  /** U of the first sample (R's W): its rank sum minus n_x(n_x+1)/2. */
  u: number;
  /** Two-sided p, normal approximation with tie and continuity correction. */
  pValue: number;
  /** Hodges-Lehmann estimate of the shift x - y. */
  estimate: number;
  /** Confidence interval of the shift, as R computes it with correct = TRUE. */
  lower: number;
  upper: number;
}

/** Thrown when the confidence interval is undefined (every observation tied). */
export class AllTiedError extends Error {
  constructor() {
    super('cannot compute the confidence interval when all observations are tied');
    this.name = 'AllTiedError';
  }
}

/**
 * The two-sided Mann-Whitney U test of x against y (Kayenta: x = experiment, y = control).
 * Both samples non-empty and without NaN.
 */
export function mannWhitney(x: ArrayLike<number>, y: ArrayLike<number>, confidenceLevel: number): MannWhitneyResult {
  const nx = x.length;
  const ny = y.length;
  const xs = Float64Array.from(x).sort();
  const ys = Float64Array.from(y).sort();
  const { rankSum, tieTerm } = shiftedRankSum(xs, 0, ys);
  const u = rankSum - (nx * (nx + 1)) / 2;
  const centered = u - (nx * ny) / 2;
  const sigma = uSigma(nx, ny, tieTerm);
  const z = (centered - Math.sign(centered) * 0.5) / sigma;
  const pValue = Math.min(1, 2 * normalCdf(-Math.abs(z)));

  // The interval: the shifts d where the corrected statistic of (x - d, y) crosses the
  // normal quantiles, found by root finding between the extreme possible shifts.
  const muMin = xs[0]! - ys[ny - 1]!;
  const muMax = xs[nx - 1]! - ys[0]!;
  const wdiff = (d: number, zq: number): number => {
    const r = shiftedRankSum(xs, d, ys);
    const dz = r.rankSum - (nx * (nx + 1)) / 2 - (nx * ny) / 2;
    const s = uSigma(nx, ny, r.tieTerm);
    if (s === 0) throw new AllTiedError();
    return (dz - Math.sign(dz) * 0.5) / s - zq;
  };
  // The statistic is a step function of d with jumps at the pairwise differences: the root
  // is one of them, so a tolerance relative to the data's scale pins it to rounding error.
  const tol = 1e-12 * Math.max(Math.abs(muMin), Math.abs(muMax), Number.MIN_VALUE);
  const root = (zq: number): number => {
    const fLower = wdiff(muMin, zq);
    if (fLower <= 0) return muMin;
    const fUpper = wdiff(muMax, zq);
    if (fUpper >= 0) return muMax;
    return brentRoot((d) => wdiff(d, zq), muMin, muMax, tol);
  };
  const zq = normalQuantile(1 - (1 - confidenceLevel) / 2);
  return { u, pValue, estimate: hodgesLehmann(x, y), lower: root(zq), upper: root(-zq) };
}
