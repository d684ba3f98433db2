// The Atlas series model over OTel data (docs/metrics.md): which tags a series has, how the
// span RED rollup appears as series, and the pure helpers that turn a tag query into the
// tags of an aggregate line. No I/O here.
import type { TagQuery } from '../asl/types.ts';

/** Resource attributes that become tags of every metric series (point attributes win on a clash). */
export const RESOURCE_TAG_KEYS = [
  'service.name',
  'service.namespace',
  'service.version',
  'service.instance.id',
  'host.name',
  'deployment.environment',
  'deployment.environment.name',
  'cloud.region',
  'cloud.availability_zone',
  'k8s.cluster.name',
  'k8s.namespace.name',
] as const;

/** Tag keys Vigil sets itself: the metric name, the histogram/summary statistic, the percentile. */
export const NAME = 'name';
export const STATISTIC = 'statistic';
export const PERCENTILE = 'percentile';

/** The span RED series, read from vigil_span_red_version_1m: tag key -> column. */
export const SPAN_TAG_COLUMNS = {
  'service.name': 'ServiceName',
  'service.version': 'ServiceVersion',
  'span.name': 'SpanName',
  'span.kind': 'SpanKind',
  'status.code': 'StatusCode',
} as const;

export const SPAN_REQUESTS = 'vigil.span.requests';
export const SPAN_ERRORS = 'vigil.span.errors';
export const SPAN_DURATION = 'vigil.span.duration';

/** The span series variants: name, statistic ('' = none) and how a minute's value is made. */
export const SPAN_SERIES = [
  { name: SPAN_REQUESTS, statistic: '', value: 'Calls / 60' },
  { name: SPAN_ERRORS, statistic: '', value: 'Errors / 60' },
  { name: SPAN_DURATION, statistic: 'count', value: 'Calls / 60' },
  { name: SPAN_DURATION, statistic: 'totalTime', value: 'DurationSum / 1e9 / 60' },
  { name: SPAN_DURATION, statistic: 'max', value: 'DurationMax / 1e9' },
] as const;

/**
 * The tags an aggregate line carries (Atlas): the keys the query pins with `:eq` at its top
 * level (not under :or / :not).
 */
export function exactTags(query: TagQuery): Record<string, string> {
  const tags: Record<string, string> = {};
  const walk = (q: TagQuery): void => {
    if (q.op === 'eq') tags[q.key] = q.value;
    else if (q.op === 'and') {
      walk(q.left);
      walk(q.right);
    }
  };
  walk(query);
  return tags;
}

/** Whether the query can only match series of these names (used to skip a source cheaply). */
export function mayMatchName(query: TagQuery, names: readonly string[]): boolean {
  const matches = (q: TagQuery, name: string): boolean | undefined => {
    switch (q.op) {
      case 'eq':
        return q.key === NAME ? q.value === name : undefined;
      case 'in':
        return q.key === NAME ? q.values.includes(name) : undefined;
      case 'and': {
        const l = matches(q.left, name);
        const r = matches(q.right, name);
        return l === false || r === false ? false : l === true && r === true ? true : undefined;
      }
      case 'or': {
        const l = matches(q.left, name);
        const r = matches(q.right, name);
        return l === true || r === true ? true : l === false && r === false ? false : undefined;
      }
      case 'false':
        return false;
      default:
        return undefined;
    }
  };
  return names.some((n) => matches(query, n) !== false);
}
