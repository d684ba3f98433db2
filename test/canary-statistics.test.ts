// The canary judge's statistics against reference values NOT produced by Vigil's code.
//
// Every number below was computed once on this machine with Python 3 + scipy 1.17.1 + numpy
// 2.4.6 and pasted here:
//   U, p      scipy.stats.mannwhitneyu(x, y, use_continuity=True, alternative='two-sided',
//             method='asymptotic')  (R's wilcox.test(x, y, exact=FALSE, correct=TRUE): W = U of x)
//   estimate  numpy.median(numpy.subtract.outer(x, y))  (Hodges-Lehmann, as Kayenta reports it)
//   interval  R's wilcox.test conf.int algorithm (correct=TRUE, conf.level=0.98) re-written in
//             Python: wdiff(d) = (dz - sign(dz)/2)/sigma_ties - zq on scipy.stats.rankdata(
//             [x - d, y]), lower root at zq = -norm.ppf(0.01), upper at zq = norm.ppf(0.01),
//             each clamped to [min(x)-max(y), max(x)-min(y)] as R does, else
//             scipy.optimize.brentq(wdiff, lo, hi, xtol=1e-14).
//   normal    scipy.stats.norm.cdf / norm.ppf
// The interval's ends are jumps of a step function (pairwise differences x_i - y_j), so any
// correct root finder lands on them up to its tolerance.
import { describe, expect, it } from 'vitest';
import { removeOutliers } from '../query/canary/outliers.ts';
import { averageRanks, brentRoot, hodgesLehmann, mannWhitney, normalCdf, normalQuantile, percentile, seededGaussian } from '../query/canary/statistics.ts';

const cases = [
  {
    name: "R's documentation data (x from the paired example), ties in y",
    x: [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3],
    y: [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29],
    u: 58.0,
    p: 0.13291945818531892,
    estimate: 0.56,
    lower: -0.5599999999999973,
    upper: 1.2329999999999952,
  },
  {
    // R's ?wilcox.test prints W = 35 for these data too (its one-sided exact example).
    name: "R's documentation two-sample data, no ties",
    x: [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46],
    y: [1.15, 0.88, 0.9, 0.74, 1.21],
    u: 35.0,
    p: 0.24462360512698333,
    estimate: 0.30500000000000005,
    lower: -0.3199999999999948,
    upper: 0.9899999999999918,
  },
  {
    name: 'integers with heavy ties within and across samples',
    x: [1, 2, 2, 3, 3, 3, 4, 5],
    y: [2, 3, 3, 4, 4, 5, 5, 5, 6, 7],
    u: 17.5,
    p: 0.04612526348692729,
    estimate: -2.0,
    lower: -3.00000000000001,
    upper: 3.877422526069645e-15,
  },
  {
    name: 'latencies in seconds, experiment shifted up (small scale)',
    x: [0.0121, 0.0134, 0.0118, 0.0142, 0.0151, 0.0127, 0.0139, 0.0148, 0.0131, 0.0125, 0.0144, 0.0136],
    y: [0.0101, 0.0112, 0.0098, 0.0109, 0.0121, 0.0104, 0.0115, 0.0107, 0.0111, 0.0099, 0.0118, 0.0106],
    u: 142.0,
    p: 5.96148639657183e-5,
    estimate: 0.0026999999999999993,
    lower: 0.0015999999999964038,
    upper: 0.0036999999999976726,
  },
  {
    name: 'tiny samples: both ends clamped to the extreme shifts',
    x: [1.0, 2.0],
    y: [3.0],
    u: 0.0,
    p: 0.5402913746074199,
    estimate: -1.5,
    lower: -2.0,
    upper: -1.0,
  },
];

describe('Mann-Whitney U test (R wilcox.test exact=FALSE, correct=TRUE, conf.int=TRUE, conf.level=0.98)', () => {
  it.each(cases)('$name', (c) => {
    const r = mannWhitney(c.x, c.y, 0.98);
    expect(r.u).toBe(c.u);
    expect(r.pValue).toBeCloseTo(c.p, 12);
    expect(r.estimate).toBeCloseTo(c.estimate, 12);
    // Interval ends within 1e-9 of the span of possible shifts (the root finder's tolerance is 1e-12 of it).
    const scale = Math.max(...c.x) - Math.min(...c.y) - (Math.min(...c.x) - Math.max(...c.y));
    expect(Math.abs(r.lower - c.lower)).toBeLessThan(1e-9 * scale);
    expect(Math.abs(r.upper - c.upper)).toBeLessThan(1e-9 * scale);
  });

  it('swapping the samples mirrors U, the estimate and the interval', () => {
    const c = cases[0]!;
    const r = mannWhitney(c.y, c.x, 0.98);
    expect(r.u).toBe(c.x.length * c.y.length - c.u);
    expect(r.pValue).toBeCloseTo(c.p, 12);
    expect(r.estimate).toBeCloseTo(-c.estimate, 12);
    expect(r.lower).toBeCloseTo(-c.upper, 9);
    expect(r.upper).toBeCloseTo(-c.lower, 9);
  });

  it('every observation tied: p is undefined and the interval cannot be computed', () => {
    expect(() => mannWhitney([2, 2], [2, 2, 2], 0.98)).toThrow(/all observations are tied/);
  });
});

