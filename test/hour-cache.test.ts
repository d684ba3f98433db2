// HourCache (query/metrics/hour-cache.ts), pure: keys and least-recently-used eviction by size.
import { describe, expect, it } from 'vitest';
import { HourCache, type HourLine } from '../query/metrics/hour-cache.ts';

const request = { query: { op: 'eq', key: 'name', value: 'm' } as const, groupBy: ['app'], aggregation: 'sum' };
const lines = (n: number): HourLine[] => [{ line: '1', minutes: Array.from({ length: n }, (_, i) => i * 60_000), values: Array.from({ length: n }, (_, i) => i) }];

describe('HourCache', () => {
  it('keys an hour by the request and the versions of its rolls, in any order', () => {
    const cache = new HourCache(1 << 20);
    const a = cache.key(request, 3600, [{ name: 'x', hour: 3600, version: '1' }, { name: 'y', hour: 3600, version: '2' }]);
    expect(cache.key(request, 3600, [{ name: 'y', hour: 3600, version: '2' }, { name: 'x', hour: 3600, version: '1' }])).toBe(a);
    expect(cache.key(request, 3600, [{ name: 'x', hour: 3600, version: '3' }, { name: 'y', hour: 3600, version: '2' }])).not.toBe(a);
    expect(cache.key({ ...request, groupBy: [] }, 3600, [{ name: 'x', hour: 3600, version: '1' }, { name: 'y', hour: 3600, version: '2' }])).not.toBe(a);
    expect(cache.key(request, 7200, [{ name: 'x', hour: 3600, version: '1' }, { name: 'y', hour: 3600, version: '2' }])).not.toBe(a);
  });

  it('drops the least recently used entries when full, and keeps nothing when off', () => {
    const cache = new HourCache(4000); // room for two entries of 60 minutes (~1,500 bytes each)
    cache.set('a', lines(60));
    cache.set('b', lines(60));
    expect(cache.get('a')).toEqual(lines(60)); // a is now the most recent
    cache.set('c', lines(60));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(lines(60));
    expect(cache.get('c')).toEqual(lines(60));
    cache.set('huge', lines(1000)); // larger than the whole cache: not kept, nothing dropped
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    const off = new HourCache(0);
    expect(off.enabled).toBe(false);
    off.set('a', lines(1));
    expect(off.get('a')).toBeUndefined();
  });
});
