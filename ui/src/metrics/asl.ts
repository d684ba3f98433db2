// Editing help for stack-language programs (pure): what the token under the cursor is (a tag
// key, a tag value, a word) for autocomplete, the token an error position points at, and
// turning a graph answer into chart columns with per-line statistics.

export interface Completion {
  kind: 'key' | 'value' | 'word';
  /** For values: the key they belong to. */
  key?: string;
  /** The text typed so far of the token. */
  prefix: string;
  /** Character range of the token in the program. */
  start: number;
  end: number;
}

/** Character range [start, end) of the comma-separated token around `offset`. */
export function tokenRange(text: string, offset: number): [number, number] {
  const start = text.lastIndexOf(',', offset - 1) + 1;
  const comma = text.indexOf(',', offset);
  return [start, comma < 0 ? text.length : comma];
}

/**
 * In `key,value,:eq` a value follows a key: the tokens before the cursor since the last word
 * (`:name`) or parenthesis alternate key, value. An odd count means the cursor is on a value.
 */
export function completionAt(text: string, cursor: number): Completion {
  const [start, end] = tokenRange(text, cursor);
  const prefix = text.slice(start, cursor).trim();
  const before = text
    .slice(0, start)
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (prefix.startsWith(':')) return { kind: 'word', prefix, start, end };
  let plain = 0;
  for (let i = before.length - 1; i >= 0; i--) {
    const t = before[i]!;
    if (t.startsWith(':') || t === '(' || t === ')') break;
    plain++;
  }
  if (plain % 2 === 1) return { kind: 'value', key: before[before.length - 1]!, prefix, start, end };
  return { kind: 'key', prefix, start, end };
}

/** The program with the token at `start` replaced by `value`; the new cursor position. */
export function applyCompletion(text: string, c: Completion, value: string): { text: string; cursor: number } {
  const next = text.slice(0, c.start) + value + text.slice(c.end);
  return { text: next, cursor: c.start + value.length };
}

/** The character position an ASL error names (`... at position N ...`), if any. */
export function errorPosition(message: string): number | undefined {
  const m = /at position (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** Words offered when a token starts with ':' (the common ones; docs/asl.md has them all). */
export const COMMON_WORDS = [
  ':eq', ':and', ':or', ':not', ':re', ':in', ':has', ':lt', ':gt',
  ':sum', ':count', ':max', ':min', ':avg', ':by', ':percentiles',
  ':add', ':sub', ':mul', ':div', ':neg', ':abs',
  ':legend', ':color', ':alpha', ':area', ':stack', ':line', ':lw', ':axis', ':palette',
  ':des', ':per-step', ':offset', ':rolling-mean', ':delay', ':trend', ':integral', ':derivative',
  ':dup', ':swap', ':drop', ':list', ':each', ':cq',
];

/** A line's style words (:color, :alpha, :area, :stack, :lw, :axis), as the evaluator keeps them. */
export interface LineStyle {
  lineStyle?: string;
  /** Hex without '#'. */
  color?: string;
  /** 0..255. */
  alpha?: number;
  lineWidth?: number;
  axis?: number;
}

export interface GraphAnswer {
  start: number;
  step: number;
  legend: string[];
  metrics: Array<Record<string, string>>;
  /** One row per step, one value per line; std.json writes NaN and infinities as strings. */
  values: Array<Array<number | string>>;
  notices: string[];
  /** Per line, when the API sends the style words (else every line is a plain line). */
  styles?: Array<LineStyle | undefined>;
}

/** How a line is drawn. */
export interface DrawnLine {
  stroke: string;
  /** Fill colour for areas and stacks. */
  fill: string | undefined;
  width: number;
  /** Y axis: 0 left, 1 right, ... */
  axis: number;
  /** For a stacked line: the index of the line it sits on (the previous stacked line of its axis). */
  stackedOn: number | undefined;
}

const hexAlpha = (alpha: number) => Math.max(0, Math.min(255, Math.round(alpha))).toString(16).padStart(2, '0');

/** Colours, widths, axes, areas and stacks from the style words; `color(i)` when a line has none. */
export function drawnLines(g: GraphAnswer, color: (i: number) => string): DrawnLine[] {
  const lastStacked = new Map<number, number>();
  return g.legend.map((_, i) => {
    const st = g.styles?.[i] ?? {};
    const base = st.color ? `#${st.color}` : color(i);
    const stroke = st.alpha !== undefined && st.color ? `${base}${hexAlpha(st.alpha)}` : base;
    const axis = st.axis ?? 0;
    const area = st.lineStyle === 'area' || st.lineStyle === 'stack';
    let stackedOn: number | undefined;
    if (st.lineStyle === 'stack') {
      stackedOn = lastStacked.get(axis);
      lastStacked.set(axis, i);
    }
    // Areas are filled translucent unless :alpha says otherwise (then the stroke carries it).
    const fill = area ? (st.alpha !== undefined && st.color ? stroke : `${base.startsWith('#') && base.length === 7 ? base : '#888888'}66`) : undefined;
    return { stroke, fill, width: st.lineWidth ?? 1.5, axis, stackedOn };
  });
}

/** Stacked lines drawn on the sum of the lines below them (null counts as 0 under a stack). */
export function stackedColumns(lines: ReadonlyArray<ReadonlyArray<number | null>>, drawn: readonly DrawnLine[]): Array<Array<number | null>> {
  const out: Array<Array<number | null>> = [];
  lines.forEach((line, i) => {
    const below = drawn[i]?.stackedOn;
    out.push(below === undefined ? [...line] : line.map((v, j) => (v === null ? null : v + (out[below]![j] ?? 0))));
  });
  return out;
}

export interface LineStats {
  avg: number | null;
  min: number | null;
  max: number | null;
  last: number | null;
  total: number | null;
}

/** Columns for uPlot: x in seconds, then one column per line (null for NaN). */
export function graphColumns(g: GraphAnswer): { x: number[]; lines: Array<Array<number | null>> } {
  const x = g.values.map((_, i) => (g.start + i * g.step) / 1000);
  const lines = g.legend.map((_, li) => g.values.map((row) => (typeof row[li] === 'number' && Number.isFinite(row[li]) ? (row[li] as number) : null)));
  return { x, lines };
}

export function lineStats(values: ReadonlyArray<number | null>): LineStats {
  const finite = values.filter((v): v is number => v !== null);
  if (finite.length === 0) return { avg: null, min: null, max: null, last: null, total: null };
  const total = finite.reduce((a, b) => a + b, 0);
  return { avg: total / finite.length, min: Math.min(...finite), max: Math.max(...finite), last: finite[finite.length - 1]!, total };
}
