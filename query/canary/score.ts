// Scoring of classified metrics (NetflixACAJudge-v1.0): group scores, the weighted summary
// score, the rules that force it to 0, and the Pass / Marginal / Fail verdict.
import type { Classification } from './classify.ts';

export interface ScoredMetric {
  classification: Classification;
  groups: readonly string[];
  critical: boolean;
  muted: boolean;
}

export interface GroupScore {
  name: string;
  score: number;
}

export type Verdict = 'Pass' | 'Marginal' | 'Fail';

export interface Score {
  score: number;
  classification: Verdict;
  classificationReason: string;
}

/** Share of (unmuted) metrics classified Nodata at which the score is forced to 0. */
export const NODATA_LIMIT = 0.5;

/** Per group: Pass / (Pass + High + Low + NodataFailMetric) * 100; 100 when none of these. */
export function groupScores(metrics: readonly ScoredMetric[]): GroupScore[] {
  const counts = new Map<string, { pass: number; counted: number }>();
  for (const m of metrics) {
    if (m.muted) continue;
    for (const group of m.groups) {
      const c = counts.get(group) ?? { pass: 0, counted: 0 };
      if (m.classification === 'Pass') c.pass++;
      if (m.classification === 'Pass' || m.classification === 'High' || m.classification === 'Low' || m.classification === 'NodataFailMetric') c.counted++;
      counts.set(group, c);
    }
  }
  return [...counts].map(([name, c]) => ({ name, score: c.counted === 0 ? 100 : (c.pass / c.counted) * 100 }));
}

/**
 * sum(score_g * w_g / 100) over the groups; groups without a configured weight share what the
 * configured weights leave of 100 equally.
 */
export function summaryScore(groups: readonly GroupScore[], weights: Readonly<Record<string, number>>): number {
  const given = Object.values(weights).reduce((a, b) => a + b, 0);
  const unweighted = groups.filter((g) => weights[g.name] === undefined).length;
  const shared = unweighted === 0 ? 0 : (100 - given) / unweighted;
  const total = groups.reduce((sum, g) => sum + (g.score * (weights[g.name] ?? shared)) / 100, 0);
  return Math.round(total * 100) / 100;
}

export function verdict(score: number, thresholds: { pass: number; marginal: number }): Verdict {
  if (score >= thresholds.pass) return 'Pass';
  if (score >= thresholds.marginal) return 'Marginal';
  return 'Fail';
}

/** The summary score with its verdict, after the critical-metric and no-data rules. */
export function scoreJudgement(
  metrics: readonly ScoredMetric[],
  weights: Readonly<Record<string, number>>,
  thresholds: { pass: number; marginal: number },
): { groupScores: GroupScore[]; score: Score } {
  const groups = groupScores(metrics);
  const scored = metrics.filter((m) => !m.muted);
  const criticalFailures = scored.filter((m) => m.critical && m.classification !== 'Pass').length;
  const nodata = scored.filter((m) => m.classification === 'Nodata').length;
  let score = summaryScore(groups, weights);
  let reason: string;
  if (criticalFailures > 0) {
    score = 0;
    reason = `Canary Failed: ${criticalFailures} critical metric${criticalFailures === 1 ? '' : 's'} failed`;
  } else if (scored.length > 0 && nodata / scored.length >= NODATA_LIMIT) {
    score = 0;
    reason = `Canary Failed: ${nodata} of ${scored.length} metrics had no data (${NODATA_LIMIT * 100}% or more)`;
  } else if (scored.length === 0) {
    score = 0;
    reason = 'Canary Failed: no metric was scored, every metric is muted';
  } else {
    const counts = new Map<Classification, number>();
    for (const m of scored) counts.set(m.classification, (counts.get(m.classification) ?? 0) + 1);
    reason = [...counts].map(([c, n]) => `${c} ${n}`).join(', ');
  }
  const classification = verdict(score, thresholds);
  return { groupScores: groups, score: { score, classification, classificationReason: reason } };
}
