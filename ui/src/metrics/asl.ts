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

export interface GraphAnswer {
  start: number;
  step: number;
  legend: string[];
  metrics: Array<Record<string, string>>;
  /** One row per step, one value per line; std.json writes NaN and infinities as strings. */
  values: Array<Array<number | string>>;
  notices: string[];
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
