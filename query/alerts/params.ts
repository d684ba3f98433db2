// Query parameters of the alert list endpoints.
import { type RawQuery, MS_NS, bad, list, onlyKnown, parseLimit, parseRange, text } from '../params.ts';
import type { InstanceState } from './evaluator.ts';
import type { ActiveFilter } from './service.ts';
import type { HistoryQuery } from './store.ts';

export const HISTORY_LIMIT_DEFAULT = 100;
export const HISTORY_LIMIT_MAX = 10_000;
export const ACTIVE_STATES: readonly InstanceState[] = ['pending', 'firing', 'nodata', 'error'];
const DAY_NS = 86_400_000_000_000n;

/** `GET /api/v1/alerts`: ruleId, state (repeatable). */
export function parseActiveFilter(query: RawQuery): ActiveFilter {
  onlyKnown(query, ['ruleId', 'state']);
  const states = list(query, 'state');
  for (const s of states) if (!(ACTIVE_STATES as readonly string[]).includes(s)) throw bad('state', `${JSON.stringify(s)} is not one of ${ACTIVE_STATES.join(', ')}`);
  return { ruleId: text(query, 'ruleId') ?? '', states: states as InstanceState[] };
}

/** `GET /api/v1/alerts/history`: ruleId, start, end (default the last 24 h), limit. */
export function parseHistoryQuery(query: RawQuery, nowMs: number): HistoryQuery {
  onlyKnown(query, ['ruleId', 'start', 'end', 'limit']);
  const range = parseRange(query, nowMs, DAY_NS);
  return {
    ruleId: text(query, 'ruleId') ?? '',
    startMs: Number(range.startNs / MS_NS),
    // The end is inclusive to the millisecond.
    endMs: Number(range.endNs / MS_NS) + 1,
    limit: parseLimit(query, HISTORY_LIMIT_DEFAULT, HISTORY_LIMIT_MAX),
  };
}
