// SQL for attribute conditions of the native API (`key=value`, `key!=value`, `key=~regex`), shared
// by the trace and log searches. Keys, values and regular expressions travel as query parameters;
// only parameter names chosen here (a0k, a0v, ...) and map column names from the callers' fixed
// lists are written into the text.
import type { AttributeFilter } from './params.ts';

/** Compiles a regular expression with the engine's re2 (fails on an invalid one). */
export const CHECK_REGEX = `SELECT match('', {re:String}) AS matched`;

/**
 * The condition of one filter over the given maps (e.g. SpanAttributes, ResourceAttributes):
 * - `=`: some map has the key with exactly that value;
 * - `!=`: no map has the key with that value (a row without the key matches);
 * - `=~`: some map has the key with a value the re2 expression matches (unanchored, as match()).
 */
export function attributeCondition(
  filter: AttributeFilter,
  index: number,
  maps: readonly string[],
  params: Record<string, unknown>,
): string {
  const k = `a${index}k`;
  const v = `a${index}v`;
  params[k] = filter.key;
  params[v] = filter.value;
  const compare = (m: string) =>
    filter.op === '=~' ? `match(${m}[{${k}:String}], {${v}:String})` : `${m}[{${k}:String}] = {${v}:String}`;
  const any = maps.map((m) => `(mapContains(${m}, {${k}:String}) AND ${compare(m)})`).join(' OR ');
  return filter.op === '!=' ? `NOT (${any})` : `(${any})`;
}
