// The series store behind the Atlas stack language: answers the evaluator's data requests
// (query/asl/types.ts) from the series tables kept at ingest (0006_atlas.sql). Filtering,
// per-minute normalization, grouping and consolidation run in ClickHouse (sql.ts); this file
// checks limits, runs the statements and lays the rows out as step-aligned lines.
import type { ClickHouseClient } from '@clickhouse/client';
import { vigilError } from '../../schemas/errors.ts';
import type { Aggregation, DataRequest, PercentilesRequest, Series, SeriesSource, Window } from '../asl/types.ts';
import {
  type Bucket,
  type BucketPoint,
  cumulativeIncreases,
  explicitBuckets,
  exponentialBuckets,
  mergeBuckets,
  percentile,
  percentileTag,
} from './percentiles.ts';
import { HourCache, type HourLine, type HourRequest } from './hour-cache.ts';
import {
  fetchMetricSql,
  fetchSpanSql,
  histogramPointsSql,
  type HourPaths,
  type Kind,
  KINDS,
  type MetricRequest,
  type MinuteWindow,
  type Params,
  resolveSql,
  type Roll,
  rollsByHour,
  SLOW_ROWS,
  spanPercentilesSql,
  splitHours,
} from './sql.ts';
import { exactTags, mayMatchName, NAME, PERCENTILE, RESOURCE_TAG_KEYS, SPAN_DURATION, SPAN_ERRORS, SPAN_REQUESTS } from './series.ts';

export interface SeriesSourceOptions {
  /** Most series one data request may read (catalogue matches). */
  maxSeries?: number;
  /** Most lines one data request may answer (groups after `:by`, or series for `:all`). */
  maxLines?: number;
  /** Memory for the lines of rolled-up hours kept between queries (hour-cache.ts); 0 (default): none. */
  hourCacheBytes?: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const SPAN_NAMES = [SPAN_REQUESTS, SPAN_ERRORS, SPAN_DURATION];

/** A histogram point as the store reads it: (start ms, time ms, buckets). */
type ExplicitPoint = [number, number, [number[], Array<number | string>]];
type ExponentialPoint = [number, number, [number, number | string, number, number, Array<number | string>]];

interface HistogramRow<P> {
  series: string;
  g: string[];
  step: number;
  delta: number;
  points: P[];
}

interface LineRow {
  g: string[];
  tags: Record<string, string>;
  points: Array<[number, number]>;
}

/**
 * The store's window: minutes. A step below a minute divides it (Atlas allows only those):
 * the minute values are read and repeated; otherwise the step must be whole minutes.
 */
export function minuteWindow(window: Window, offsetMs: number): MinuteWindow {
  const { step } = window;
  if (step < MINUTE ? MINUTE % step !== 0 : step % MINUTE !== 0) {
    throw vigilError('VIGIL_ERR_BAD_PARAMETER', 'step', `${step} ms: metrics are stored per minute, so a step must divide a minute or be whole minutes`);
  }
  const start = window.start - offsetMs;
  const end = window.end - offsetMs;
  if (step >= MINUTE) return { start, end, step };
  return { start: Math.floor(start / MINUTE) * MINUTE, end: Math.ceil(end / MINUTE) * MINUTE, step: MINUTE };
}

/** Step values of a line from (step index, value) pairs of the store's window. */
export function lineValues(points: ReadonlyArray<readonly [number, number]>, window: Window, store: MinuteWindow, offsetMs: number): Float64Array {
  const values = storeValues(store);
  for (const [i, v] of points) setStep(values, i, v);
  return windowValues(values, window, store, offsetMs);
}

/** How many steps the store's window has. */
function storeSteps(store: MinuteWindow): number {
  return Math.max(0, Math.ceil((store.end - store.start) / store.step));
}

/** One value per step of the store's window, NaN until set. */
function storeValues(store: MinuteWindow): Float64Array {
  return new Float64Array(storeSteps(store)).fill(Number.NaN);
}

/**
 * Sets step i (of the store's window) when it lies in it. Step indices may arrive as strings
 * (ClickHouse quotes 64-bit integers in JSON); null is no value.
 */
function setStep(values: Float64Array, i: number | string, v: number | null): void {
  const step = Number(i);
  if (step >= 0 && step < values.length && v !== null) values[step] = v;
}

/**
 * The window's step values from those of the store's window: the same steps (the store's window
 * is the window shifted by the offset); for steps finer than the store's minute, each step
 * shows its minute's value.
 */
function windowValues(values: Float64Array, window: Window, store: MinuteWindow, offsetMs: number): Float64Array {
  if (window.step >= MINUTE) return values;
  const n = Math.max(0, Math.ceil((window.end - window.start) / window.step));
  const out = new Float64Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    const minute = Math.floor((window.start - offsetMs + i * window.step - store.start) / MINUTE);
    if (minute >= 0 && minute < values.length) out[i] = values[minute]!;
  }
  return out;
}

