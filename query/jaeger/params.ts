// Parses and checks the Jaeger v1 API's query parameters. Everything a handler passes on to the
// service is typed and in range; anything else is a VIGIL_ERR_BAD_PARAMETER naming the parameter.
import { vigilError } from '../../schemas/errors.ts';

/** Fastify's parsed query string: a repeated key becomes an array. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** A closed interval of unix microseconds. */
export interface TimeRange {
  startUs: number;
  endUs: number;
}

/** One tag condition of a search: a span attribute, a resource attribute or a Jaeger-derived tag. */
export interface TagFilter {
  key: string;
  value: string;
}

export interface TraceSearch {
  service: string | undefined;
  operation: string | undefined;
  tags: TagFilter[];
  /** Nanoseconds, inclusive. */
  minDurationNs: bigint | undefined;
  maxDurationNs: bigint | undefined;
  range: TimeRange;
  limit: number;
}

export const SEARCH_LIMIT_DEFAULT = 100;
/** Larger limits are lowered to this (Grafana and scripts ask for a lot; a 400 would help nobody). */
export const SEARCH_LIMIT_MAX = 1500;
/** More tag conditions than this are refused: each one is a condition on every scanned span. */
export const SEARCH_TAGS_MAX = 32;
/** More trace ids than this in one `traceID` list are refused. */
export const TRACE_IDS_MAX = 1000;

const HOUR_US = 3_600_000_000;
const DAY_US = 24 * HOUR_US;
/** Search window when start/end are absent (the brief's "last hour"; Jaeger's own default is 2 days). */
export const SEARCH_LOOKBACK_US = HOUR_US;
/** Services/operations window when start/end are absent. */
export const METADATA_LOOKBACK_US = DAY_US;
export const DEPENDENCIES_LOOKBACK_MS = 24 * 3_600_000;

/** Span kinds as Jaeger names them (tag `span.kind`, `spanKind` parameter) -> as stored. */
export const SPAN_KINDS: Readonly<Record<string, string>> = {
  unspecified: 'Unspecified',
  internal: 'Internal',
  server: 'Server',
  client: 'Client',
  producer: 'Producer',
  consumer: 'Consumer',
};

function bad(name: string, detail: string): Error {
  return vigilError('VIGIL_ERR_BAD_PARAMETER', name, detail);
}

/** The parameter's single value; undefined when absent. Given twice is an error. */
function single(query: RawQuery, name: string): string | undefined {
  const raw = query[name];
  if (Array.isArray(raw)) throw bad(name, `given ${raw.length} times; give it once`);
  return raw;
}

