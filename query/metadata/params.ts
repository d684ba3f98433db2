// Parameters of the metadata endpoints (/api/v1/metadata/...).
import { type NsRange, type RawQuery, bad, onlyKnown, parseLimit, parseRange, text } from '../params.ts';
import type { Signal } from './sql.ts';

export const SIGNALS: readonly Signal[] = ['traces', 'logs'];
export const METADATA_LIMIT_DEFAULT = 100;
export const METADATA_LIMIT_MAX = 1000;

export interface AttributeKeysQuery {
  signal: Signal;
  range: NsRange;
  prefix: string;
  limit: number;
}

export interface AttributeValuesQuery extends AttributeKeysQuery {
  key: string;
}

function signal(query: RawQuery): Signal {
  const raw = text(query, 'signal');
  if (raw === undefined) throw bad('signal', `parameter 'signal' is required: one of ${SIGNALS.join(', ')}`);
  if (!(SIGNALS as readonly string[]).includes(raw)) throw bad('signal', `${JSON.stringify(raw)} is not one of ${SIGNALS.join(', ')}`);
  return raw as Signal;
}

function common(query: RawQuery, nowMs: number): AttributeKeysQuery {
  return {
    signal: signal(query),
    range: parseRange(query, nowMs),
    prefix: text(query, 'prefix') ?? '',
    limit: parseLimit(query, METADATA_LIMIT_DEFAULT, METADATA_LIMIT_MAX),
  };
}

/** `GET /api/v1/metadata/attributes`. */
export function parseAttributeKeys(query: RawQuery, nowMs: number): AttributeKeysQuery {
  onlyKnown(query, ['signal', 'start', 'end', 'prefix', 'limit']);
  return common(query, nowMs);
}

/** `GET /api/v1/metadata/attributes/values`. */
export function parseAttributeValues(query: RawQuery, nowMs: number): AttributeValuesQuery {
  onlyKnown(query, ['signal', 'key', 'start', 'end', 'prefix', 'limit']);
  const key = text(query, 'key');
  if (key === undefined) throw bad('key', "parameter 'key' is required");
  return { ...common(query, nowMs), key };
}