const TSV_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** A TabSeparated field as the engine escapes it (\\, \t, \n, ...). */
export function unescapeTsv(field: string): string {
  return field.includes('\\') ? field.replace(/\\(.)/g, (_, c: string) => TSV_ESCAPES[c] ?? c) : field;
}

/** Two lines of the same group from different sources (metrics and spans) as one. */
function combine(a: Float64Array, b: Float64Array, aggregation: Aggregation | 'all'): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x)) out[i] = y;
    else if (Number.isNaN(y)) out[i] = x;
    else out[i] = aggregation === 'min' ? Math.min(x, y) : aggregation === 'max' ? Math.max(x, y) : x + y;
  }
  return out;
}

/** How many (metrics, computed hours) the source remembers as needing the slow branch. */
const SLOW_HINTS = 10_000;

export class ClickHouseSeriesSource implements SeriesSource {
  private readonly maxSeries: number;
  private readonly maxLines: number;
  /**
   * Metrics and computed hours whose rows needed the slow branch when last read: read with
   * both branches at once. A hint only (which statement to try first), never an answer.
   */
  private readonly slowHours = new Set<string>();
  private readonly hourCache: HourCache;

  constructor(
    private readonly client: ClickHouseClient,
    options: SeriesSourceOptions = {},
  ) {
    this.maxSeries = options.maxSeries ?? 100_000;
    this.maxLines = options.maxLines ?? 10_000;
    this.hourCache = new HourCache(options.hourCacheBytes ?? 0);
  }

  async fetch(request: DataRequest, window: Window): Promise<Series[]> {
    const store = minuteWindow(window, request.offsetMs);
    const { query, aggregation } = request;
    const groupBy = aggregation === 'all' ? [] : request.groupBy;
    const [metricLines, spanLines] = await Promise.all([
      this.metricLines(request, store, window),
      mayMatchName(query, SPAN_NAMES) ? this.spanLines(request, store, window) : Promise.resolve([]),
    ]);
    // A line of the span series and one of the metric series with the same group are one line.
    const lines = new Map<string, Series>();
    for (const line of [...metricLines, ...spanLines]) {
      const key = JSON.stringify(aggregation === 'all' ? Object.entries(line.tags).sort() : groupBy.map((k) => line.tags[k]));
      const other = lines.get(key);
      lines.set(key, other === undefined ? line : { tags: line.tags, values: combine(other.values, line.values, aggregation) });
    }
    if (lines.size > this.maxLines) throw vigilError('VIGIL_ERR_TOO_MANY_SERIES', 'lines', lines.size, this.maxLines);
    return [...lines.values()];
  }

