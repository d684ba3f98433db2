// Classification of one metric (NetflixACAJudge-v1.0): the control and experiment samples are
// cleaned (NaN strategy, outliers), checked for the cases the test cannot decide (no data,
// identical, constant), then compared by the Mann-Whitney test and the effect size.
import type { MetricAnalysis } from './config.ts';
import { removeOutliers } from './outliers.ts';
import { type MannWhitneyResult, averageRanks, mannWhitney, seededGaussian } from './statistics.ts';

export type Classification = 'Pass' | 'High' | 'Low' | 'Nodata' | 'NodataFailMetric' | 'Error';

/** Kayenta's fixed test settings. */
export const CONFIDENCE_LEVEL = 0.98;
export const TOLERANCE = 0.25;
/** Relative sigma of the noise added when each side is one repeated value. */
export const NOISE_SIGMA = 1e-5;
/** The noise is seeded so the same samples always get the same judgement. */
const NOISE_SEED = 0x5eed;

export interface MetricClassification {
  classification: Classification;
  reason: string | null;
  /** True when the metric fails hard enough to zero the score (critical metrics only). */
  critical: boolean;
  /** The configured effect size (meanRatio or cles); NaN when undefined. */
  effectSize: number;
  /** mean(experiment) / mean(control); NaN when a mean is 0 or a side is empty. */
  ratio: number;
  /** The test, when it ran. */
  test: MannWhitneyResult | null;
}

/**
 * NaN strategy, then (if configured) outlier removal: the samples the test sees. Infinite
 * values (a division by zero in the query) count as NaN: no test can rank them meaningfully.
 */
export function cleanSamples(values: Float64Array, analysis: MetricAnalysis): Float64Array {
  const cleaned = analysis.nanStrategy === 'replace' ? values.map((v) => (Number.isFinite(v) ? v : 0)) : values.filter(Number.isFinite);
  return analysis.outlierFactor === null ? cleaned : removeOutliers(cleaned, analysis.outlierFactor);
}

export function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? NaN : sum / values.length;
}

export function meanRatio(control: Float64Array, experiment: Float64Array): number {
  const c = mean(control);
  const e = mean(experiment);
  return c === 0 || e === 0 ? NaN : e / c;
}

/** Common-language effect size: P(experiment > control), ties counting half, from the rank sum. */
export function cles(control: Float64Array, experiment: Float64Array): number {
  const m = experiment.length;
  const n = control.length;
  const all = new Float64Array(m + n);
  all.set(experiment, 0);
  all.set(control, m);
  const { ranks } = averageRanks(all);
  let r1 = 0;
  for (let i = 0; i < m; i++) r1 += ranks[i]!;
  return (2 * r1 - m * (m + 1)) / (2 * n * m);
}

function distinct(values: Float64Array): number {
  return new Set(values).size;
}

function sameSorted(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  return x.every((v, i) => v === y[i]);
}

/** Each value plus Gaussian noise of sigma |value| * 1e-5, so a constant side gets a spread. */
function withNoise(values: Float64Array, gaussian: () => number): Float64Array {
  return values.map((v) => v + gaussian() * Math.abs(v) * NOISE_SIGMA);
}

const fmt = (n: number) => Number(n.toPrecision(6)).toString();

/**
 * Classifies cleaned samples (cleanSamples) of one metric. Never throws: a failing test is an
 * `Error` classification.
 */
export function classifyMetric(control: Float64Array, experiment: Float64Array, analysis: MetricAnalysis): MetricClassification {
  const ratio = meanRatio(control, experiment);
  const result = (classification: Classification, reason: string | null, effectSize = NaN, test: MannWhitneyResult | null = null, critical = false): MetricClassification => ({
    classification,
    reason,
    critical,
    effectSize,
    ratio,
    test,
  });

  if (control.length === 0 || experiment.length === 0) {
    if (analysis.nanStrategy === 'replace') return result('Pass', null);
    const side = control.length === 0 && experiment.length === 0 ? 'Baseline and Canary' : control.length === 0 ? 'Baseline' : 'Canary';
    const reason = `Missing data: the ${side} has no values`;
    if (analysis.mustHaveData && !analysis.critical) return result('NodataFailMetric', reason);
    // A critical metric without data is a critical failure (it zeroes the score).
    return result('Nodata', reason, NaN, null, analysis.critical);
  }
  if (sameSorted(control, experiment)) return result('Pass', 'The Canary and Baseline data are identical');
  const controlDistinct = distinct(control);
  const experimentDistinct = distinct(experiment);
  if (controlDistinct === 1 && experimentDistinct === 1 && control[0] === experiment[0]) {
    return result('Pass', 'All values of the Canary and Baseline are equal');
  }

  const effect = analysis.effectSize;
  const effectSize = effect.measure === 'meanRatio' ? ratio : cles(control, experiment);
  let x = experiment;
  let y = control;
  if (controlDistinct === 1 && experimentDistinct === 1) {
    const gaussian = seededGaussian(NOISE_SEED);
    x = withNoise(experiment, gaussian);
    y = withNoise(control, gaussian);
  }
  let test: MannWhitneyResult;
  try {
    test = mannWhitney(x, y, CONFIDENCE_LEVEL);
  } catch (error) {
    // A critical metric that cannot be judged must not let the canary pass.
    return result('Error', `Metric classification failed: ${(error as Error).message}`, effectSize, null, analysis.critical);
  }

  const bound = TOLERANCE * Math.abs(test.estimate);
  const interval = `the ${CONFIDENCE_LEVEL * 100}% interval of the shift [${fmt(test.lower)}, ${fmt(test.upper)}]`;
  const effectText = `${effect.measure} ${Number.isNaN(effectSize) ? 'undefined' : fmt(effectSize)}`;
  const high =
    analysis.direction !== 'decrease' && test.lower > bound && (Number.isNaN(effectSize) || effectSize >= effect.allowedIncrease);
  const low =
    analysis.direction !== 'increase' && test.upper < -bound && (Number.isNaN(effectSize) || effectSize <= effect.allowedDecrease);
  if (high) {
    const critical = analysis.critical && effectSize >= effect.criticalIncrease;
    return result('High', `The Canary is higher than the Baseline: ${interval} lies above ${fmt(bound)}; ${effectText}`, effectSize, test, critical);
  }
  if (low) {
    const critical = analysis.critical && effectSize <= effect.criticalDecrease;
    return result('Low', `The Canary is lower than the Baseline: ${interval} lies below ${fmt(-bound)}; ${effectText}`, effectSize, test, critical);
  }
  return result('Pass', null, effectSize, test);
}
