// Service RED metrics and the dependency graph, from the span rollups (never a span scan):
//   GET /api/v1/services/overview?start&end&spanKind       per service: rate, error ratio, p50/p90/p99
//   GET /api/v1/services/{service}/operations?start&end&step per operation: columnar series per step
//   GET /api/v1/services/dependencies?start&end             edges with call and error counts
// start/end are unix microseconds as in the Jaeger API (default: the last hour). The rollups
// count per minute, so a range covers the whole minutes it touches; answers say which.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { vigilError } from '../../schemas/errors.ts';
import { type RawQuery, SPAN_KINDS, parseGoDuration, parseTimeRange } from '../jaeger/params.ts';
import { type MinuteRange, type Quantiles, type ServiceMetricsReader, minuteRange } from './reader.ts';

export interface ServicesRoutesOptions {
  reader: ServiceMetricsReader;
  /** Unix milliseconds; tests may fix it. */
  now?: () => number;
}

const HOUR_US = 3_600_000_000;
export const SERVICES_LOOKBACK_US = HOUR_US;
/** More step buckets than this are refused (ask for a larger step). */
export const SERIES_POINTS_MAX = 1500;
/** The default step gives at most this many buckets. */
const SERIES_POINTS_DEFAULT = 120;
const SERVICE_MAX_LENGTH = 1024;

/** Spans that count as a service's own calls in the overview by default: its entry points. */
const ENTRY_KINDS = ['Server', 'Consumer', 'SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER'];

function bad(name: string, detail: string): Error {
  return vigilError('VIGIL_ERR_BAD_PARAMETER', name, detail);
}

function single(query: RawQuery, name: string): string | undefined {
  const raw = query[name];
  if (Array.isArray(raw)) throw bad(name, `given ${raw.length} times; give it once`);
  return raw === '' ? undefined : raw;
}

/** spanKind: `entry` (default: server and consumer spans), `all`, or one Jaeger kind name. */
export function parseOverviewKinds(query: RawQuery): string[] {
  const raw = single(query, 'spanKind') ?? 'entry';
  if (raw === 'entry') return ENTRY_KINDS;
  if (raw === 'all') return [];
  const kind = SPAN_KINDS[raw];
  if (kind === undefined) throw bad('spanKind', `${JSON.stringify(raw)} is not entry, all, ${Object.keys(SPAN_KINDS).join(', ')}`);
  return [kind, `SPAN_KIND_${kind.toUpperCase()}`];
}

/** step: a Go duration, a whole number of minutes (the rollup's resolution). */
export function parseStep(query: RawQuery, range: MinuteRange): number {
  const minutes = (range.endS - range.startS) / 60 + 1;
  const raw = single(query, 'step');
  if (raw === undefined) return Math.max(1, Math.ceil(minutes / SERIES_POINTS_DEFAULT)) * 60;
  const ns = parseGoDuration(raw, 'step');
  if (ns < 60_000_000_000n || ns % 60_000_000_000n !== 0n) throw bad('step', `${JSON.stringify(raw)} is not a whole number of minutes (at least 1m)`);
  const stepS = Number(ns / 1_000_000_000n);
  if (stepS > 0xffff_ffff) throw bad('step', `${JSON.stringify(raw)} is too long`);
  const points = Math.ceil((minutes * 60) / stepS);
  if (points > SERIES_POINTS_MAX) throw bad('step', `${points} buckets over this range; at most ${SERIES_POINTS_MAX}: use a larger step`);
  return stepS;
}

export function parseService(raw: string): string {
  if (raw === '' || raw.length > SERVICE_MAX_LENGTH) throw bad('service', `must be 1 to ${SERVICE_MAX_LENGTH} characters`);
  return raw;
}

/** Stored span kind ('Server', 'SPAN_KIND_SERVER') -> Jaeger's lowercase name. */
export function kindName(stored: string): string {
  return stored.replace(/^SPAN_KIND_/, '').toLowerCase();
}

const ms = (ns: number) => ns / 1e6;
const seconds = (range: MinuteRange) => range.endS + 60 - range.startS;
const window = (range: MinuteRange) => ({ start: range.startS * 1_000_000, end: (range.endS + 60) * 1_000_000 });

export const servicesRoutes: FastifyPluginAsync<ServicesRoutesOptions> = async (app: FastifyInstance, options) => {
  const { reader } = options;
  const nowUs = () => (options.now ?? Date.now)() * 1000;
  const rangeOf = (query: RawQuery) => minuteRange(parseTimeRange(query, nowUs(), SERVICES_LOOKBACK_US));

  app.get<{ Querystring: RawQuery }>('/api/v1/services/overview', async (req) => {
    const range = rangeOf(req.query);
    const kinds = parseOverviewKinds(req.query);
    const stats = await reader.overview(range, kinds);
    const duration = seconds(range);
    return {
      ...window(range),
      services: stats.map((s) => ({
        service: s.service,
        calls: s.calls,
        errors: s.errors,
        rate: s.calls / duration,
        errorRatio: s.calls === 0 ? 0 : s.errors / s.calls,
        p50Ms: ms(s.quantiles.p50),
        p90Ms: ms(s.quantiles.p90),
        p99Ms: ms(s.quantiles.p99),
      })),
    };
  });

  app.get<{ Querystring: RawQuery; Params: { service: string } }>('/api/v1/services/:service/operations', async (req) => {
    const service = parseService(req.params.service);
    const range = rangeOf(req.query);
    const step = parseStep(req.query, range);
    const points = Math.ceil(seconds(range) / step);
    const buckets = await reader.operationSeries(service, range, step);
    type Series = { name: string; spanKind: string; calls: number[]; errors: number[]; p50Ms: Array<number | null>; p90Ms: Array<number | null>; p99Ms: Array<number | null> };
    const byOperation = new Map<string, Series>();
    for (const b of buckets) {
      if (b.bucket < 0 || b.bucket >= points) continue;
      const key = JSON.stringify([b.name, b.kind]);
      let s = byOperation.get(key);
      if (s === undefined) {
        const empty = () => new Array<number | null>(points).fill(null);
        s = { name: b.name, spanKind: kindName(b.kind), calls: new Array<number>(points).fill(0), errors: new Array<number>(points).fill(0), p50Ms: empty(), p90Ms: empty(), p99Ms: empty() };
        byOperation.set(key, s);
      }
      const q: Quantiles = b.quantiles;
      s.calls[b.bucket] = b.calls;
      s.errors[b.bucket] = b.errors;
      s.p50Ms[b.bucket] = ms(q.p50);
      s.p90Ms[b.bucket] = ms(q.p90);
      s.p99Ms[b.bucket] = ms(q.p99);
    }
    return {
      service,
      ...window(range),
      step,
      timestamps: Array.from({ length: points }, (_, i) => (range.startS + i * step) * 1_000_000),
      operations: [...byOperation.values()],
    };
  });

  app.get<{ Querystring: RawQuery }>('/api/v1/services/dependencies', async (req) => {
    const range = rangeOf(req.query);
    return { ...window(range), edges: await reader.edges(range) };
  });
};