  /** Metric series: their lines resolved from the catalogue first (limits, tags), then read. */
  private async metricLines(request: DataRequest, store: MinuteWindow, window: Window): Promise<Series[]> {
    const { query, aggregation, consolidation } = request;
    const all = aggregation === 'all';
    const groupBy = all ? [] : request.groupBy;
    const metadata = await this.tsv(resolveSql(query, groupBy, store, this.maxLines + 1, all));
    const resolved = metadata.filter((row) => row[0] === 'line').map((row) => row.slice(1));
    if (resolved.length === 0) return [];
    const seriesCount = resolved.reduce((n, row) => n + Number(row[3]), 0);
    if (seriesCount > this.maxSeries) throw vigilError('VIGIL_ERR_TOO_MANY_SERIES', 'series', seriesCount, this.maxSeries);
    if (resolved.length > this.maxLines) throw vigilError('VIGIL_ERR_TOO_MANY_SERIES', 'lines', resolved.length, this.maxLines);
    const fixed = exactTags(query);
    const lineTags = new Map(
      resolved.map(([line, g, , , name, labels]) => {
        const values = JSON.parse(g!) as string[];
        const tags = all ? { ...(JSON.parse(labels!) as Record<string, string>), [NAME]: name! } : { ...fixed, ...Object.fromEntries(groupBy.map((k, i) => [k, values[i] ?? ''])) };
        return [line!, tags];
      }),
    );
    const names = [...new Set(resolved.flatMap((row) => JSON.parse(row[2]!) as string[]))];
    const kinds = [...new Set(resolved.flatMap((row) => JSON.parse(row[6]!) as string[]))].filter((k): k is Kind => (KINDS as readonly string[]).includes(k));
    // Closed hours with a fresh roll are read from the rollup, the others computed.
    const rolls = metadata.filter((row) => row[0] === 'roll').map(([, name, hour, version]): Roll => ({ name: name!, hour: Number(hour), version: version! }));
    const hours = splitHours(names, rolls, store);
    if (hours.computed.length === 0 && hours.rolled.length === 0) return [];
    const { read, cached, filling } = this.cachedHours({ query, groupBy, aggregation }, hours, store);
    const rows = read.computed.length === 0 && read.rolled.length === 0 ? [] : await this.readMetric({ query, groupBy, aggregation, consolidation, names, kinds }, store, read);
    // A line's points may come in several rows (one per hour at a one-minute step); only the
    // steps of the window count (a one-minute row holds its whole hour). A line is kept once
    // one of its steps is in the window.
    const lines = new Map<string, Float64Array>();
    const stepCount = storeSteps(store);
    const addPoints = (line: string, steps: readonly number[], values: readonly number[], stepOf: (x: number) => number) => {
      let out = lines.get(line);
      for (let k = 0; k < steps.length; k++) {
        const step = stepOf(steps[k]!);
        if (!(step >= 0 && step < stepCount)) continue;
        if (out === undefined) lines.set(line, (out = storeValues(store)));
        setStep(out, step, values[k]!);
      }
    };
    const asStep = (i: number) => i;
    const minuteStep = (m: number) => (m - store.start) / MINUTE;
    for (const [line, buckets, values] of rows) {
      const steps = JSON.parse(buckets!) as number[];
      if (steps.length === 0) continue;
      const numbers = JSON.parse(values!) as number[];
      addPoints(line!, steps, numbers, asStep);
      // At a one-minute step a row is one line's hour: kept if that hour is being cached.
      const filled = filling.get(Math.floor((store.start + steps[0]! * MINUTE) / HOUR) * 3600);
      filled?.lines.push({ line: line!, minutes: steps.map((i) => store.start + i * MINUTE), values: numbers });
    }
    for (const { key, lines: hourLines } of filling.values()) this.hourCache.set(key, hourLines);
    for (const hour of cached) {
      for (const { line, minutes, values } of hour) addPoints(line, minutes, values, minuteStep);
    }
    return [...lines].flatMap(([line, values]) => {
      const tags = lineTags.get(line);
      // A series first seen after the lines were resolved: its line is left out.
      if (tags === undefined) return [];
      return [{ tags, values: windowValues(values, window, store, request.offsetMs) }];
    });
  }

