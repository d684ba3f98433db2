// Time ranges in the URL and time display (pure). A range is relative (`range=15m`, ending
// now, re-read at each refresh) or absolute (`start`/`end` as unix milliseconds).

export interface TimeRange {
  startMs: number;
  endMs: number;
}

export interface RangeSpec {
  /** A relative range such as '15m', '1h', '7d'; undefined for an absolute one. */
  relative?: string;
  startMs?: number;
  endMs?: number;
}

export const RELATIVE_RANGES = ['5m', '15m', '1h', '3h', '6h', '12h', '24h', '2d', '7d'] as const;
export const DEFAULT_RANGE = '1h';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** '15m' -> 900000; undefined when not a positive number with a unit s, m, h, d or w. */
export function relativeMs(text: string): number | undefined {
  const m = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * UNIT_MS[m[2]!]!;
  return n > 0 ? n : undefined;
}

/** Reads the range from URL parameters; absolute start/end win over `range`. */
export function rangeSpecOf(params: URLSearchParams): RangeSpec {
  const start = Number(params.get('start'));
  const end = Number(params.get('end'));
  if (params.get('start') && params.get('end') && Number.isFinite(start) && Number.isFinite(end) && start < end) return { startMs: start, endMs: end };
  const relative = params.get('range') ?? DEFAULT_RANGE;
  return { relative: relativeMs(relative) === undefined ? DEFAULT_RANGE : relative };
}

export function resolveRange(spec: RangeSpec, nowMs: number): TimeRange {
  if (spec.relative === undefined) return { startMs: spec.startMs!, endMs: spec.endMs! };
  return { startMs: nowMs - relativeMs(spec.relative)!, endMs: nowMs };
}

/** URL parameters for a range spec (the other of range / start+end removed). */
export function rangeParams(spec: RangeSpec): Record<string, string | undefined> {
  if (spec.relative !== undefined) return { range: spec.relative, start: undefined, end: undefined };
  return { range: undefined, start: String(Math.round(spec.startMs!)), end: String(Math.round(spec.endMs!)) };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local time for display: 'YYYY-MM-DD HH:MM:SS(.mmm)' in the browser's zone. */
export function formatLocal(ms: number, withMs = false): string {
  const d = new Date(ms);
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

/** The same instant in UTC, for hover titles. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

/** Value for <input type="datetime-local"> (local zone, seconds). */
export function toDateTimeLocal(ms: number): string {
  return formatLocal(ms).replace(' ', 'T');
}

/** Parses an <input type="datetime-local"> value (local zone); NaN when empty or invalid. */
export function fromDateTimeLocal(value: string): number {
  return value ? new Date(value).getTime() : NaN;
}
