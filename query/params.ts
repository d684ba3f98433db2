// Parameters shared by Vigil's native query API (/api/v1/...): time ranges, limits, opaque
// cursors and attribute conditions. Everything a handler passes on is typed and in range;
// anything else is a VIGIL_ERR_BAD_PARAMETER naming the parameter.
import { vigilError } from '../schemas/errors.ts';

/** Fastify's parsed query string: a repeated key becomes an array. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** A closed interval of unix nanoseconds. */
export interface NsRange {
  startNs: bigint;
  endNs: bigint;
}

export function bad(name: string, detail: string): Error {
  return vigilError('VIGIL_ERR_BAD_PARAMETER', name, detail);
}

/** The parameter's single value; undefined when absent or empty. Given twice is an error. */
export function text(query: RawQuery, name: string): string | undefined {
  const raw = query[name];
  if (Array.isArray(raw)) throw bad(name, `given ${raw.length} times; give it once`);
  return raw === undefined || raw === '' ? undefined : raw;
}

/** The parameter's values (absent: none; empty values are skipped). */
export function list(query: RawQuery, name: string): string[] {
  const raw = query[name];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== '');
}

/** Only these parameter names are accepted (a typo such as `serivce` is an error, not ignored). */
export function onlyKnown(query: RawQuery, known: readonly string[]): void {
  for (const name of Object.keys(query)) {
    if (!known.includes(name)) throw bad(name, `unknown parameter; this endpoint takes ${known.join(', ')}`);
  }
}

export const HOUR_NS = 3_600_000_000_000n;
export const MS_NS = 1_000_000n;
const INT = /^\d{1,15}$/;

/** A time: unix milliseconds (digits) or an RFC 3339 date-time such as 2026-01-02T03:04:05Z. */
function time(name: string, raw: string): bigint {
  if (INT.test(raw)) return BigInt(raw) * MS_NS;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/.test(raw)) {
    const ms = Date.parse(raw);
    if (Number.isFinite(ms) && ms >= 0) return BigInt(ms) * MS_NS;
  }
  throw bad(name, `${JSON.stringify(raw)} is neither unix milliseconds nor an RFC 3339 time such as 2026-01-02T03:04:05Z`);
}

/**
 * `start`/`end`: absent `end` is now; absent `start` is `lookback` before `end`. Always bounded,
 * so no request scans all of storage.
 */
export function parseRange(query: RawQuery, nowMs: number, lookbackNs = HOUR_NS): NsRange {
  const start = text(query, 'start');
  const end = text(query, 'end');
  const endNs = end === undefined ? BigInt(nowMs) * MS_NS : time('end', end);
  const startNs = start === undefined ? (endNs > lookbackNs ? endNs - lookbackNs : 0n) : time('start', start);
  if (startNs > endNs) throw bad('start', `start (${start}) is after end (${end ?? 'now'})`);
  return { startNs, endNs };
}

/** `limit`: a positive integer, default `def`, larger values lowered to `max`. */
export function parseLimit(query: RawQuery, def: number, max: number): number {
  const raw = text(query, 'limit');
  if (raw === undefined) return def;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw bad('limit', `${JSON.stringify(raw)} is not a positive integer`);
  return Math.min(Number(raw), max);
}

const TRACE_ID = /^[0-9a-fA-F]{1,32}$/;

/** A trace id: 1-32 hex digits, any case; lowercase, left-padded with zeros to 32. */
export function parseTraceId(raw: string, name = 'traceId'): string {
  if (!TRACE_ID.test(raw)) throw bad(name, `${JSON.stringify(raw)} is not 1 to 32 hexadecimal digits`);
  return raw.toLowerCase().padStart(32, '0');
}

// --- cursors --------------------------------------------------------------------------------

/**
 * An opaque cursor: base64url of JSON [kind, sortKey, tieBreaker]. `kind` names the list and
 * its order (e.g. "traces:duration"), so a cursor of one list is refused by another.
 */
export function encodeCursor(kind: string, key: string, tie: string): string {
  return Buffer.from(JSON.stringify([kind, key, tie]), 'utf8').toString('base64url');
}

/** The cursor's sort key (decimal digits) and tie-breaker (checked by `tie`); 400 when it is not ours. */
export function decodeCursor(raw: string, kind: string, tie: RegExp): { key: string; tie: string } {
  const fail = (why: string) => bad('cursor', `${why}; pass the nextCursor of a previous answer unchanged`);
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(raw)) throw fail('not a cursor this API returned');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw fail('not a cursor this API returned');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string')) {
    throw fail('not a cursor this API returned');
  }
  const [k, key, t] = parsed as [string, string, string];
  if (k !== kind) throw fail(`a cursor of another list or sort order (${JSON.stringify(k)})`);
  if (!/^\d{1,20}$/.test(key) || BigInt(key) > (1n << 63n) - 1n || !tie.test(t)) throw fail('not a cursor this API returned');
  return { key, tie: t };
}

// --- attribute conditions -------------------------------------------------------------------

export type AttributeOp = '=' | '!=' | '=~';

/** `key=value`, `key!=value` or `key=~regex` on an attribute (span/log or resource). */
export interface AttributeFilter {
  key: string;
  op: AttributeOp;
  value: string;
}

export const ATTRIBUTE_FILTERS_MAX = 32;

/** Repeated `attr` parameters: split at the first `=` (`!=` and `=~` recognised around it). */
export function parseAttributeFilters(query: RawQuery, name = 'attr'): AttributeFilter[] {
  const filters = list(query, name).map((raw): AttributeFilter => {
    const eq = raw.indexOf('=');
    if (eq < 0) throw bad(name, `${JSON.stringify(raw)} is not key=value, key!=value or key=~regex`);
    let key = raw.slice(0, eq);
    let op: AttributeOp = '=';
    let value = raw.slice(eq + 1);
    if (key.endsWith('!')) {
      key = key.slice(0, -1);
      op = '!=';
    } else if (value.startsWith('~')) {
      op = '=~';
      value = value.slice(1);
    }
    if (key === '') throw bad(name, `${JSON.stringify(raw)} has an empty key`);
    if (op === '=~' && value === '') throw bad(name, `${JSON.stringify(raw)} has an empty regular expression`);
    return { key, op, value };
  });
  if (filters.length > ATTRIBUTE_FILTERS_MAX) throw bad(name, `${filters.length} conditions; at most ${ATTRIBUTE_FILTERS_MAX}`);
  return filters;
}

/** The regular expressions among the filters (to be checked by the engine's re2 before searching). */
export function regexesOf(filters: readonly AttributeFilter[]): string[] {
  return filters.filter((f) => f.op === '=~').map((f) => f.value);
}
