// The canary judge's rules, one case each: classification of a metric (NaN strategy, outliers,
// no data, identical and constant samples, noise, tolerance, direction, effect sizes, critical)
// and scoring (groups, weights, muted, critical, the 50% no-data rule, verdicts). Expected
// values are worked out by hand in the comments, or taken from the pinned statistics
// references (test/canary-statistics.test.ts).
import { describe, expect, it } from 'vitest';
import type { StyledLine } from '../query/asl/types.ts';
import { type CanaryConfig, type CanaryMetric, parseCanaryConfig } from '../query/canary/config.ts';
import { type MetricSetPair, analyzePair, judge } from '../query/canary/judge.ts';
import { type ScoredMetric, groupScores, scoreJudgement, summaryScore, verdict } from '../query/canary/score.ts';
import { pairLines, scopedProgram } from '../query/canary/service.ts';

function config(canary: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): CanaryConfig {
  return parseCanaryConfig({
    name: 'test',
    metrics: [{ name: 'latency', groups: ['latency'], query: { type: 'atlas', q: 'name,latency,:eq' }, analysisConfigurations: { canary } }],
    ...extra,
  });
}

function metric(canary: Record<string, unknown> = {}): CanaryMetric {
  return config(canary).metrics[0]!;
}

function pair(control: number[], experiment: number[], canary: Record<string, unknown> = {}): MetricSetPair {
  return { metric: metric(canary), id: 'id-1', tags: {}, control: Float64Array.from(control), experiment: Float64Array.from(experiment) };
}

const classify = (control: number[], experiment: number[], canary: Record<string, unknown> = {}) => analyzePair(pair(control, experiment, canary));

// Pinned in test/canary-statistics.test.ts ("R's documentation data"): x vs y has estimate
// 0.56 and 98% interval [-0.56, 1.233]: not significant.
const X = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
const Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
// Clear shifts without overlap, so the interval is far from 0: up by 10, down to a twentieth.
const BASE = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const UP = BASE.map((v) => v + 10);
const DOWN = BASE.map((v) => v / 20);

