// DataRequests for tests that call a SeriesSource directly: a tag query and Atlas's defaults
// (sum, no grouping, average consolidation, no offset), overridden per test.
import type { DataRequest, TagQuery } from '../../query/asl/types.ts';

export const eq = (key: string, value: string): TagQuery => ({ op: 'eq', key, value });
export const and = (...qs: TagQuery[]): TagQuery => qs.reduce((left, right) => ({ op: 'and', left, right }));

export const request = (query: TagQuery, more: Partial<DataRequest> = {}): DataRequest => ({
  query,
  aggregation: 'sum',
  groupBy: [],
  consolidation: 'avg',
  offsetMs: 0,
  ...more,
});