  /**
   * The rolled hours whose lines the cache holds (`cached`), and the hours left to read: the
   * computed ones and the other rolled ones; of these, the rolled ones are cached once read
   * (`filling`, by unix seconds of the hour), also an hour only partly in the window: the
   * engine answers its whole hour. Only at a one-minute step from a whole minute, where the
   * engine answers a row per line and hour.
   */
  private cachedHours(request: HourRequest, hours: HourPaths, store: MinuteWindow) {
    const filling = new Map<number, { key: string; lines: HourLine[] }>();
    const cached: HourLine[][] = [];
    if (!this.hourCache.enabled || store.step !== MINUTE || store.start % MINUTE !== 0) return { read: hours, cached, filling };
    const rolled: Roll[] = [];
    for (const [hour, rolls] of rollsByHour(hours.rolled)) {
      const key = this.hourCache.key(request, hour, rolls);
      const lines = this.hourCache.get(key);
      if (lines !== undefined) {
        cached.push(lines);
        continue;
      }
      rolled.push(...rolls);
      filling.set(hour, { key, lines: [] });
    }
    return { read: { computed: hours.computed, rolled }, cached, filling };
  }

  /**
   * The metric statement's rows. Computed hours are first read with the fast branch only (most
   * rows: one point per minute, no restart), which the engine plans far faster; when a row
   * needs the slow branch that statement fails and the read is made again with both.
   */
  private async readMetric(request: MetricRequest, store: MinuteWindow, hours: HourPaths): Promise<string[][]> {
    const hint = JSON.stringify([request.names, request.kinds, hours.computed]);
    if (hours.computed.length === 0 || this.slowHours.has(hint)) return this.tsv(fetchMetricSql(request, store, hours));
    try {
      return await this.tsv(fetchMetricSql(request, store, hours, true));
    } catch (error) {
      if (!(error instanceof Error && error.message.includes(SLOW_ROWS))) throw error;
      if (this.slowHours.size >= SLOW_HINTS) this.slowHours.clear();
      this.slowHours.add(hint);
      return this.tsv(fetchMetricSql(request, store, hours));
    }
  }

  /** Span RED series (vigil.span.*), straight from the per-minute rollup. */
  private async spanLines(request: DataRequest, store: MinuteWindow, window: Window): Promise<Series[]> {
    const { query, aggregation, consolidation } = request;
    const groupBy = aggregation === 'all' ? [] : request.groupBy;
    const rows = await this.rows<LineRow>(fetchSpanSql(query, groupBy, aggregation, consolidation, store));
    const fixed = exactTags(query);
    return rows.map((row) => ({
      tags: aggregation === 'all' ? row.tags : { ...fixed, ...Object.fromEntries(groupBy.map((k, i) => [k, row.g[i] ?? ''])) },
      values: lineValues(row.points, window, store, request.offsetMs),
    }));
  }

