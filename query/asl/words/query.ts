// Query vocabulary: tag queries (Atlas compares tag values as strings).
import { type Word, word } from '../interpreter.ts';
import { FALSE, TRUE, and, or } from '../query.ts';
import type { TagQuery } from '../types.ts';

type KeyValueOp = Extract<TagQuery, { value: string }>['op'];

function keyValue(op: KeyValueOp): Word {
  return word(op, ['string', 'string'] as const, 'Query', ([key, value], call) => {
    if (op === 're' || op === 'reic') {
      try {
        new RegExp(value);
      } catch (e) {
        call.fail(`${JSON.stringify(value)} is not a valid regular expression (${(e as Error).message})`);
      }
    }
    return { type: 'query', query: { op, key, value } };
  });
}

export const queryWords: readonly Word[] = [
  word('true', [], 'Query', () => ({ type: 'query', query: TRUE })),
  word('false', [], 'Query', () => ({ type: 'query', query: FALSE })),
  word('has', ['string'] as const, 'Query', ([key]) => ({ type: 'query', query: { op: 'has', key } })),
  ...(['eq', 'lt', 'le', 'gt', 'ge', 're', 'reic', 'contains', 'starts', 'ends'] as const).map(keyValue),
  word('in', ['string', 'strings'] as const, 'Query', ([key, values]) => ({ type: 'query', query: { op: 'in', key, values } })),
  word('and', ['query', 'query'] as const, 'Query', ([a, b]) => ({ type: 'query', query: and(a, b) })),
  word('or', ['query', 'query'] as const, 'Query', ([a, b]) => ({ type: 'query', query: or(a, b) })),
  word('not', ['query'] as const, 'Query', ([q]) => ({ type: 'query', query: q.op === 'true' ? FALSE : q.op === 'false' ? TRUE : { op: 'not', query: q } })),
];
