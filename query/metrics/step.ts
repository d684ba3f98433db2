// Atlas step rules: the steps a graph may use, the automatic step for a window and width, and
// the graph window aligned to the step. Vigil's series keep one point per minute (migration
// 0006), so one minute is the storage step: as in Atlas, a requested step is raised to at least
// the storage step and rounded up to an allowed step, which then is a multiple of it.
import { vigilError } from '../../schemas/errors.ts';
import type { Window } from '../asl/types.ts';
import { formatDuration, parseDuration } from '../asl/duration.ts';
import type { TimeRange } from './time.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const DIVIDE_60 = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];

/** Allowed steps below a day, ascending; beyond them, whole days. */
export const ALLOWED_STEPS: readonly number[] = [
  1,
  5,
  10,
  50,
  100,
  500,
  ...DIVIDE_60.map((n) => n * SECOND),
  ...DIVIDE_60.map((n) => n * MINUTE),
  ...[1, 2, 3, 4, 6, 8, 12].map((n) => n * HOUR),
];

/** The coarser set Atlas picks automatic steps from. */
const AUTO_STEPS: readonly number[] = [
  ...[1, 5, 10, 20, 30].map((n) => n * SECOND),
  ...[1, 5, 10, 20, 30].map((n) => n * MINUTE),
  ...[1, 6, 12].map((n) => n * HOUR),
];

/** The storage step: the series tables keep the last point of every minute. */
export const BASE_STEP = MINUTE;
/** Atlas's default graph width in pixels: one point per pixel at most. */
export const DEFAULT_WIDTH = 700;
/** Points per line a graph may have (Atlas's default limit). */
export const MAX_POINTS = 1440;

function wholeDays(ms: number): number {
  return Math.ceil(ms / DAY) * DAY;
}

/** The smallest allowed step >= `ms` (Atlas rounds a requested step up the same way). */
export function roundStep(ms: number): number {
  return ALLOWED_STEPS.find((s) => s >= ms) ?? wholeDays(ms);
}

/**
 * Atlas's automatic step: at least one base step per pixel of `width`, rounded up to the next
 * automatic step (1, 5, 10, 20, 30 s or min; 1, 6, 12 h; whole days). A 24 h window at 700 px
 * gets 5 minutes.
 */
export function autoStep(range: TimeRange, width: number): number {
  const basePoints = Math.floor((range.end - range.start) / BASE_STEP);
  const minStep = Math.max(1, Math.ceil(basePoints / width)) * BASE_STEP;
  return AUTO_STEPS.find((s) => s >= minStep) ?? wholeDays(minStep);
}

/** `step`: a duration (1m, 5m, PT5M, 1h) raised to the storage step and rounded up to an allowed step. */
export function parseStep(raw: string): number {
  const ms = parseDuration(raw);
  if (ms === undefined) throw vigilError('VIGIL_ERR_BAD_STEP', raw, 'not a duration such as 1m, 5m, 1h or PT5M');
  if (ms === 0) throw vigilError('VIGIL_ERR_BAD_STEP', raw, 'the step must be longer than zero');
  return roundStep(Math.max(BASE_STEP, ms));
}

/**
 * The graph window: the start rounded down and the end rounded up to the step, at least one step
 * long. More than `maxPoints` steps is a 400.
 */
export function graphWindow(range: TimeRange, step: number, maxPoints = MAX_POINTS): Window {
  const start = Math.floor(range.start / step) * step;
  const end = Math.max(Math.ceil(range.end / step) * step, start + step);
  const points = (end - start) / step;
  if (points > maxPoints) throw vigilError('VIGIL_ERR_TOO_MANY_POINTS', points, formatDuration(step), maxPoints);
  return { start, end, step };
}
