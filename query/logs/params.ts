// Parameters of the native log endpoints (/api/v1/logs, /api/v1/logs/volume).
import {
  type AttributeFilter,
  type NsRange,
  type RawQuery,
  bad,
  decodeCursor,
  onlyKnown,
  parseAttributeFilters,
  parseLimit,
  parseRange,
  parseTraceId,
  text,
} from '../params.ts';

/** Severity names and the lowest SeverityNumber of each (OpenTelemetry's ranges of four). */
export const SEVERITIES: Readonly<Record<string, number>> = {
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARN: 13,
  WARNING: 13,
  ERROR: 17,
  FATAL: 21,
};

export const LOG_LIMIT_DEFAULT = 100;
export const LOG_LIMIT_MAX = 1000;
export const BODY_TERMS_MAX = 32;
export const LOG_CURSOR_KIND = 'logs:time';

/** Words of `q`: each must appear as a whole token; phrases (in double quotes) as substrings. */
export interface BodyQuery {
  tokens: string[];
  phrases: string[];
}

export interface LogFilter {
  range: NsRange;
  service: string | undefined;
  /** Records with SeverityNumber >= this. */
  minSeverity: number | undefined;
  body: BodyQuery;
  attributes: AttributeFilter[];
  traceId: string | undefined;
}

export interface LogSearch extends LogFilter {
  limit: number;
  /** Resume after this (time, row hash), from a cursor. */
  after: { timeNs: string; hash: string } | undefined;
}

// ClickHouse's token separators: every ASCII character that is not a letter or digit.
const SEPARATOR = /[\x00-\x2F\x3A-\x40\x5B-\x60\x7B-\x7F]/;

/**
 * `q`: words separated by spaces, "quoted phrases" kept whole. A word containing separators
 * (e.g. `user-42`, `a.b`) is matched as a phrase, since a token never contains one.
 */
export function parseBodyQuery(raw: string | undefined): BodyQuery {
  const body: BodyQuery = { tokens: [], phrases: [] };
  if (raw === undefined) return body;
  const re = /"([^"]*)"|([^\s"]+)|(")/g;
  for (let m = re.exec(raw); m !== null; m = re.exec(raw)) {
    if (m[3] !== undefined) throw bad('q', `${JSON.stringify(raw)} has an unterminated quoted phrase`);
    if (m[1] !== undefined) {
      if (m[1].trim() !== '') body.phrases.push(m[1]);
    } else if (m[2] !== undefined) {
      if (SEPARATOR.test(m[2])) body.phrases.push(m[2]);
      else body.tokens.push(m[2]);
    }
  }
  if (body.tokens.length + body.phrases.length > BODY_TERMS_MAX) throw bad('q', `more than ${BODY_TERMS_MAX} words and phrases`);
  return body;
}

/** `severity`: a SeverityNumber 1-24 or a name (TRACE, DEBUG, INFO, WARN, ERROR, FATAL; any case). */
export function parseSeverity(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (/^\d{1,2}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 24) return Number(raw);
  const named = SEVERITIES[raw.toUpperCase()];
  if (named === undefined) throw bad('severity', `${JSON.stringify(raw)} is neither a number from 1 to 24 nor one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL`);
  return named;
}

const FILTER_PARAMS = ['start', 'end', 'service', 'severity', 'q', 'attr', 'traceId'];

function parseFilter(query: RawQuery, nowMs: number): LogFilter {
  const traceId = text(query, 'traceId');
  return {
    range: parseRange(query, nowMs),
    service: text(query, 'service'),
    minSeverity: parseSeverity(text(query, 'severity')),
    body: parseBodyQuery(text(query, 'q')),
    attributes: parseAttributeFilters(query),
    traceId: traceId === undefined ? undefined : parseTraceId(traceId),
  };
}

/** `GET /api/v1/logs`. */
export function parseLogSearch(query: RawQuery, nowMs: number): LogSearch {
  onlyKnown(query, [...FILTER_PARAMS, 'limit', 'cursor']);
  const cursor = text(query, 'cursor');
  const after = cursor === undefined ? undefined : decodeCursor(cursor, LOG_CURSOR_KIND, /^\d{1,20}$/);
  return {
    ...parseFilter(query, nowMs),
    limit: parseLimit(query, LOG_LIMIT_DEFAULT, LOG_LIMIT_MAX),
    after: after === undefined ? undefined : { timeNs: after.key, hash: after.tie },
  };
}

/** `GET /api/v1/logs/volume`. */
export function parseLogVolume(query: RawQuery, nowMs: number): LogFilter {
  onlyKnown(query, FILTER_PARAMS);
  return parseFilter(query, nowMs);
}

/** Bucket widths to choose from, in seconds: consecutive ones differ at most twofold. */
const STEPS_S = [1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
export const MAX_BUCKETS = 120;

/** The smallest step giving at most 120 buckets over the range (so at least ~60); days beyond. */
export function bucketStepNs(range: NsRange): bigint {
  const span = range.endNs - range.startNs;
  for (const s of STEPS_S) {
    const step = BigInt(s) * 1_000_000_000n;
    if (span / step < BigInt(MAX_BUCKETS)) return step;
  }
  const day = 86_400_000_000_000n;
  return (span / BigInt(MAX_BUCKETS) / day + 1n) * day;
}

/** `severity` of the volume histogram's series: OpenTelemetry's ranges by name. */
export const SEVERITY_GROUPS = ['UNSPECIFIED', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