describe('numeric building blocks', () => {
  it('normal distribution and quantile (scipy.stats.norm)', () => {
    expect(normalCdf(-1.5)).toBeCloseTo(0.06680720126885807, 15);
    expect(normalCdf(0.3)).toBeCloseTo(0.6179114221889526, 15);
    expect(normalCdf(2.2)).toBeCloseTo(0.9860965524865014, 15);
    expect(normalCdf(-4.2) / 1.334574901590631e-5).toBeCloseTo(1, 12);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 12);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 12);
  });

  it('average ranks and the tie term', () => {
    // By hand: sorted 1,2,2,3 -> ranks 1, 2.5, 2.5, 4; one pair of ties: 2^3 - 2 = 6.
    const { ranks, tieTerm } = averageRanks([2, 1, 3, 2]);
    expect([...ranks]).toEqual([2.5, 1, 4, 2.5]);
    expect(tieTerm).toBe(6);
  });

  it('Brent finds roots of smooth and step functions', () => {
    expect(brentRoot((x) => x * x - 2, 0, 2, 1e-14)).toBeCloseTo(Math.SQRT2, 13);
    expect(brentRoot((x) => Math.cos(x) - x, 0, 1, 1e-14)).toBeCloseTo(0.7390851332151607, 13);
    expect(brentRoot((x) => (x < 0.3 ? 1 : -1), 0, 1, 1e-12)).toBeCloseTo(0.3, 11);
    expect(() => brentRoot((x) => x + 1, 0, 1, 1e-9)).toThrow(/same sign/);
  });

  it('Hodges-Lehmann: median of pairwise differences, even and odd counts', () => {
    // x - y for x = [1, 4], y = [0, 2]: 1, -1, 4, 2 -> sorted -1, 1, 2, 4 -> median 1.5
    expect(hodgesLehmann([1, 4], [0, 2])).toBe(1.5);
    // x = [5, 1, 3], y = [1]: 4, 0, 2 -> median 2
    expect(hodgesLehmann([5, 1, 3], [1])).toBe(2);
  });

  it('percentile: Apache Commons Math legacy estimator (position p(n+1)/100)', () => {
    const sorted = [10, 20, 30, 40];
    expect(percentile(sorted, 25)).toBe(12.5); // pos 1.25 -> 10 + 0.25*10
    expect(percentile(sorted, 50)).toBe(25); // pos 2.5
    expect(percentile(sorted, 75)).toBe(37.5); // pos 3.75
    expect(percentile(sorted, 1)).toBe(10); // pos 0.05 < 1 -> first
    expect(percentile(sorted, 99)).toBe(40); // pos 4.95 >= n -> last
  });

  it('seeded Gaussian noise is reproducible and roughly standard normal', () => {
    const a = seededGaussian(7);
    const b = seededGaussian(7);
    const draws = Array.from({ length: 20000 }, () => a());
    expect(draws.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const m = draws.reduce((s, v) => s + v, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((s, v) => s + (v - m) ** 2, 0) / draws.length);
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });
});

describe('IQR outlier removal with reduced sensitivity', () => {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('drops a point beyond both the Tukey fence and the 99th percentile', () => {
    // 0..199 and 10000 (n = 201), by hand: Q1 at pos 50.5 -> 49.5, Q3 at pos 151.5 -> 150.5,
    // IQR 101, upper Tukey fence 150.5 + 3*101 = 453.5 (p99 at pos 199.98 is only 198.98).
    const values = Float64Array.from([...range(200), 10000]);
    expect([...removeOutliers(values, 3)]).toEqual(range(200));
  });

  it('keeps what lies inside the 1st..99th percentile even beyond a tight Tukey fence', () => {
    // Factor 0.3: Tukey fences 49.5 - 30.3 = 19.2 and 150.5 + 30.3 = 180.8, but p01 = 1.02 (pos
    // 2.02 between 1 and 2) and p99 = 198.98 (pos 199.98 between 198 and 199) widen them:
    // 0, 1, 199 and 250 are dropped.
    const values = Float64Array.from([...range(200), 250]);
    expect([...removeOutliers(values, 0.3)]).toEqual(range(199).slice(2));
  });

  it('the factor moves the fence', () => {
    const values = Float64Array.from([...range(200), 400]);
    expect(removeOutliers(values, 3).length).toBe(201); // 400 < 453.5
    expect([...removeOutliers(values, 1)]).toEqual(range(200)); // 400 > 150.5 + 101
  });

  it('never drops from fewer than 99 points: p01 and p99 are then the extremes themselves', () => {
    // n = 5: p99 at pos 5.94 >= n -> the maximum; p01 at pos 0.06 < 1 -> the minimum.
    const values = Float64Array.from([1, 2, 3, 4, 1000]);
    expect([...removeOutliers(values, 3)]).toEqual([1, 2, 3, 4, 1000]);
  });
});
