// Time for `:time` (a calendar field per step, UTC) and `:time-span` (Atlas time
// references: gs/ge for the graph's start and end, s/e for the span's own ends).
import { vigilError } from '../../schemas/errors.ts';
import { parseDuration } from './duration.ts';
import type { Window } from './types.ts';

const SINCE_EPOCH: Record<string, number> = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 };

const CALENDAR: Record<string, (d: Date) => number> = {
  secondOfMinute: (d) => d.getUTCSeconds(),
  secondOfDay: (d) => d.getUTCHours() * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds(),
  minuteOfHour: (d) => d.getUTCMinutes(),
  minuteOfDay: (d) => d.getUTCHours() * 60 + d.getUTCMinutes(),
  hourOfDay: (d) => d.getUTCHours(),
  // ISO: Monday = 1 ... Sunday = 7.
  dayOfWeek: (d) => d.getUTCDay() || 7,
  dayOfMonth: (d) => d.getUTCDate(),
  dayOfYear: (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
  monthOfYear: (d) => d.getUTCMonth() + 1,
  yearOfCentury: (d) => d.getUTCFullYear() % 100,
  yearOfEra: (d) => d.getUTCFullYear(),
};

export const TIME_MODES: readonly string[] = [...Object.keys(CALENDAR), ...Object.keys(SINCE_EPOCH)];

export function timeOfDayValue(mode: string, t: number): number {
  const divisor = SINCE_EPOCH[mode];
  if (divisor !== undefined) return t / divisor;
  return CALENDAR[mode]!(new Date(t));
}

const REF = /^(gs|ge|s|e|now|epoch|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?)?Z?|\d+)((?:[+-][0-9A-Za-z]+)*)$/;

/** Whether a time reference is well formed, and which span end it is relative to. */
export function timeRefBase(text: string): string | undefined {
  const m = REF.exec(text);
  if (m === null) return undefined;
  const shifts = m[2]!.match(/[+-][0-9A-Za-z]+/g) ?? [];
  return shifts.every((s) => parseDuration(s.slice(1)) !== undefined) ? m[1]! : undefined;
}

function resolve(text: string, refs: Record<string, number>): number {
  const m = REF.exec(text)!;
  const base = m[1]!;
  let t: number;
  if (base in refs) t = refs[base]!;
  else if (base === 'epoch') t = 0;
  else if (/^\d+$/.test(base)) t = Number(base) <= 2 ** 31 ? Number(base) * 1000 : Number(base);
  else t = Date.parse(base.endsWith('Z') || base.length === 10 ? base : `${base}Z`);
  for (const shift of m[2]!.match(/[+-][0-9A-Za-z]+/g) ?? []) {
    const ms = parseDuration(shift.slice(1))!;
    t += shift.startsWith('+') ? ms : -ms;
  }
  return t;
}

/** [from, to] in ms for `:time-span`, both inclusive. */
export function timeSpan(start: string, end: string, window: Window, now: number): [number, number] {
  const refs = { gs: window.start, ge: window.end, now };
  const sBase = timeRefBase(start);
  const eBase = timeRefBase(end);
  const fail = (detail: string): never => {
    throw vigilError('VIGIL_ERR_ASL_EVALUATION', `:time-span ${start},${end}: ${detail}`);
  };
  if (sBase === 's' || eBase === 'e') fail('a time cannot be relative to itself');
  if (sBase === 'e' && eBase === 's') fail('start and end are relative to each other');
  let from: number;
  let to: number;
  if (sBase === 'e') {
    to = resolve(end, refs);
    from = resolve(start, { ...refs, e: to });
  } else {
    from = resolve(start, refs);
    to = resolve(end, { ...refs, s: from });
  }
  if (from > to) fail('start must not be after end');
  return [from, to];
}
