// Evaluates an expression tree into lines once its data has been fetched: math, stateful
// and filter words run here, on the per-step values the store returned.
import { vigilError } from '../../schemas/errors.ts';
import { formatDuration } from './duration.ts';
import type { DataNode, LineAggregation, TsExpr } from './expr.ts';
import { runStateful } from './online.ts';
import { BINARY, BINARY_LABEL, addNaN, maxNaN, minNaN, stat, toBoolean, unary } from './numeric.ts';
import { exactTags, queryLabel } from './query.ts';
import { timeOfDayValue, timeSpan } from './time.ts';
import { fetches, finalGrouping, isGrouped } from './tree.ts';
import type { Series, Window } from './types.ts';

export interface Line {
  readonly tags: Readonly<Record<string, string>>;
  readonly label: string;
  readonly values: Float64Array;
}

type Tags = Readonly<Record<string, string>>;
type PercentilesNode = Extract<TsExpr, { kind: 'percentiles' }>;

/** The fetched series of every data word, and the window they cover. */
export interface EvalData {
  readonly window: Window;
  /** Values per line: the number of steps in the window. */
  readonly length: number;
  /** Wall clock for `now` in `:time-span`. */
  readonly now: number;
  /** Lines per evaluated sub-expression: `:dup` shares sub-trees, each is evaluated once. */
  readonly memo: Map<TsExpr, Line[]>;
  series(node: DataNode): readonly Series[];
  percentiles(node: PercentilesNode): readonly Series[];
}

/** `k=v, k2=v2` over the sorted keys (Atlas's default label for a tag map). */
export function tagsLabel(tags: Tags): string {
  const keys = Object.keys(tags).sort();
  return keys.length === 0 ? 'NO TAGS' : keys.map((k) => `${k}=${tags[k]}`).join(', ');
}

/** `(k=v k2=v2)`, or null when a key is missing (such lines are dropped, as in Atlas). */
export function groupKey(keys: readonly string[], tags: Tags): string | null {
  const parts: string[] = [];
  for (const k of keys) {
    const v = tags[k];
    if (v === undefined) return null;
    parts.push(`${k}=${v}`);
  }
  return `(${parts.join(' ')})`;
}

/** Doubles as Atlas (Scala) prints them: `5.0`, `0.25`. */
export function formatDouble(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e7 ? v.toFixed(1) : String(v);
}

function constant(length: number, value: number): Float64Array {
  return new Float64Array(length).fill(value);
}

function noData(length: number, tags: Tags): Line {
  return { tags: Object.keys(tags).length > 0 ? tags : { name: 'NO_DATA' }, label: 'NO DATA', values: constant(length, NaN) };
}

function pick(tags: Tags, keys: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => keys.has(k)));
}

export function evalExpr(expr: TsExpr, data: EvalData): Line[] {
  const known = data.memo.get(expr);
  if (known !== undefined) return known;
  const lines = evalNode(expr, data);
  data.memo.set(expr, lines);
  return lines;
}

function evalNode(expr: TsExpr, data: EvalData): Line[] {
  const { window, length } = data;
  const byTime = (f: (t: number) => number) => new Float64Array(length).map((_, i) => f(window.start + i * window.step));
  switch (expr.kind) {
    case 'data':
      return dataLines(expr.data, data);
    case 'percentiles':
      return percentileLines(expr, data);
    case 'const': {
      const label = formatDouble(expr.value);
      return [{ tags: { name: label }, label, values: constant(length, expr.value) }];
    }
    case 'random': {
      const label = expr.seed === null ? 'random' : `seeded-random(${expr.seed})`;
      return [{ tags: { name: label }, label, values: byTime((t) => random(t, expr.seed ?? 0)) }];
    }
    case 'time':
      return [{ tags: { name: expr.mode }, label: expr.mode, values: byTime((t) => timeOfDayValue(expr.mode, t)) }];
    case 'time-span': {
      const [from, to] = timeSpan(expr.start, expr.end, window, data.now);
      const label = `${expr.start} to ${expr.end}`;
      return [{ tags: { name: label }, label, values: byTime((t) => (from <= t && t <= to ? 1 : 0)) }];
    }
    case 'unary': {
      const arg = expr.op === 'per-step' ? window.step / 1000 : expr.arg;
      const f = unary(expr.op, arg);
      const suffix = expr.op === 'clamp-min' || expr.op === 'clamp-max' ? `, ${formatDouble(expr.arg)}` : '';
      return evalExpr(expr.expr, data).map((l) => ({ tags: l.tags, label: `${expr.op}(${l.label}${suffix})`, values: l.values.map(f) }));
    }
    case 'binary': {
      const f = BINARY[expr.op];
      const format = BINARY_LABEL[expr.op];
      return pairLines(expr.left, expr.right, data).map(([l, r, tags]) => ({
        tags,
        label: format.replace(/%[12]/g, (m) => (m === '%1' ? l.label : r.label)),
        values: l.values.map((v, i) => f(v, r.values[i]!)),
      }));
    }
    case 'aggregate':
      return aggregateLines(expr, data);
    case 'as':
      return evalExpr(expr.expr, data).map((l) => {
        const v = l.tags[expr.from];
        if (v === undefined) return l;
        const tags: Record<string, string> = { ...l.tags };
        delete tags[expr.from];
        tags[expr.to] = v;
        return { ...l, tags };
      });
    case 'rewrite':
      return evalExpr(expr.expr, data);
    case 'stateful':
      return evalExpr(expr.expr, data).map((l) => ({
        tags: l.tags,
        label: `${expr.op}(${l.label})`,
        values: runStateful(expr.op, statefulParams(expr, window), l.values, window.start, window.step),
      }));
    case 'stat':
      return evalExpr(expr.expr, data).map((l) => ({
        tags: l.tags,
        label: `stat-${expr.stat}(${l.label})`,
        values: constant(length, stat(l.values, expr.stat)),
      }));
    case 'stat-ref':
      // Only meaningful inside :filter, which replaces it; alone it draws nothing (Atlas).
      return [];
    case 'filter':
      return pairLines(expr.expr, expr.condition, data)
        .filter(([, condition]) => condition.values.some(toBoolean))
        .map(([line]) => line);
    case 'priority':
      return priorityLines(expr, data);
  }
}