describe('metric classification', () => {
  it('no significant difference: Pass, with the test and stats reported', () => {
    const r = classify(Y, X);
    expect(r.classification).toBe('Pass');
    expect(r.resultMetadata.mannWhitney!.estimate).toBeCloseTo(0.56, 12);
    // mean(X) = 15.9/9, mean(Y) = 12.013/9: ratio 1.32357
    expect(r.resultMetadata.ratio).toBeCloseTo(15.9 / 12.013, 12);
    expect(r.controlMetadata.stats).toMatchObject({ count: 9, min: 0.598, max: 3.14, median: 1.06 });
    expect(r.controlMetadata.stats.mean).toBeCloseTo(12.013 / 9, 14);
    expect(r.experimentMetadata.stats.median).toBe(1.68);
  });

  it('clear increase: High; its direction decides', () => {
    expect(classify(BASE, UP).classification).toBe('High');
    expect(classify(BASE, UP, { direction: 'increase' }).classification).toBe('High');
    expect(classify(BASE, UP, { direction: 'decrease' }).classification).toBe('Pass');
    expect(classify(BASE, UP).classificationReason).toMatch(/higher than the Baseline/);
  });

  it('clear decrease: Low; its direction decides', () => {
    expect(classify(BASE, DOWN).classification).toBe('Low');
    expect(classify(BASE, DOWN, { direction: 'decrease' }).classification).toBe('Low');
    expect(classify(BASE, DOWN, { direction: 'increase' }).classification).toBe('Pass');
  });

  it('tolerance 0.25: a significant shift whose interval reaches below 0.25*|estimate| passes', () => {
    // scipy/R references (python one-off, see test/canary-statistics.test.ts for the method):
    // x vs y: estimate 9, interval [4, 14]; 4 > 0.25*9 = 2.25 -> High.
    // (x - 3) vs y: estimate 6, interval [1, 11]; 1 < 0.25*6 = 1.5 -> Pass although 0 is outside.
    const x = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 60];
    const y = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
    const high = classify(y, x);
    expect(high.classification).toBe('High');
    expect(high.resultMetadata.mannWhitney!.lower).toBeCloseTo(4, 9);
    const pass = classify(y, x.map((v) => v - 3));
    expect(pass.resultMetadata.mannWhitney!.estimate).toBe(6);
    expect(pass.resultMetadata.mannWhitney!.lower).toBeCloseTo(1, 9);
    expect(pass.classification).toBe('Pass');
  });

  it('effect size meanRatio: High only when the ratio reaches allowedIncrease', () => {
    // mean(UP) = 15.5, mean(BASE) = 5.5: ratio 2.81818
    expect(classify(BASE, UP).resultMetadata.ratio).toBeCloseTo(15.5 / 5.5, 12);
    expect(classify(BASE, UP, { effectSize: { allowedIncrease: 2.8 } }).classification).toBe('High');
    expect(classify(BASE, UP, { effectSize: { allowedIncrease: 2.9 } }).classification).toBe('Pass');
    // mean(DOWN) = 0.275 -> ratio 0.05; allowedDecrease 0.04 blocks Low
    expect(classify(BASE, DOWN).resultMetadata.ratio).toBeCloseTo(0.05, 14);
    expect(classify(BASE, DOWN, { effectSize: { allowedDecrease: 0.1 } }).classification).toBe('Low');
    expect(classify(BASE, DOWN, { effectSize: { allowedDecrease: 0.04 } }).classification).toBe('Pass');
  });

  it('meanRatio is undefined when a mean is 0, and then does not block', () => {
    const r = classify([0, 0, 0, 0, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7, 8], { effectSize: { allowedIncrease: 5 } });
    expect(r.resultMetadata.ratio).toBeNull();
    expect(r.resultMetadata.effectSize).toEqual({ measure: 'meanRatio', value: null });
    expect(r.classification).toBe('High');
  });

  it('effect size cles = P(experiment > control) from the rank sum, thresholds 0.5 by default', () => {
    // control [1, 2, 3], experiment [2.5, 4, 5]: pairs with e > c: 2.5>{1,2}, 4>all, 5>all = 8 of 9
    const r = classify([1, 2, 3], [2.5, 4, 5], { effectSize: { measure: 'cles' } });
    expect(r.resultMetadata.effectSize.value).toBeCloseTo(8 / 9, 14);
    // BASE vs UP: every experiment value is larger -> cles 1
    expect(classify(BASE, UP, { effectSize: { measure: 'cles' } }).resultMetadata.effectSize.value).toBe(1);
    expect(classify(BASE, UP, { effectSize: { measure: 'cles', allowedIncrease: 1 } }).classification).toBe('High');
    // ties count half: [1, 2] vs [2, 3]: 2>1, 3>1, 3>2, 2=2 (half) -> 3.5 / 4
    expect(classify([1, 2], [2, 3], { effectSize: { measure: 'cles' } }).resultMetadata.effectSize.value).toBe(0.875);
  });

  it('critical: marked only when High beyond criticalIncrease (or Low beyond criticalDecrease)', () => {
    const critical = { critical: true, effectSize: { allowedIncrease: 1.5, criticalIncrease: 2.5, allowedDecrease: 0.5, criticalDecrease: 0.2 } };
    expect(classify(BASE, UP, critical)).toMatchObject({ classification: 'High', critical: true }); // ratio 2.82 >= 2.5
    expect(classify(BASE, UP, { ...critical, effectSize: { criticalIncrease: 3 } })).toMatchObject({ classification: 'High', critical: false });
    expect(classify(BASE, DOWN, critical)).toMatchObject({ classification: 'Low', critical: true }); // ratio 0.05 <= 0.2
    expect(classify(BASE, UP, { effectSize: { criticalIncrease: 2.5 } })).toMatchObject({ classification: 'High', critical: false }); // not a critical metric
  });

  describe('no data', () => {
    it('nanStrategy remove: NaN dropped; an empty side is Nodata', () => {
      const r = classify([NaN, NaN], [1, 2]);
      expect(r.classification).toBe('Nodata');
      expect(r.classificationReason).toMatch(/Baseline has no values/);
      expect(r.controlMetadata.stats).toEqual({ count: 0, mean: null, min: null, max: null, median: null });
      expect(r.experimentMetadata.stats.count).toBe(2);
      expect(r.critical).toBe(false);
    });

    it('mustHaveData: NodataFailMetric, unless critical (then Nodata marked critical)', () => {
      expect(classify([1, 2], [], { mustHaveData: true }).classification).toBe('NodataFailMetric');
      expect(classify([1, 2], [], { mustHaveData: true, critical: true })).toMatchObject({ classification: 'Nodata', critical: true });
    });

    it('nanStrategy replace: NaN counts as 0, and empty sides pass', () => {
      const r = classify([NaN, 1, 2], [1, 2, 0], { nanStrategy: 'replace' });
      expect(r.controlMetadata.stats).toMatchObject({ count: 3, min: 0, mean: 1 });
      expect(r.classification).toBe('Pass');
      expect(r.classificationReason).toMatch(/identical/); // [0,1,2] both, once NaN is 0
      expect(classify([], [], { nanStrategy: 'replace' }).classification).toBe('Pass');
    });

    it('unknown nanStrategy values mean remove (Kayenta)', () => {
      expect(classify([NaN], [1], { nanStrategy: 'none' }).classification).toBe('Nodata');
    });

    it('infinite values (a division by zero) count as NaN', () => {
      expect(classify([1, 2, 3], [Infinity, -Infinity, 2]).experimentMetadata.stats).toMatchObject({ count: 1, mean: 2 });
    });
  });

  it('identical samples in another order: Pass without a test', () => {
    const r = classify([3, 1, 2, 2], [2, 3, 2, 1]);
    expect(r).toMatchObject({ classification: 'Pass', classificationReason: 'The Canary and Baseline data are identical' });
    expect(r.resultMetadata.mannWhitney).toBeNull();
  });

  it('every value equal (sides of different lengths): Pass without a test', () => {
    const r = classify([4, 4, 4], [4, 4]);
    expect(r).toMatchObject({ classification: 'Pass', classificationReason: 'All values of the Canary and Baseline are equal' });
  });

  it('each side one repeated value: Gaussian noise (seeded) lets the test decide', () => {
    const high = classify([100, 100, 100, 100, 100, 100], [130, 130, 130, 130, 130, 130]);
    expect(high.classification).toBe('High');
    // The shift is 30 up to noise of sigma 1e-3 (130 * 1e-5) per point.
    expect(high.resultMetadata.mannWhitney!.estimate).toBeCloseTo(30, 1);
    // Reproducible: the same input gives the same numbers.
    expect(classify([100, 100, 100, 100, 100, 100], [130, 130, 130, 130, 130, 130])).toEqual(high);
    expect(classify([5, 5, 5, 5, 5], [2, 2, 2, 2, 2]).classification).toBe('Low');
    // Stats are of the data, not of the noise.
    expect(high.experimentMetadata.stats).toEqual({ count: 6, mean: 130, min: 130, max: 130, median: 130 });
  });

  it('outliers: removed only with strategy remove (IQR factor, reduced sensitivity)', () => {
    // 0..199 and 10000 vs 0..199 shifted: with `remove` the 10000 is dropped (see the IQR tests).
    const control = Array.from({ length: 200 }, (_, i) => i);
    const experiment = [...control.map((v) => v + 1), 10000];
    expect(classify(control, experiment).experimentMetadata.stats.count).toBe(201);
    const removed = classify(control, experiment, { outliers: { strategy: 'remove', outlierFactor: 3 } });
    expect(removed.experimentMetadata.stats).toMatchObject({ count: 200, max: 200 });
  });
});

