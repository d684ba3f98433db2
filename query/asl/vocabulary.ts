// All words by name, in the order Atlas tries them when several share a name (a query
// word before the math word of the same name), and the Atlas words Vigil does not have.
import type { Word } from './interpreter.ts';
import { dataWords } from './words/data.ts';
import { filterWords } from './words/filter.ts';
import { mathWords } from './words/math.ts';
import { queryWords } from './words/query.ts';
import { stackWords } from './words/stack.ts';
import { statefulWords } from './words/stateful.ts';
import { styleWords } from './words/style.ts';

export const VOCABULARIES = {
  query: queryWords,
  data: dataWords,
  math: mathWords,
  stateful: statefulWords,
  filter: filterWords,
  style: styleWords,
  std: stackWords,
} as const;

export const WORDS: ReadonlyMap<string, readonly Word[]> = (() => {
  const byName = new Map<string, Word[]>();
  for (const words of Object.values(VOCABULARIES)) {
    for (const w of words) {
      const same = byName.get(w.name);
      if (same === undefined) byName.set(w.name, [w]);
      else same.push(w);
    }
  }
  return byName;
})();

/** Atlas words that answer "not supported" rather than "unknown" (docs/asl.md lists them). */
export const UNSUPPORTED: ReadonlySet<string> = new Set([
  'named-rewrite',
  'approx-distinct',
  'sample-count',
  'des-epic-signal',
  'stat-min-mf',
  'stat-max-mf',
  'stat-avg-mf',
  'percentiles-heatmap',
  'eureka-avg',
  'sample',
  'span-filter',
  'span-time-series',
  'trace-filter',
  'trace-time-series',
  'event-filter',
  'event-table',
  'chart-line',
  // Listed among Atlas's filter words in our reference, but Atlas defines no such word.
  'consolidate',
]);