  async percentiles(request: PercentilesRequest, window: Window): Promise<Series[]> {
    const store = minuteWindow(window, request.offsetMs);
    const { query, groupBy, percentiles } = request;
    const [explicit, exponential, spans] = await Promise.all([
      this.rows<HistogramRow<ExplicitPoint>>(histogramPointsSql('otel_metrics_histogram', query, groupBy, store, RESOURCE_TAG_KEYS)),
      this.rows<HistogramRow<ExponentialPoint>>(histogramPointsSql('otel_metrics_exponential_histogram', query, groupBy, store, RESOURCE_TAG_KEYS)),
      mayMatchName(query, [SPAN_DURATION])
        ? this.rows<{ g: string[]; step: number; values: number[] }>(spanPercentilesSql(query, groupBy, percentiles.map((p) => p / 100), store))
        : Promise.resolve([]),
    ]);
    const seriesCount = new Set([...explicit, ...exponential].map((r) => r.series)).size;
    if (seriesCount > this.maxSeries) throw vigilError('VIGIL_ERR_TOO_MANY_SERIES', 'series', seriesCount, this.maxSeries);

    // Per group and step: the buckets counted in that step, over all the group's series.
    const steps = new Map<string, { g: string[]; byStep: Map<number, Bucket[][]> }>();
    const add = (g: string[], step: number, buckets: Bucket[]): void => {
      const key = JSON.stringify(g);
      const group = steps.get(key) ?? { g, byStep: new Map() };
      steps.set(key, group);
      group.byStep.set(step, [...(group.byStep.get(step) ?? []), buckets]);
    };
    const minScale = Math.min(...exponential.flatMap((r) => r.points.map((p) => p[2][0])));
    const toBuckets = {
      explicit: (p: ExplicitPoint): Bucket[] => explicitBuckets(p[2][0], p[2][1].map(Number)),
      exponential: (p: ExponentialPoint): Bucket[] => exponentialBuckets(p[2][0], Number(p[2][1]), p[2][2], p[2][3], p[2][4].map(Number), minScale),
    };
    const collect = <P extends ExplicitPoint | ExponentialPoint>(rows: ReadonlyArray<HistogramRow<P>>, buckets: (p: P) => Bucket[]): void => {
      const cumulative = new Map<string, { g: string[]; points: BucketPoint[] }>();
      for (const row of rows) {
        if (row.delta) {
          if (row.step >= 0) add(row.g, row.step, mergeBuckets(row.points.map(buckets)));
          continue;
        }
        const series = cumulative.get(row.series) ?? { g: row.g, points: [] };
        cumulative.set(row.series, series);
        for (const p of row.points) series.points.push({ step: row.step, start: p[0], time: p[1], buckets: buckets(p) });
      }
      for (const { g, points } of cumulative.values()) {
        for (const [step, increase] of cumulativeIncreases(points, store.start - store.step)) if (step >= 0) add(g, step, increase);
      }
    };
    collect(explicit, toBuckets.explicit);
    collect(exponential, toBuckets.exponential);

    const fixed = exactTags(query);
    const tagsOf = (g: readonly string[], p: number) => ({ ...fixed, ...Object.fromEntries(groupBy.map((k, i) => [k, g[i] ?? ''])), [PERCENTILE]: percentileTag(p) });
    const lines: Series[] = [];
    for (const { g, byStep } of steps.values()) {
      for (const p of percentiles) {
        const points = [...byStep].map(([step, lists]) => [step, percentile(mergeBuckets(lists), p)] as const);
        lines.push({ tags: tagsOf(g, p), values: lineValues(points.filter(([, v]) => !Number.isNaN(v)), window, store, request.offsetMs) });
      }
    }
    const spanGroups = new Map<string, { g: string[]; rows: Array<{ step: number; values: number[] }> }>();
    for (const row of spans) {
      const key = JSON.stringify(row.g);
      const group = spanGroups.get(key) ?? { g: row.g, rows: [] };
      spanGroups.set(key, group);
      group.rows.push(row);
    }
    for (const { g, rows } of spanGroups.values()) {
      percentiles.forEach((p, i) => {
        lines.push({ tags: tagsOf(g, p), values: lineValues(rows.map((r) => [r.step, r.values[i]!] as const), window, store, request.offsetMs) });
      });
    }
    if (lines.length > this.maxLines) throw vigilError('VIGIL_ERR_TOO_MANY_SERIES', 'lines', lines.length, this.maxLines);
    return lines;
  }

  /** Rows as TabSeparated fields, unescaped (for results of many rows: far cheaper than JSON). */
  private async tsv(statement: { query: string; params: Params }): Promise<string[][]> {
    const result = await this.client.query({ query: statement.query, query_params: statement.params, format: 'TabSeparated' });
    const text = await result.text();
    if (text === '') return [];
    return text
      .slice(0, -1)
      .split('\n')
      .map((line) => line.split('\t').map(unescapeTsv));
  }

  private async rows<T>(statement: { query: string; params: Params }): Promise<T[]> {
    const result = await this.client.query({
      query: statement.query,
      query_params: statement.params,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    return result.json<T>();
  }
}
