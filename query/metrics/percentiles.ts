// Percentiles estimated from histogram buckets (Atlas :percentiles over OTel histograms):
// explicit and exponential buckets become one bucket list, lists of a group add up, and a
// percentile interpolates linearly inside the bucket it falls in (as Prometheus'
// histogram_quantile does). Pure functions; the store reads the buckets (source.ts).

/** A bucket: the values in (lower, upper] were counted `count` times. */
export interface Bucket {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
}

/**
 * Explicit buckets: counts[i] counts (bounds[i-1], bounds[i]]; the first bucket starts at 0
 * when its bound is positive (latencies, sizes), else at -Infinity; the last ends at +Infinity.
 */
export function explicitBuckets(bounds: readonly number[], counts: readonly number[]): Bucket[] {
  return counts.map((count, i) => ({
    lower: i === 0 ? ((bounds[0] ?? 0) > 0 ? 0 : Number.NEGATIVE_INFINITY) : bounds[i - 1]!,
    upper: i < bounds.length ? bounds[i]! : Number.POSITIVE_INFINITY,
    count,
  }));
}

/**
 * Exponential buckets (OTLP): positive bucket `offset + k` counts (base^(offset+k),
 * base^(offset+k+1)] with base = 2^(2^-scale); the zero bucket counts [-zeroThreshold,
 * zeroThreshold]. `toScale` (<= scale) re-buckets to a coarser scale so histograms of
 * different scales add up: index i becomes i >> (scale - toScale).
 */
export function exponentialBuckets(
  scale: number,
  zeroCount: number,
  zeroThreshold: number,
  positiveOffset: number,
  positiveCounts: readonly number[],
  toScale = scale,
): Bucket[] {
  const shift = scale - toScale;
  const base = 2 ** (2 ** -toScale);
  const byIndex = new Map<number, number>();
  positiveCounts.forEach((count, k) => {
    if (count === 0) return;
    const index = Math.floor((positiveOffset + k) / 2 ** shift);
    byIndex.set(index, (byIndex.get(index) ?? 0) + count);
  });
  const buckets: Bucket[] = [];
  if (zeroCount > 0) buckets.push({ lower: -zeroThreshold, upper: zeroThreshold, count: zeroCount });
  for (const [index, count] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    buckets.push({ lower: base ** index, upper: base ** (index + 1), count });
  }
  return buckets;
}

/** Adds bucket lists: equal (lower, upper) buckets add their counts. Sorted by upper bound. */
export function mergeBuckets(lists: ReadonlyArray<readonly Bucket[]>): Bucket[] {
  const byRange = new Map<string, Bucket>();
  for (const list of lists) {
    for (const b of list) {
      const key = `${b.lower}:${b.upper}`;
      const seen = byRange.get(key);
      byRange.set(key, seen === undefined ? b : { ...seen, count: seen.count + b.count });
    }
  }
  return [...byRange.values()].sort((a, b) => a.upper - b.upper || a.lower - b.lower);
}

/**
 * The p-th percentile (0..100) of the bucketed values: NaN without counts. Inside a bucket
 * values are taken as evenly spread; a percentile in the open-ended last bucket is its lower
 * bound, in an open-ended first bucket its upper bound.
 */
export function percentile(buckets: readonly Bucket[], p: number): number {
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  if (total <= 0) return Number.NaN;
  const rank = (p / 100) * total;
  let below = 0;
  for (const b of buckets) {
    if (b.count > 0 && below + b.count >= rank) {
      if (b.upper === Number.POSITIVE_INFINITY) return b.lower;
      if (b.lower === Number.NEGATIVE_INFINITY) return b.upper;
      return b.lower + ((b.upper - b.lower) * (rank - below)) / b.count;
    }
    below += b.count;
  }
  const last = buckets[buckets.length - 1]!;
  return last.upper === Number.POSITIVE_INFINITY ? last.lower : last.upper;
}

/** The tag value of a percentile line, Atlas style: 50 -> "p50", 99.9 -> "p99.9". */
export function percentileTag(p: number): string {
  return `p${Number(p.toFixed(6))}`;
}

/** One step of one series: cumulative buckets (with their start) or the step's delta buckets. */
export interface BucketPoint {
  readonly step: number;
  /** Unix ms the sequence started (cumulative), to tell restarts from increases. */
  readonly start: number;
  readonly time: number;
  readonly buckets: readonly Bucket[];
}

/**
 * A cumulative series' buckets per step as the counts added in that step: the difference to
 * the previous step's buckets while the start time is unchanged and no count fell; on a
 * restart the whole counts if the start is before the point. The first point has no
 * difference (skipped) unless its sequence started at or after `since`.
 */
export function cumulativeIncreases(points: readonly BucketPoint[], since: number): Map<number, Bucket[]> {
  const out = new Map<number, Bucket[]>();
  let prev: BucketPoint | undefined;
  for (const point of [...points].sort((a, b) => a.time - b.time)) {
    if (prev !== undefined && point.start === prev.start) {
      const before = new Map(prev.buckets.map((b) => [`${b.lower}:${b.upper}`, b.count]));
      const diff = point.buckets.map((b) => ({ ...b, count: b.count - (before.get(`${b.lower}:${b.upper}`) ?? 0) }));
      out.set(point.step, diff.some((b) => b.count < 0) ? [...point.buckets] : diff);
    } else if ((prev !== undefined || point.start >= since) && point.start < point.time) {
      out.set(point.step, [...point.buckets]);
    }
    prev = point;
  }
  return out;
}
