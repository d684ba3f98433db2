// Outlier removal before the canary test: Kayenta's IQR detector with reduced sensitivity,
// so only points beyond both the Tukey fence and the 1st/99th percentile are dropped.
import { percentile } from './statistics.ts';

/**
 * The values inside the fences min(p01, Q1 - f*IQR) and max(p99, Q3 + f*IQR), in input order.
 * Percentiles are Apache Commons Math's legacy estimator, as Kayenta's.
 */
export function removeOutliers(values: Float64Array, factor: number): Float64Array {
  if (values.length === 0) return values;
  const sorted = Float64Array.from(values).sort();
  const q1 = percentile(sorted, 25);
  const q3 = percentile(sorted, 75);
  const iqr = q3 - q1;
  const lowerFence = Math.min(percentile(sorted, 1), q1 - factor * iqr);
  const upperFence = Math.max(percentile(sorted, 99), q3 + factor * iqr);
  return values.filter((v) => v >= lowerFence && v <= upperFence);
}