function statefulParams(expr: Extract<TsExpr, { kind: 'stateful' }>, window: Window): readonly number[] {
  // :trend takes a duration; the algorithm works in steps (rounded down, as Atlas).
  return expr.op === 'trend' ? [Math.floor(expr.params[0]! / window.step)] : expr.params;
}

function dataLines(node: DataNode, data: EvalData): Line[] {
  const offset = node.offsetMs === 0 ? '' : ` (offset=${formatDuration(node.offsetMs)})`;
  const series = data.series(node);
  if (node.fn === 'all') return series.map((s) => ({ tags: s.tags, label: tagsLabel(s.tags) + offset, values: s.values }));
  const groupBy = node.groupBy;
  if (groupBy !== null) {
    const lines: { key: string; line: Line }[] = [];
    for (const s of series) {
      const key = groupKey(groupBy, s.tags);
      if (key !== null) lines.push({ key, line: { tags: s.tags, label: key + offset, values: s.values } });
    }
    return lines.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => e.line);
  }
  if (series.length === 0) return [noData(data.length, exactTags(node.query))];
  const label = `${node.fn}(${queryLabel(node.query)})${offset}`;
  return series.map((s) => ({ tags: s.tags, label, values: s.values }));
}

/** `p99.9` -> 99.9; Atlas pads the label's percentile to line up decimals. */
function percentileOf(tags: Tags): number {
  return Number((tags.percentile ?? '').replace(/^p/, ''));
}

function percentileLines(node: PercentilesNode, data: EvalData): Line[] {
  const lines = data.percentiles(node).map((s) => {
    const base = node.groupBy.length === 0 ? queryLabel(node.query) : (groupKey(node.groupBy, s.tags) ?? '');
    const p = percentileOf(s.tags);
    const text = formatDouble(p);
    const padded = p < 10 ? `  ${text}` : p < 100 ? ` ${text}` : text;
    return { base, p, line: { tags: s.tags, label: `percentile(${base}, ${padded})`, values: s.values } };
  });
  lines.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : a.p - b.p));
  return lines.map((e) => e.line);
}

const AGGREGATORS: Record<LineAggregation, (values: readonly Float64Array[], length: number) => Float64Array> = {
  sum: (vs, n) => reduceLines(vs, n, addNaN),
  min: (vs, n) => reduceLines(vs, n, minNaN),
  max: (vs, n) => reduceLines(vs, n, maxNaN),
  count: (vs, n) => reduceLines(vs, n, (count, v) => (Number.isNaN(v) ? count : addNaN(count, 1))),
};

function reduceLines(values: readonly Float64Array[], length: number, f: (a: number, b: number) => number): Float64Array {
  const out = new Float64Array(length).fill(NaN);
  for (const v of values) for (let i = 0; i < length; i++) out[i] = f(out[i]!, v[i]!);
  return out;
}

/** Averages use `sum / count` per step over the lines present (Atlas AvgAggregator). */
export function aggregateValues(fn: LineAggregation | 'avg', values: readonly Float64Array[], length: number): Float64Array {
  if (fn !== 'avg') return AGGREGATORS[fn](values, length);
  const sum = AGGREGATORS.sum(values, length);
  const count = AGGREGATORS.count(values, length);
  return sum.map((s, i) => s / count[i]!);
}

