// Atlas time syntax for the graph window (`s`, `e`, `tz`): named times (now, epoch, s, e),
// relative ones (now-1w, e-3h, s+P2DT6H5M) with the stack language's durations, ISO dates
// YYYY-MM-DD[THH:MM[:SS[.mmm]]][zone] read in `tz` when they carry no zone, and unix seconds or
// milliseconds. Pure: `now` is passed in. Durations are fixed lengths, as in Atlas, so
// daylight-saving changes never stretch them.
import { vigilError } from '../../schemas/errors.ts';
import { parseDuration } from '../asl/duration.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

// --- time zones -------------------------------------------------------------------------------

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(tz: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(tz);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormats.set(tz, format);
  }
  return format;
}

/** `tz`: an IANA zone such as UTC, Europe/Paris or US/Pacific; 400 otherwise. */
export function parseZone(raw: string | undefined): string {
  if (raw === undefined) return 'UTC';
  try {
    zoneFormat(raw);
  } catch {
    throw vigilError('VIGIL_ERR_BAD_TIME', 'tz', raw, 'not a time zone; use an IANA zone such as UTC, Europe/Paris or US/Pacific');
  }
  return raw;
}

/** The zone's offset from UTC at an instant, in ms (e.g. +3,600,000 for Paris in winter). */
export function zoneOffset(tz: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const p of zoneFormat(tz).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant / SECOND) * SECOND;
}

/** The instant at which clocks in `tz` show this wall time (given as if it were UTC). */
function wallToInstant(tz: string, wallAsUtc: number): number {
  const guess = wallAsUtc - zoneOffset(tz, wallAsUtc);
  return wallAsUtc - zoneOffset(tz, guess);
}

/** ISO-8601 with the zone's offset, as Java's ISO_OFFSET_DATE_TIME: 2026-01-02T03:04:00Z, ...T04:04:00+01:00. */
export function formatInZone(instant: number, tz: string): string {
  const offset = zoneOffset(tz, instant);
  const local = new Date(instant + offset).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const ms = instant % SECOND === 0 ? '' : `.${local.slice(20, 23).replace(/0+$/, '')}`;
  const abs = Math.abs(offset) / MINUTE;
  const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local.slice(0, 19)}${ms}${zone}`;
}

// --- times ------------------------------------------------------------------------------------

const RELATIVE = /^([a-z]+)([-+])(.+)$/;
const NAMED = /^[a-z]+$/;
const UNIX = /^\d{1,16}$/;
const ISO_DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{3}))?)?)?(Z|[-+]\d\d(?::?\d\d(?::?\d\d)?)?)?$/;
// Atlas: unix values up to 2^31 are seconds, larger ones milliseconds.
const SECONDS_MAX = 2 ** 31;

/** What `s`/`start` and `e`/`end` refer to while a time is read. */
interface References {
  now: number;
  /** The other end of the window, when this time may be relative to it. */
  other: number | undefined;
  otherName: 's' | 'e';
}

const HINT =
  'Atlas times are now, epoch, s, e, relative ones such as now-1w, e-3h or s+P2DT6H5M, ISO dates YYYY-MM-DD[THH:MM[:SS]] (optionally with Z or an offset), or unix seconds or milliseconds';

function badTime(name: string, raw: string, detail: string): Error {
  return vigilError('VIGIL_ERR_BAD_TIME', name, raw, `${detail}. ${HINT}`);
}

function reference(name: string, raw: string, ref: string, refs: References): number {
  if (ref === 'now') return refs.now;
  if (ref === 'epoch') return 0;
  const isS = ref === 's' || ref === 'start';
  const isE = ref === 'e' || ref === 'end';
  if (!isS && !isE) throw badTime(name, raw, `unknown reference ${JSON.stringify(ref)}`);
  if (refs.other === undefined) throw badTime(name, raw, 'start and end cannot both be relative to each other');
  if ((isS ? 's' : 'e') !== refs.otherName) throw badTime(name, raw, `${name} cannot refer to itself`);
  return refs.other;
}

function isoTime(name: string, raw: string, m: RegExpExecArray, tz: string): number {
  const [, y, mo, d, h, mi, s, ms, zone] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Number(ms ?? 0)] as const;
  const wall = Date.UTC(...fields);
  const check = new Date(wall);
  if (check.getUTCMonth() !== fields[1] || check.getUTCDate() !== fields[2] || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) {
    throw badTime(name, raw, 'not a valid calendar date and time');
  }
  if (zone === undefined) return wallToInstant(tz, wall);
  if (zone === 'Z') return wall;
  const digits = zone.slice(1).replaceAll(':', '');
  const offset = Number(digits.slice(0, 2)) * HOUR + Number(digits.slice(2, 4) || 0) * MINUTE + Number(digits.slice(4, 6) || 0) * SECOND;
  return zone.startsWith('-') ? wall + offset : wall - offset;
}

function parseTime(name: string, raw: string, refs: References, tz: string): number {
  const relative = RELATIVE.exec(raw);
  if (relative !== null) {
    const [, ref, sign, amount] = relative;
    const base = reference(name, raw, ref!, refs);
    const duration = parseDuration(amount!);
    if (duration === undefined) throw badTime(name, raw, `${JSON.stringify(amount)} is not a duration such as 3h, 1w or P2DT6H5M`);
    return sign === '-' ? base - duration : base + duration;
  }
  if (NAMED.test(raw)) return reference(name, raw, raw, refs);
  if (UNIX.test(raw)) {
    const value = Number(raw);
    return value <= SECONDS_MAX ? value * SECOND : value;
  }
  const iso = ISO_DATE_TIME.exec(raw);
  if (iso !== null) return isoTime(name, raw, iso, tz);
  throw badTime(name, raw, 'not a time');
}

function isRelativeToOther(raw: string): boolean {
  const ref = RELATIVE.exec(raw)?.[1] ?? (NAMED.test(raw) ? raw : undefined);
  return ref !== undefined && ref !== 'now' && ref !== 'epoch';
}

export interface TimeRange {
  /** unix ms */
  start: number;
  /** unix ms, >= start */
  end: number;
}

export const DEFAULT_START = 'e-3h';
export const DEFAULT_END = 'now';

/**
 * Atlas's `s` and `e`: when `s` refers to the end (e-3h, e) the end is read first, else the start
 * is read first and `e` may refer to it (s+1h). Both referring to each other is an error.
 */
export function parseTimeRange(s: string | undefined, e: string | undefined, tz: string, now: number): TimeRange {
  const rawStart = s ?? DEFAULT_START;
  const rawEnd = e ?? DEFAULT_END;
  let start: number;
  let end: number;
  if (isRelativeToOther(rawStart)) {
    end = parseTime('e', rawEnd, { now, other: undefined, otherName: 's' }, tz);
    start = parseTime('s', rawStart, { now, other: end, otherName: 'e' }, tz);
  } else {
    start = parseTime('s', rawStart, { now, other: undefined, otherName: 'e' }, tz);
    end = parseTime('e', rawEnd, { now, other: start, otherName: 's' }, tz);
  }
  if (end < start) throw badTime('e', rawEnd, `the end (${new Date(end).toISOString()}) is before the start (${new Date(start).toISOString()})`);
  return { start, end };
}