describe('scoring', () => {
  const m = (classification: ScoredMetric['classification'], groups: string[], extra: Partial<ScoredMetric> = {}): ScoredMetric => ({
    classification,
    groups,
    critical: false,
    muted: false,
    ...extra,
  });

  it('group score = Pass / (Pass + High + Low + NodataFailMetric); Nodata and Error do not count', () => {
    const scores = groupScores([
      m('Pass', ['a']),
      m('High', ['a']),
      m('Low', ['a']),
      m('NodataFailMetric', ['a']),
      m('Nodata', ['a']),
      m('Error', ['a']),
      m('Pass', ['a', 'b']), // in two groups
      m('Nodata', ['c']), // only no-data: 100
    ]);
    expect(scores).toEqual([
      { name: 'a', score: 40 }, // 2 / 5
      { name: 'b', score: 100 },
      { name: 'c', score: 100 },
    ]);
  });

  it('muted metrics are left out of group scores and of the summary', () => {
    expect(groupScores([m('Pass', ['a']), m('High', ['a'], { muted: true })])).toEqual([{ name: 'a', score: 100 }]);
    const { score } = scoreJudgement([m('High', ['a'], { muted: true, critical: true }), m('Pass', ['a'])], {}, { pass: 95, marginal: 75 });
    expect(score.score).toBe(100);
  });

  it('summary: weighted sum; unweighted groups share the rest equally; two decimals', () => {
    const groups = [
      { name: 'a', score: 50 },
      { name: 'b', score: 100 },
      { name: 'c', score: 0 },
    ];
    // a 60, b and c share 40: 50*0.6 + 100*0.2 + 0*0.2 = 50
    expect(summaryScore(groups, { a: 60 })).toBe(50);
    // all unweighted: 100/3 each: (50 + 100 + 0)/3 = 50
    expect(summaryScore(groups, {})).toBe(50);
    // a weight for a group without metrics still takes its share of 100: b, c get 10 each
    expect(summaryScore(groups, { a: 40, z: 40 })).toBe(50 * 0.4 + 100 * 0.1);
    // 1/3 of 100 rounds to 33.33
    expect(summaryScore([{ name: 'a', score: 100 / 3 }], {})).toBe(33.33);
  });

  it('a critical metric that is not Pass forces the score to 0', () => {
    const { score } = scoreJudgement([m('Pass', ['a']), m('Pass', ['a']), m('High', ['b'], { critical: true })], {}, { pass: 95, marginal: 75 });
    expect(score).toEqual({ score: 0, classification: 'Fail', classificationReason: 'Canary Failed: 1 critical metric failed' });
  });

  it('50% or more Nodata forces the score to 0; less does not', () => {
    const half = scoreJudgement([m('Pass', ['a']), m('Nodata', ['a'])], {}, { pass: 95, marginal: 75 });
    expect(half.score.score).toBe(0);
    expect(half.score.classificationReason).toMatch(/1 of 2 metrics had no data/);
    const third = scoreJudgement([m('Pass', ['a']), m('Pass', ['a']), m('Nodata', ['a'])], {}, { pass: 95, marginal: 75 });
    expect(third.score).toEqual({ score: 100, classification: 'Pass', classificationReason: 'Pass 2, Nodata 1' });
  });

  it('verdict against the thresholds (inclusive)', () => {
    const t = { pass: 95, marginal: 75 };
    expect(verdict(95, t)).toBe('Pass');
    expect(verdict(94.99, t)).toBe('Marginal');
    expect(verdict(75, t)).toBe('Marginal');
    expect(verdict(74.99, t)).toBe('Fail');
  });
});

