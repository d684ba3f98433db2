// Tag queries as values: combining with Atlas's true/false simplification, the tags a
// query pins (`:eq` under `:and`), and the texts Atlas shows for them.
import type { TagQuery } from './types.ts';

export const TRUE: TagQuery = { op: 'true' };
export const FALSE: TagQuery = { op: 'false' };

export function and(left: TagQuery, right: TagQuery): TagQuery {
  if (left.op === 'true') return right;
  if (right.op === 'true') return left;
  if (left.op === 'false' || right.op === 'false') return FALSE;
  return { op: 'and', left, right };
}

export function or(left: TagQuery, right: TagQuery): TagQuery {
  if (left.op === 'true' || right.op === 'true') return TRUE;
  if (left.op === 'false') return right;
  if (right.op === 'false') return left;
  return { op: 'or', left, right };
}

/** The tags every match has: `:eq` clauses reachable through `:and` only. */
export function exactTags(query: TagQuery): Record<string, string> {
  switch (query.op) {
    case 'eq':
      return { [query.key]: query.value };
    case 'and':
      return { ...exactTags(query.left), ...exactTags(query.right) };
    default:
      return {};
  }
}

/** Atlas's `labelString`: `name=cpu`, `(a=1) and (b=2)`, `k~/^v/`. */
export function queryLabel(query: TagQuery): string {
  switch (query.op) {
    case 'true':
    case 'false':
      return query.op;
    case 'has':
      return `has(${query.key})`;
    case 'eq':
      return `${query.key}=${query.value}`;
    case 'lt':
      return `${query.key}<${query.value}`;
    case 'le':
      return `${query.key}<=${query.value}`;
    case 'gt':
      return `${query.key}>${query.value}`;
    case 'ge':
      return `${query.key}>=${query.value}`;
    case 're':
      return `${query.key}~/^${query.value}/`;
    case 'reic':
      return `${query.key}~/^${query.value}/i`;
    case 'contains':
      return `${query.key}~/^.*${query.value}/`;
    case 'starts':
      return `${query.key}~/^${query.value}/`;
    case 'ends':
      return `${query.key}~/^.*${query.value}$/`;
    case 'in':
      return `${query.key} in (${query.values.join(',')})`;
    case 'and':
    case 'or':
      return `(${queryLabel(query.left)}) ${query.op} (${queryLabel(query.right)})`;
    case 'not':
      return `not(${queryLabel(query.query)})`;
  }
}

/** The query in stack-language syntax, e.g. `name,cpu,:eq,app,www,:eq,:and`. */
export function queryText(query: TagQuery): string {
  switch (query.op) {
    case 'true':
    case 'false':
      return `:${query.op}`;
    case 'has':
      return `${query.key},:has`;
    case 'in':
      return `${query.key},(,${query.values.join(',')},),:in`;
    case 'and':
    case 'or':
      return `${queryText(query.left)},${queryText(query.right)},:${query.op}`;
    case 'not':
      return `${queryText(query.query)},:not`;
    default:
      return `${query.key},${query.value},:${query.op}`;
  }
}
