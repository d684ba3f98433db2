// An in-memory SeriesSource for the stack-language golden tests: hand-made series at a
// fixed base step, filtered by TagQuery, consolidated to the window's step, then
// aggregated per step and group. Deliberately naive so it is obviously right.
import type { Consolidation, DataRequest, PercentilesRequest, Series, SeriesSource, TagQuery, Window } from '../../query/asl/types.ts';

export interface HandSeries {
  readonly tags: Record<string, string>;
  /** values[i] is the value at T0 + i * BASE_STEP. */
  readonly values: readonly number[];
}

export const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000); // an hour boundary
export const BASE_STEP = 60_000;

/** The window covering the first n base steps (or n steps of `step`). */
export function windowOf(n: number, step = BASE_STEP): Window {
  return { start: T0, end: T0 + n * step, step };
}

export function matches(q: TagQuery, tags: Record<string, string>): boolean {
  switch (q.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'has':
      return q.key in tags;
    case 'and':
      return matches(q.left, tags) && matches(q.right, tags);
    case 'or':
      return matches(q.left, tags) || matches(q.right, tags);
    case 'not':
      return !matches(q.query, tags);
    case 'in':
      return q.values.includes(tags[q.key] as string);
  }
  const v = tags[q.key];
  if (v === undefined) return false;
  switch (q.op) {
    case 'eq':
      return v === q.value;
    case 'lt':
      return v < q.value;
    case 'le':
      return v <= q.value;
    case 'gt':
      return v > q.value;
    case 'ge':
      return v >= q.value;
    case 're':
      return new RegExp(`^(?:${q.value})`).test(v);
    case 'reic':
      return new RegExp(`^(?:${q.value})`, 'i').test(v);
    case 'contains':
      return v.includes(q.value);
    case 'starts':
      return v.startsWith(q.value);
    case 'ends':
      return v.endsWith(q.value);
  }
}

function exactTags(q: TagQuery): Record<string, string> {
  if (q.op === 'eq') return { [q.key]: q.value };
  if (q.op === 'and') return { ...exactTags(q.left), ...exactTags(q.right) };
  return {};
}

/** The series' values on the window's steps: base samples in [t, t + step) consolidated by cf. */
function stepValues(s: HandSeries, window: Window, offsetMs: number, cf: Consolidation): number[] {
  const out: number[] = [];
  for (let t = window.start; t < window.end; t += window.step) {
    const samples: number[] = [];
    for (let u = t - offsetMs; u < t - offsetMs + window.step; u += BASE_STEP) {
      samples.push(s.values[(u - T0) / BASE_STEP] ?? NaN);
    }
    const present = samples.filter((v) => !Number.isNaN(v));
    if (present.length === 0) out.push(NaN);
    else if (cf === 'avg') out.push(present.reduce((a, b) => a + b, 0) / samples.length); // NaN counts as 0
    else if (cf === 'sum') out.push(present.reduce((a, b) => a + b, 0));
    else if (cf === 'min') out.push(Math.min(...present));
    else out.push(Math.max(...present));
  }
  return out;
}

function aggregate(fn: 'sum' | 'count' | 'min' | 'max', columns: number[][], length: number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const present = columns.map((c) => c[i]!).filter((v) => !Number.isNaN(v));
    if (present.length === 0) out[i] = NaN;
    else if (fn === 'sum') out[i] = present.reduce((a, b) => a + b, 0);
    else if (fn === 'count') out[i] = present.length;
    else if (fn === 'min') out[i] = Math.min(...present);
    else out[i] = Math.max(...present);
  }
  return out;
}

function groups<T extends { tags: Record<string, string> }>(items: T[], keys: readonly string[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    if (!keys.every((k) => k in item.tags)) continue;
    const key = JSON.stringify(keys.map((k) => item.tags[k]));
    out.set(key, [...(out.get(key) ?? []), item]);
  }
  return out;
}

export class MemorySource implements SeriesSource {
  readonly requests: DataRequest[] = [];
  readonly percentileRequests: PercentilesRequest[] = [];

  /** `percentileSeries`: ready-made estimates tagged `percentile` = `p50`, ... */
  constructor(
    private readonly series: readonly HandSeries[],
    private readonly percentileSeries: readonly HandSeries[] = [],
  ) {}

  async fetch(request: DataRequest, window: Window): Promise<Series[]> {
    this.requests.push(request);
    const matched = this.series.filter((s) => matches(request.query, s.tags));
    const length = (window.end - window.start) / window.step;
    const values = (s: HandSeries) => stepValues(s, window, request.offsetMs, request.consolidation);
    if (request.aggregation === 'all') return matched.map((s) => ({ tags: s.tags, values: Float64Array.from(values(s)) }));
    const fn = request.aggregation;
    const result: Series[] = [];
    for (const members of groups(matched, request.groupBy).values()) {
      const tags = { ...exactTags(request.query), ...Object.fromEntries(request.groupBy.map((k) => [k, members[0]!.tags[k]!])) };
      result.push({ tags, values: aggregate(fn, members.map(values), length) });
    }
    return result;
  }

  async percentiles(request: PercentilesRequest, window: Window): Promise<Series[]> {
    this.percentileRequests.push(request);
    const wanted = new Set(request.percentiles.map((p) => `p${p}`));
    const matched = this.percentileSeries.filter((s) => matches(request.query, s.tags) && wanted.has(s.tags.percentile!));
    return matched
      .filter((s) => request.groupBy.every((k) => k in s.tags))
      .map((s) => ({
        tags: { ...exactTags(request.query), ...Object.fromEntries(request.groupBy.map((k) => [k, s.tags[k]!])), percentile: s.tags.percentile! },
        values: Float64Array.from(stepValues(s, window, request.offsetMs, 'avg')),
      }));
  }
}