describe('judge', () => {
  it('classifies every pair, scores groups with weights and gives the verdict in Kayenta\'s shape', () => {
    const cfg = parseCanaryConfig({
      name: 'svc',
      metrics: [
        { name: 'p50', groups: ['latency'], query: { type: 'atlas', q: 'a,b,:eq' }, analysisConfigurations: { canary: { direction: 'increase' } } },
        { name: 'p99', groups: ['latency'], query: { type: 'atlas', q: 'a,c,:eq' }, analysisConfigurations: { canary: { direction: 'increase' } } },
        { name: 'errors', groups: ['errors'], query: { type: 'atlas', q: 'a,d,:eq' } },
      ],
      classifier: { groupWeights: { latency: 70, errors: 30 } },
    });
    const [p50, p99, errors] = cfg.metrics as [CanaryMetric, CanaryMetric, CanaryMetric];
    const f = (a: number[]) => Float64Array.from(a);
    const result = judge(
      cfg,
      [
        { metric: p50, id: '1', tags: {}, control: f(BASE), experiment: f(UP) }, // High
        { metric: p99, id: '2', tags: { 'span.name': 'GET /' }, control: f(Y), experiment: f(X) }, // Pass
        { metric: errors, id: '3', tags: {}, control: f(BASE), experiment: f(BASE) }, // Pass
      ],
      { pass: 95, marginal: 60 },
    );
    expect(result.judgeName).toBe('NetflixACAJudge-v1.0');
    expect(result.results.map((r) => [r.name, r.id, r.classification, r.groups])).toEqual([
      ['p50', '1', 'High', ['latency']],
      ['p99', '2', 'Pass', ['latency']],
      ['errors', '3', 'Pass', ['errors']],
    ]);
    expect(result.results[1]!.tags).toEqual({ 'span.name': 'GET /' });
    expect(result.groupScores).toEqual([
      { name: 'latency', score: 50 },
      { name: 'errors', score: 100 },
    ]);
    // 50*0.7 + 100*0.3 = 65 -> Marginal (>= 60, < 95)
    expect(result.score).toEqual({ score: 65, classification: 'Marginal', classificationReason: 'High 1, Pass 2' });
    // JSON-safe: no NaN or Infinity anywhere
    expect(JSON.stringify(result)).not.toMatch(/NaN|Infinity/);
  });
});