function aggregateLines(expr: Extract<TsExpr, { kind: 'aggregate' }>, data: EvalData): Line[] {
  const input = evalExpr(expr.expr, data);
  const queries = fetches(expr.expr).map((f) => f.query);
  if (expr.groupBy === null) {
    if (input.length === 0) return [noData(data.length, {})];
    // Keep the tags the first data word pins (Atlas).
    const keys = new Set(queries.length > 0 ? Object.keys(exactTags(queries[0]!)) : Object.keys(input[0]!.tags));
    const tags = pick(input[0]!.tags, keys);
    return [{ tags, label: `${expr.fn}(${tagsLabel(tags)})`, values: aggregateValues(expr.fn, input.map((l) => l.values), data.length) }];
  }
  // Second-level grouping: keep the keys every data word pins, plus the group keys.
  const common = queries
    .map((q) => Object.keys(exactTags(q)))
    .reduce<string[] | null>((acc, ks) => (acc === null ? ks : acc.filter((k) => ks.includes(k))), null);
  const keep = new Set([...(common ?? []), ...expr.groupBy]);
  const groups = new Map<string, Line[]>();
  for (const line of input) {
    const key = groupKey(expr.groupBy, line.tags);
    if (key === null) continue;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [line]);
    else group.push(line);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, lines]) => ({
      tags: pick(lines[0]!.tags, keep),
      label: key,
      values: aggregateValues(expr.fn, lines.map((l) => l.values), data.length),
    }));
}

/**
 * Pairs the lines of two expressions for binary math and `:filter` (Atlas rules): grouped
 * sides join on the smaller set of group keys; a side that is not grouped must have one
 * line, which broadcasts. Extension: two ungrouped multi-line sides (e.g. `:all`) pair the
 * lines with identical tags. The result takes the tags of the grouped (or larger) side.
 */
export function pairLines(leftExpr: TsExpr, rightExpr: TsExpr, data: EvalData): [Line, Line, Tags][] {
  const left = evalExpr(leftExpr, data);
  const right = evalExpr(rightExpr, data);
  const leftGrouped = isGrouped(leftExpr);
  const rightGrouped = isGrouped(rightExpr);
  if (leftGrouped && rightGrouped) {
    const gl = finalGrouping(leftExpr);
    const gr = finalGrouping(rightExpr);
    if (gr.every((k) => gl.includes(k))) return join(left, right, (t) => groupKey(gr, t), false);
    return join(right, left, (t) => groupKey(gl, t), true);
  }
  if (!leftGrouped && (rightGrouped || (left.length === 1 && right.length !== 1))) {
    return join(right, left, () => '', true);
  }
  if (!rightGrouped && right.length > 1 && !leftGrouped && left.length > 1) {
    return join(left, right, (t) => JSON.stringify(Object.entries(t).sort()), false);
  }
  return join(left, right, () => '', false);
}

/** For each driving line, the indexed line with the same key; `swapped` restores left/right order. */
function join(driving: Line[], indexed: Line[], key: (tags: Tags) => string | null, swapped: boolean): [Line, Line, Tags][] {
  const index = new Map<string, Line>();
  for (const line of indexed) {
    const k = key(line.tags);
    if (k === null) continue;
    if (index.has(k)) {
      throw vigilError('VIGIL_ERR_ASL_EVALUATION', `binary operation: several lines share the key ${k === '' ? '(no grouping)' : k}; group both sides by the same keys`);
    }
    index.set(k, line);
  }
  const pairs: [Line, Line, Tags][] = [];
  for (const line of driving) {
    const k = key(line.tags);
    const other = k === null ? undefined : index.get(k);
    if (other !== undefined) pairs.push(swapped ? [other, line, line.tags] : [line, other, line.tags]);
  }
  return pairs;
}

function priorityLines(expr: Extract<TsExpr, { kind: 'priority' }>, data: EvalData): Line[] {
  const ranked = evalExpr(expr.expr, data).map((line) => ({ line, v: stat(line.values, expr.stat) }));
  // Java's Double.compare: NaN sorts above every number. Array.sort is stable.
  const cmp = (a: number, b: number): number => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b);
  ranked.sort((a, b) => (expr.order === 'top' ? cmp(b.v, a.v) : cmp(a.v, b.v)));
  const kept = ranked.slice(0, expr.k).map((r) => r.line);
  const rest = ranked.slice(expr.k).map((r) => r.line);
  if (expr.others === null || rest.length === 0) return kept;
  const tags: Record<string, string> = { ...commonTags(rest.map((l) => l.tags)) };
  for (const k of finalGrouping(expr.expr)) tags[k] = '--others--';
  const others = { tags, label: tagsLabel(tags), values: aggregateValues(expr.others, rest.map((l) => l.values), data.length) };
  return [others, ...kept];
}

/** Tags with the same value on every line (Atlas aggrTags). */
function commonTags(all: readonly Tags[]): Tags {
  const [first, ...rest] = all;
  if (first === undefined) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((t) => t[k] === v)));
}

/** Deterministic noise in [0, 1) from the timestamp (and seed): same time, same value. */
function random(t: number, seed: number): number {
  let h = Math.imul((t / 4294967296) | 0, 0x85ebca6b) ^ (t | 0) ^ Math.imul(seed, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 0) % 1000) / 1000;
}
