// The judge (NetflixACAJudge-v1.0) over metric set pairs: classify every pair, score the
// groups and the whole, and answer Kayenta's CanaryJudgeResult shape. Pure: no I/O, no clock,
// no unseeded randomness, so the same samples always give the same judgement.
import { type Classification, classifyMetric, cleanSamples, mean } from './classify.ts';
import { type CanaryConfig, type CanaryMetric, JUDGE_NAME } from './config.ts';
import { type GroupScore, type Score, scoreJudgement } from './score.ts';
import { percentile } from './statistics.ts';

/** One line of a metric in both scopes (Kayenta's MetricSetPair): the samples per step. */
export interface MetricSetPair {
  metric: CanaryMetric;
  id: string;
  /** The line's group-by tags (empty for a single-line metric). */
  tags: Record<string, string>;
  control: Float64Array;
  experiment: Float64Array;
}

export interface SampleStats {
  count: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  median: number | null;
}

export interface CanaryAnalysisResult {
  name: string;
  id: string;
  tags: Record<string, string>;
  classification: Classification;
  classificationReason: string | null;
  groups: string[];
  critical: boolean;
  muted: boolean;
  controlMetadata: { stats: SampleStats };
  experimentMetadata: { stats: SampleStats };
  resultMetadata: {
    /** mean(experiment) / mean(control); null when undefined. */
    ratio: number | null;
    effectSize: { measure: string; value: number | null };
    /** The Mann-Whitney test, when it ran: U of the experiment, p, shift estimate and interval. */
    mannWhitney: { u: number; pValue: number; estimate: number; lower: number; upper: number } | null;
  };
}

export interface CanaryJudgeResult {
  judgeName: string;
  results: CanaryAnalysisResult[];
  groupScores: GroupScore[];
  score: Score;
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

export function sampleStats(values: Float64Array): SampleStats {
  if (values.length === 0) return { count: 0, mean: null, min: null, max: null, median: null };
  const sorted = Float64Array.from(values).sort();
  return { count: values.length, mean: finite(mean(values)), min: sorted[0]!, max: sorted[sorted.length - 1]!, median: percentile(sorted, 50) };
}

export function analyzePair(pair: MetricSetPair): CanaryAnalysisResult {
  const { analysis } = pair.metric;
  const control = cleanSamples(pair.control, analysis);
  const experiment = cleanSamples(pair.experiment, analysis);
  const c = classifyMetric(control, experiment, analysis);
  return {
    name: pair.metric.name,
    id: pair.id,
    tags: pair.tags,
    classification: c.classification,
    classificationReason: c.reason,
    groups: pair.metric.groups,
    critical: c.critical,
    muted: analysis.muted,
    controlMetadata: { stats: sampleStats(control) },
    experimentMetadata: { stats: sampleStats(experiment) },
    resultMetadata: {
      ratio: finite(c.ratio),
      effectSize: { measure: analysis.effectSize.measure, value: finite(c.effectSize) },
      mannWhitney: c.test === null ? null : { ...c.test },
    },
  };
}

export function judge(config: CanaryConfig, pairs: readonly MetricSetPair[], thresholds: { pass: number; marginal: number }): CanaryJudgeResult {
  const results = pairs.map(analyzePair);
  const { groupScores, score } = scoreJudgement(results, config.groupWeights, thresholds);
  return { judgeName: JUDGE_NAME, results, groupScores, score };
}