/** The parameter's values (absent: none). */
function all(query: RawQuery, name: string): string[] {
  const raw = query[name];
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

/** A non-empty string parameter, or undefined when absent or empty (Grafana sends `operation=`). */
function optionalText(query: RawQuery, name: string): string | undefined {
  const value = single(query, name);
  return value === undefined || value === '' ? undefined : value;
}

const INTEGER = /^\d{1,16}$/;

/** A non-negative integer no larger than 2^53 - 1 (unix microseconds reach year 2255 there). */
function integer(name: string, raw: string, unit: string): number {
  const value = Number(raw);
  if (!INTEGER.test(raw) || !Number.isSafeInteger(value)) {
    throw bad(name, `${JSON.stringify(raw)} is not a non-negative integer (${unit})`);
  }
  return value;
}

/**
 * start/end in unix microseconds; absent ones default to [now - lookback, now]. With only
 * `start`, the window runs to now; with only `end`, it reaches `lookback` back from it.
 */
export function parseTimeRange(query: RawQuery, nowUs: number, lookbackUs: number): TimeRange {
  const start = optionalText(query, 'start');
  const end = optionalText(query, 'end');
  const endUs = end === undefined ? nowUs : integer('end', end, 'unix microseconds');
  const startUs = start === undefined ? Math.max(0, endUs - lookbackUs) : integer('start', start, 'unix microseconds');
  if (startUs > endUs) throw bad('start', `start (${startUs}) is after end (${endUs}); both are unix microseconds`);
  return { startUs, endUs };
}

/** start/end in unix microseconds when either is given, else undefined (no time restriction). */
export function parseOptionalTimeRange(query: RawQuery): TimeRange | undefined {
  if (optionalText(query, 'start') === undefined && optionalText(query, 'end') === undefined) return undefined;
  return parseTimeRange(query, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
}

const TRACE_ID = /^[0-9a-fA-F]{1,32}$/;

/** A trace id: 1-32 hex digits, any case; answered lowercase, left-padded with zeros to 32. */
export function parseTraceId(raw: string, name = 'trace id'): string {
  if (!TRACE_ID.test(raw)) throw bad(name, `${JSON.stringify(raw)} is not 1 to 32 hexadecimal digits`);
  return raw.toLowerCase().padStart(32, '0');
}

// Go's time.ParseDuration units, in nanoseconds (µ as U+00B5 and U+03BC, like Go).
const DURATION_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const DURATION_PART = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;
const INT64_MAX = (1n << 63n) - 1n;

/**
 * A Go duration string (`1.2s`, `100ms`, `50us`, `1m30s`, `0`) -> nanoseconds, as Go's
 * time.ParseDuration reads it (fractions truncated to whole nanoseconds); negative durations
 * are refused (no span is shorter than zero).
 */
export function parseGoDuration(raw: string, name = 'duration'): bigint {
  const fail = () => bad(name, `${JSON.stringify(raw)} is not a duration such as 1.2s, 100ms, 50us or 1m30s`);
  let s = raw;
  if (s.startsWith('+')) s = s.slice(1);
  else if (s.startsWith('-')) throw bad(name, `${JSON.stringify(raw)} is negative`);
  if (s === '0') return 0n;
  if (s === '') throw fail();
  let total = 0n;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < s.length) {
    const at = DURATION_PART.lastIndex;
    const m = DURATION_PART.exec(s);
    if (m === null || m.index !== at) throw fail();
    const whole = m[1] ?? '';
    const fraction = m[2] ?? '';
    // A number needs at least one digit ("." alone or "s" alone are not durations).
    if (whole === '' && fraction === '') throw fail();
    const unit = DURATION_UNITS[m[3]!]!;
    total += BigInt(whole === '' ? '0' : whole) * unit;
    if (fraction !== '') total += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    if (total > INT64_MAX) throw bad(name, `${JSON.stringify(raw)} is longer than Go's largest duration (about 292 years)`);
  }
  return total;
}

/** Tags from `tags` (a JSON object) and repeated `tag=key:value` (split at the first colon). */
export function parseTags(query: RawQuery): TagFilter[] {
  const tags: TagFilter[] = [];
  const json = optionalText(query, 'tags');
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw bad('tags', `${JSON.stringify(json)} is not a JSON object such as {"error":"true"}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw bad('tags', `${JSON.stringify(json)} is not a JSON object such as {"error":"true"}`);
    }
    for (const [key, value] of Object.entries(parsed)) {
      // Values are matched as stored: attribute values are strings (numbers and booleans as printed).
      if (typeof value === 'string') tags.push({ key, value });
      else if (typeof value === 'number' || typeof value === 'boolean') tags.push({ key, value: String(value) });
      else throw bad('tags', `the value of ${JSON.stringify(key)} must be a string, number or boolean`);
    }
  }
  for (const tag of all(query, 'tag')) {
    const colon = tag.indexOf(':');
    if (colon < 0) throw bad('tag', `${JSON.stringify(tag)} is not key:value`);
    tags.push({ key: tag.slice(0, colon), value: tag.slice(colon + 1) });
  }
  for (const tag of tags) if (tag.key === '') throw bad('tag', 'a tag key is empty');
  if (tags.length > SEARCH_TAGS_MAX) throw bad('tags', `${tags.length} tag conditions; at most ${SEARCH_TAGS_MAX}`);
  return tags;
}

function parseLimit(query: RawQuery): number {
  const raw = optionalText(query, 'limit');
  if (raw === undefined) return SEARCH_LIMIT_DEFAULT;
  const limit = integer('limit', raw, 'a number of traces');
  if (limit < 1) throw bad('limit', 'must be at least 1');
  return Math.min(limit, SEARCH_LIMIT_MAX);
}

/** `GET /api/traces` with `traceID`: the ids (deduplicated, in the order given). */
export function parseTraceIdList(query: RawQuery): string[] | undefined {
  const raw = all(query, 'traceID');
  if (raw.length === 0) return undefined;
  if (raw.length > TRACE_IDS_MAX) throw bad('traceID', `${raw.length} trace ids; at most ${TRACE_IDS_MAX}`);
  return [...new Set(raw.map((id) => parseTraceId(id, 'traceID')))];
}

/** `GET /api/traces` search parameters (the `traceID` list is read by parseTraceIdList). */
export function parseTraceSearch(query: RawQuery, nowUs: number): TraceSearch {
  const minRaw = optionalText(query, 'minDuration');
  const maxRaw = optionalText(query, 'maxDuration');
  const minDurationNs = minRaw === undefined ? undefined : parseGoDuration(minRaw, 'minDuration');
  const maxDurationNs = maxRaw === undefined ? undefined : parseGoDuration(maxRaw, 'maxDuration');
  if (minDurationNs !== undefined && maxDurationNs !== undefined && maxDurationNs < minDurationNs) {
    throw bad('maxDuration', `maxDuration (${maxRaw}) is less than minDuration (${minRaw})`);
  }
  return {
    service: optionalText(query, 'service'),
    operation: optionalText(query, 'operation'),
    tags: parseTags(query),
    minDurationNs,
    maxDurationNs,
    range: parseTimeRange(query, nowUs, SEARCH_LOOKBACK_US),
    limit: parseLimit(query),
  };
}

/** `spanKind` of /api/operations: empty or absent = every kind. Returns the stored name or undefined. */
export function parseSpanKind(query: RawQuery): string | undefined {
  const raw = optionalText(query, 'spanKind');
  if (raw === undefined) return undefined;
  const kind = SPAN_KINDS[raw.toLowerCase()];
  if (kind === undefined) throw bad('spanKind', `${JSON.stringify(raw)} is not one of ${Object.keys(SPAN_KINDS).join(', ')}`);
  return kind;
}

/** `service` of /api/operations (required, as in Jaeger). */
export function parseRequiredService(query: RawQuery): string {
  const service = optionalText(query, 'service');
  if (service === undefined) throw bad('service', "parameter 'service' is required");
  return service;
}

/** /api/dependencies: endTs and lookback in milliseconds -> a microsecond range. */
export function parseDependencies(query: RawQuery, nowMs: number): TimeRange {
  const endRaw = optionalText(query, 'endTs');
  const lookbackRaw = optionalText(query, 'lookback');
  const endMs = endRaw === undefined ? nowMs : integer('endTs', endRaw, 'unix milliseconds');
  const lookbackMs = lookbackRaw === undefined ? DEPENDENCIES_LOOKBACK_MS : integer('lookback', lookbackRaw, 'milliseconds');
  if (lookbackMs < 1) throw bad('lookback', 'must be at least 1 millisecond');
  const endUs = endMs * 1000;
  if (!Number.isSafeInteger(endUs)) throw bad('endTs', `${endMs} is too far in the future`);
  return { startUs: Math.max(0, endMs - lookbackMs) * 1000, endUs };
}