describe('metric set pairs from the lines of both scopes', () => {
  const line = (tags: Record<string, string>, groupByKeys: string[], values: number[]): StyledLine => ({
    tags,
    values: Float64Array.from(values),
    label: '',
    expression: '',
    groupByKeys,
    style: { lineStyle: 'line', lineWidth: 1, axis: 0 },
  });

  it('pairs by the group-by tags (not the scope tags), and a line without a partner with no data', () => {
    const control = [line({ 'service.version': '1.0', 'span.name': 'a' }, ['span.name'], [1]), line({ 'service.version': '1.0', 'span.name': 'b' }, ['span.name'], [2])];
    const experiment = [line({ 'service.version': '1.1', 'span.name': 'b' }, ['span.name'], [3]), line({ 'service.version': '1.1', 'span.name': 'c' }, ['span.name'], [4])];
    expect(pairLines(control, experiment).map((p) => [p.tags, [...p.control], [...p.experiment]])).toEqual([
      [{ 'span.name': 'a' }, [1], []],
      [{ 'span.name': 'b' }, [2], [3]],
      [{ 'span.name': 'c' }, [], [4]],
    ]);
  });

  it('percentile lines pair by their percentile; lines with equal tags pair in order', () => {
    const p = (pct: string, v: number) => line({ percentile: pct }, [], [v]);
    expect(pairLines([p('p50', 1), p('p99', 2)], [p('p99', 4), p('p50', 3)]).map((x) => [x.tags, x.control[0], x.experiment[0]])).toEqual([
      [{ percentile: 'p50' }, 1, 3],
      [{ percentile: 'p99' }, 2, 4],
    ]);
    const plain = (v: number) => line({ name: 'x' }, [], [v]);
    expect(pairLines([plain(1), plain(2)], [plain(3), plain(4)]).map((x) => [x.control[0], x.experiment[0]])).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it('no line in either scope: one pair without data (so the metric is Nodata, not missing)', () => {
    expect(pairLines([], [])).toEqual([{ tags: {}, control: new Float64Array(0), experiment: new Float64Array(0) }]);
  });

  it("the scope is ANDed into every expression on the stack (Kayenta's Atlas form)", () => {
    expect(scopedProgram('name,a,:eq,name,b,:eq', 'app,x,:eq')).toBe('name,a,:eq,name,b,:eq,:list,(,app,x,:eq,:cq,),:each');
    expect(scopedProgram('name,a,:eq', '')).toBe('name,a,:eq');
  });
});
