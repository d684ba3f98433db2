// Atlas time syntax and step rules (pure): expected instants are calendar arithmetic done with
// Date.UTC and hand-computed offsets, never the code under test.
import { describe, expect, it } from 'vitest';
import { VigilError } from '../schemas/errors.ts';
import { autoStep, graphWindow, parseStep, roundStep } from '../query/metrics/step.ts';
import { formatInZone, parseTimeRange, parseZone } from '../query/metrics/time.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

function errorOf(f: () => unknown): VigilError {
  try {
    f();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

const range = (s?: string, e?: string, tz = 'UTC') => parseTimeRange(s, e, tz, NOW);

describe('Atlas times', () => {
  it('defaults to the three hours before now', () => {
    expect(range()).toEqual({ start: NOW - 3 * HOUR, end: NOW });
  });

  it('reads times relative to now and the epoch', () => {
    expect(range('now-1w', 'now-1d')).toEqual({ start: NOW - 7 * DAY, end: NOW - DAY });
    expect(range('epoch', 'epoch+1d')).toEqual({ start: 0, end: DAY });
  });

  it('reads the start relative to the end (e-3h, e) and the end relative to the start (s+...)', () => {
    expect(range('e-3h', '2026-01-02T06:00Z')).toEqual({ start: Date.UTC(2026, 0, 2, 3), end: Date.UTC(2026, 0, 2, 6) });
    expect(range('2026-01-01', 's+P2DT6H5M')).toEqual({ start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 0, 3, 6, 5) });
    expect(range('e', 'now')).toEqual({ start: NOW, end: NOW });
    expect(range('end-1h', 'now')).toEqual({ start: NOW - HOUR, end: NOW });
  });

  it('reads ISO dates and times, in UTC by default', () => {
    expect(range('2026-01-02', '2026-01-02T06:30')).toEqual({ start: Date.UTC(2026, 0, 2), end: Date.UTC(2026, 0, 2, 6, 30) });
    expect(range('2026-01-02T03:04:05', '2026-01-02T03:04:05.250')).toEqual({
      start: Date.UTC(2026, 0, 2, 3, 4, 5),
      end: Date.UTC(2026, 0, 2, 3, 4, 5, 250),
    });
  });

  it('honours an explicit zone in the time over tz', () => {
    expect(range('2026-01-02T03:04:05+02:00', '2026-01-02T03:04:05Z', 'US/Pacific')).toEqual({
      start: Date.UTC(2026, 0, 2, 1, 4, 5),
      end: Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    expect(range('2026-01-02T00:00-0530', 'now').start).toBe(Date.UTC(2026, 0, 2, 5, 30));
  });

  it('reads times without a zone in tz, daylight saving included', () => {
    // Paris is UTC+1 in January and UTC+2 in July; Los Angeles UTC-8 in January; Kolkata UTC+5:30.
    expect(range('2026-01-02T00:00', 'now', 'Europe/Paris').start).toBe(Date.UTC(2026, 0, 1, 23));
    expect(range('2026-07-01T12:00', '2026-07-02', 'Europe/Paris').start).toBe(Date.UTC(2026, 6, 1, 10));
    expect(range('2026-01-02', 'now', 'US/Pacific').start).toBe(Date.UTC(2026, 0, 2, 8));
    expect(range('2026-01-02T08:34', 'now', 'Asia/Kolkata').start).toBe(Date.UTC(2026, 0, 2, 3, 4));
  });

  it('reads unix seconds up to 2^31 and milliseconds above', () => {
    expect(range('1700000000', '1700000000123')).toEqual({ start: 1_700_000_000_000, end: 1_700_000_000_123 });
    expect(range('epoch', '2147483648').end).toBe(2_147_483_648_000);
    expect(range('epoch', '2147483649').end).toBe(2_147_483_649);
  });

  it.each([
    ['s', 'yesterday', 'now', 'unknown reference "yesterday"'],
    ['s', 'now-3x', 'now', '"3x" is not a duration'],
    ['s', '2026-02-30', 'now', 'not a valid calendar date'],
    ['s', '2026-01-02T25:00', 'now', 'not a valid calendar date'],
    ['s', 'next tuesday', 'now', 'not a time'],
    ['e', 'e-1h', 's+1h', 'cannot both be relative'],
    ['s', 's-1h', 'now', 's cannot refer to itself'],
    ['e', '2026-01-02', '2026-01-01', 'is before the start'],
  ])('%s: s=%j e=%j is a 400', (name, s, e, detail) => {
    const error = errorOf(() => range(s, e));
    expect(error.code).toBe('VIGIL_ERR_BAD_TIME');
    expect(error.status).toBe(400);
    expect(error.message).toContain(`invalid ${name} `);
    expect(error.message).toContain(detail);
    expect(error.message).toContain('now-1w');
  });

  it('validates tz', () => {
    expect(parseZone(undefined)).toBe('UTC');
    expect(parseZone('Europe/Paris')).toBe('Europe/Paris');
    expect(errorOf(() => parseZone('Mars/Olympus')).message).toContain('invalid tz "Mars/Olympus": not a time zone');
  });

  it('writes ISO-8601 with the zone offset, as Atlas csv rows', () => {
    const t = Date.UTC(2026, 0, 2, 3, 4);
    expect(formatInZone(t, 'UTC')).toBe('2026-01-02T03:04:00Z');
    expect(formatInZone(t, 'Europe/Paris')).toBe('2026-01-02T04:04:00+01:00');
    expect(formatInZone(t, 'US/Pacific')).toBe('2026-01-01T19:04:00-08:00');
    expect(formatInZone(t, 'Asia/Kolkata')).toBe('2026-01-02T08:34:00+05:30');
    expect(formatInZone(t + 500, 'UTC')).toBe('2026-01-02T03:04:00.5Z');
  });
});

describe('Atlas steps', () => {
  it.each([
    [2, 5],
    [7_000, 10_000],
    [MIN, MIN],
    [45 * MIN, HOUR],
    [90 * MIN, 2 * HOUR],
    [5 * HOUR, 6 * HOUR],
    [9 * HOUR, 12 * HOUR],
    [13 * HOUR, DAY],
    [25 * HOUR, 2 * DAY],
  ])('a requested %d ms rounds up to %d ms', (ms, step) => {
    expect(roundStep(ms)).toBe(step);
  });

  it.each([
    ['1m', MIN],
    ['7m', 10 * MIN],
    ['PT5M', 5 * MIN],
    ['90m', 2 * HOUR],
    ['P1DT1H', 2 * DAY],
    // below the one-minute storage step: raised to it, as Atlas does
    ['10s', MIN],
    ['500ms', MIN],
  ])('step=%s -> %d ms', (raw, step) => {
    expect(parseStep(raw)).toBe(step);
  });

  it.each([
    ['abc', 'not a duration'],
    ['0s', 'longer than zero'],
    ['-1m', 'not a duration'],
  ])('step=%s is a 400', (raw, detail) => {
    const error = errorOf(() => parseStep(raw));
    expect(error.code).toBe('VIGIL_ERR_BAD_STEP');
    expect(error.message).toContain(detail);
  });

  it.each([
    // window, width, step: base points = window / 1 min; points per pixel rounded up; next automatic step
    [HOUR, 700, MIN], // 60 / 700 -> 1 min
    [3 * HOUR, 700, MIN],
    [DAY, 700, 5 * MIN], // 1440 / 700 -> 3 min -> 5 min
    [DAY, 1440, MIN],
    [7 * DAY, 700, 20 * MIN], // 10080 / 700 -> 15 min -> 20 min
    [30 * DAY, 700, 6 * HOUR], // 43200 / 700 -> 62 min -> 6 h
    [365 * DAY, 700, DAY], // 525600 / 700 -> 751 min (12.5 h) -> 1 day
    [5 * 365 * DAY, 700, 3 * DAY], // 2628000 / 700 -> 3755 min (62.6 h) -> 3 days
    [0, 700, MIN],
  ])('automatic step for %d ms at %d px is %d ms', (span, width, step) => {
    expect(autoStep({ start: NOW - span, end: NOW }, width)).toBe(step);
  });

  it('aligns the window to the step: start down, end up, at least one step', () => {
    const r = { start: Date.UTC(2026, 0, 2, 3, 4, 30), end: Date.UTC(2026, 0, 2, 4, 0, 10) };
    expect(graphWindow(r, 5 * MIN)).toEqual({ start: Date.UTC(2026, 0, 2, 3), end: Date.UTC(2026, 0, 2, 4, 5), step: 5 * MIN });
    const t = Date.UTC(2026, 0, 2, 3);
    expect(graphWindow({ start: t, end: t }, MIN)).toEqual({ start: t, end: t + MIN, step: MIN });
    expect(graphWindow({ start: t, end: t + DAY }, MIN).end).toBe(t + DAY); // exactly 1440 points
  });

  it('refuses more than 1440 points per line', () => {
    const t = Date.UTC(2026, 0, 2);
    const error = errorOf(() => graphWindow({ start: t, end: t + 2 * DAY }, MIN));
    expect(error.code).toBe('VIGIL_ERR_TOO_MANY_POINTS');
    expect(error.message).toBe(
      'the window holds 2880 steps of 1m per line, more than the limit of 1440; use a larger step or a shorter window',
    );
  });
});
