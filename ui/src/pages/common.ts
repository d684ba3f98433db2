// Helpers shared by the pages: the time range of the URL as a picker handler.
import { navigate, withParams } from '../router.ts';
import { type RangeSpec, rangeParams, rangeSpecOf, resolveRange, type TimeRange } from '../time.ts';

export function usePageRange(params: URLSearchParams): { spec: RangeSpec; range: TimeRange; key: string; setSpec: (s: RangeSpec) => void } {
  const spec = rangeSpecOf(params);
  // A relative range resolves at each load; `key` changes when the URL or a refresh does.
  const range = resolveRange(spec, Date.now());
  const key = spec.relative === undefined ? `${spec.startMs}-${spec.endMs}` : `${spec.relative}`;
  return { spec, range, key, setSpec: (s) => navigate(withParams(rangeParams(s))) };
}
