// Query parameters of the canary list endpoints.
import { type RawQuery, decodeCursor, encodeCursor, onlyKnown, parseLimit, text } from '../params.ts';
import type { JudgementPage, JudgementSummary } from './store.ts';

export const JUDGEMENT_LIMIT_DEFAULT = 50;
export const JUDGEMENT_LIMIT_MAX = 1000;
export const JUDGEMENT_CURSOR_KIND = 'canary:judgements';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `GET /api/v1/canary/judgements`: limit, configId, cursor. */
export function parseJudgementPage(query: RawQuery): JudgementPage {
  onlyKnown(query, ['limit', 'configId', 'cursor']);
  const cursor = text(query, 'cursor');
  const after = cursor === undefined ? undefined : decodeCursor(cursor, JUDGEMENT_CURSOR_KIND, UUID);
  return {
    limit: parseLimit(query, JUDGEMENT_LIMIT_DEFAULT, JUDGEMENT_LIMIT_MAX),
    configId: text(query, 'configId') ?? '',
    after: after === undefined ? undefined : { ms: Number(after.key), id: after.tie },
  };
}

/** The cursor after the last summary of a full page; null on the last page. */
export function nextJudgementCursor(page: JudgementPage, rows: readonly JudgementSummary[]): string | null {
  const last = rows[rows.length - 1];
  return rows.length < page.limit || last === undefined ? null : encodeCursor(JUDGEMENT_CURSOR_KIND, String(last.createdAtMs), last.id);
}
