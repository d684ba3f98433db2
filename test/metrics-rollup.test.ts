// The metric rollup (query/metrics/rollup.ts) end to end: OTLP points into a real Vigil, graph
// data read through ClickHouseSeriesSource before the rollup (every hour computed from the
// minute maps) and after it (closed hours read from vigil_metric_rollup), which must agree, with
// hand-computed values checked on both; late points into a rolled hour are seen at once and
// after the hour is rolled again. The rollup runs here by calling it, never on a timer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataRequest, Series, Window } from '../query/asl/types.ts';
import { rollUpMetricHours } from '../query/metrics/rollup.ts';
import { ClickHouseSeriesSource } from '../query/metrics/source.ts';
import { nameQuery, splitHours } from '../query/metrics/sql.ts';
import { and, eq, request } from './helpers/data-requests.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Three closed hours of data: T0 .. T0 + 3 h, ending an hour before the current one. */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
const at = (minute: number, second = 0) => T0 + minute * MINUTE + second * 1000;
const MINUTES = 180;
const RESTART = 80; // the counter restarts in minute 80 (hour 1, minute 20)

let vigil: TestVigil;
let source: ClickHouseSeriesSource;
beforeAll(async () => {
  vigil = await startTestVigil({ VIGIL_METRIC_ROLLUP_INTERVAL: '0s' });
  // With the cache of rolled hours, as the graph API runs it: answers must not depend on it.
  source = new ClickHouseSeriesSource(vigil.store.read, { hourCacheBytes: 1 << 20 });
});
afterAll(async () => {
  await vigil.stop();
});

// ---- OTLP/JSON bodies ----
type Point = { attributes: Record<string, string>; start?: number; time: number; value: number };
const attrs = (a: Record<string, string>) => Object.entries(a).map(([key, value]) => ({ key, value: { stringValue: value } }));
const nanos = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();
const dataPoints = (points: Point[]) =>
  points.map((p) => ({ attributes: attrs(p.attributes), startTimeUnixNano: nanos(p.start ?? p.time), timeUnixNano: nanos(p.time), asDouble: p.value }));
type Metric = { name: string; kind: 'cumulative' | 'delta' | 'gauge'; points: Point[] };

async function send(metrics: Metric[]): Promise<void> {
  const body = {
    resourceMetrics: [
      {
        resource: { attributes: attrs({ 'service.name': 'rollup-test' }) },
        scopeMetrics: [
          {
            scope: { name: 'rollup-test' },
            metrics: metrics.map((m) =>
              m.kind === 'gauge'
                ? { name: m.name, gauge: { dataPoints: dataPoints(m.points) } }
                : { name: m.name, sum: { aggregationTemporality: m.kind === 'delta' ? 1 : 2, isMonotonic: true, dataPoints: dataPoints(m.points) } },
            ),
          },
        ],
      },
    ],
  };
  const res = await fetch(`${vigil.otlpUrl}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

const minutes = (every = 1) => Array.from({ length: MINUTES / every }, (_, i) => i * every);

/**
 * The data set: a cumulative counter `req` with route=/a every minute (started before the
 * window, restarted in minute 80) and route=/b every 5 minutes; a delta sum `bytes` every minute;
 * gauges `temp` room=a every minute (two points in minute 7 of each hour) and room=b every
 * third minute.
 */
function dataSet(): Metric[] {
  const reqA = minutes().map((m) =>
    m < RESTART
      ? { attributes: { route: '/a' }, start: T0 - 30 * MINUTE, time: at(m, 10), value: 600 + 60 * (m + 1) }
      : { attributes: { route: '/a' }, start: at(RESTART - 1, 40), time: at(m, 10), value: 30 + 60 * (m - RESTART) },
  );
  const reqB = minutes(5).map((m) => ({ attributes: { route: '/b' }, start: T0, time: at(m, 20), value: 300 * (m / 5 + 1) }));
  const bytes = minutes().map((m) => ({ attributes: { route: '/a' }, start: at(m), time: at(m, 30), value: 6 * ((m % 10) + 1) }));
  const tempA = minutes().flatMap((m) => [
    { attributes: { room: 'a' }, time: at(m, 15), value: (m % 7) + 0.5 },
    ...(m % 60 === 7 ? [{ attributes: { room: 'a' }, time: at(m, 45), value: 99 }] : []),
  ]);
  const tempB = minutes(3).map((m) => ({ attributes: { room: 'b' }, time: at(m, 5), value: 100 - m }));
  return [
    { name: 'req', kind: 'cumulative', points: [...reqA, ...reqB] },
    { name: 'bytes', kind: 'delta', points: bytes },
    { name: 'temp', kind: 'gauge', points: [...tempA, ...tempB] },
  ];
}

// ---- hand-computed per-minute values (NaN: none) ----
const perMinute = (f: (m: number) => number) => Array.from({ length: MINUTES }, (_, m) => f(m));
/** req /a: no rate for the first point (its sequence started before the hour), then 60 a minute; 30 at the restart. */
const reqA = perMinute((m) => (m === 0 ? NaN : m === RESTART ? 0.5 : 1));
/**
 * req /b: its whole value at minute 0 (started at T0), then 300 per 5 minutes, in the minute of
 * the point; none at the top of the later hours (an hour's first point has no earlier one in its
 * hour, and the sequence started before it: docs/metrics.md).
 */
const reqB = perMinute((m) => (m % 5 === 0 && (m === 0 || m % 60 !== 0) ? 5 : NaN));
const bytesA = perMinute((m) => (6 * ((m % 10) + 1)) / 60);
const tempA = perMinute((m) => (m % 60 === 7 ? 99 : (m % 7) + 0.5));
const tempB = perMinute((m) => (m % 3 === 0 ? 100 - m : NaN));

const nanAdd = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : a + b);
const nanMax = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));

// ---- queries ----
const whole: Window = { start: T0, end: at(MINUTES), step: MINUTE };
/** Lines keyed by their tags, for comparing two answers. */
const byTags = (lines: Series[]) => new Map(lines.map((l) => [JSON.stringify(Object.entries(l.tags).sort()), Array.from(l.values)]));

const CASES: Array<{ name: string; request: DataRequest; window: Window }> = [
  { name: 'counter :sum', request: request(eq('name', 'req')), window: whole },
  { name: 'counter :by route', request: request(eq('name', 'req'), { groupBy: ['route'] }), window: whole },
  { name: 'counter :count', request: request(eq('name', 'req'), { aggregation: 'count' }), window: whole },
  { name: 'counter cf-avg 5m', request: request(eq('name', 'req')), window: { ...whole, step: 5 * MINUTE } },
  { name: 'counter cf-sum 5m', request: request(eq('name', 'req'), { consolidation: 'sum' }), window: { ...whole, step: 5 * MINUTE } },
  { name: 'counter :min cf-min 5m', request: request(eq('name', 'req'), { aggregation: 'min', consolidation: 'min' }), window: { ...whole, step: 5 * MINUTE } },
  { name: 'counter :max cf-max 5m', request: request(eq('name', 'req'), { aggregation: 'max', consolidation: 'max' }), window: { ...whole, step: 5 * MINUTE } },
  { name: 'counter :all', request: request(eq('name', 'req'), { aggregation: 'all' }), window: whole },
  { name: 'delta :sum', request: request(eq('name', 'bytes')), window: whole },
  { name: 'gauge :max :by room', request: request(eq('name', 'temp'), { aggregation: 'max', groupBy: ['room'] }), window: whole },
  { name: 'gauge :min', request: request(eq('name', 'temp'), { aggregation: 'min' }), window: whole },
  { name: 'gauge :max cf-avg 5m', request: request(eq('name', 'temp'), { aggregation: 'max' }), window: { ...whole, step: 5 * MINUTE } },
  { name: 'two names', request: request({ op: 'in', key: 'name', values: ['req', 'bytes'] }), window: whole },
  { name: ':offset 1h', request: request(eq('name', 'req'), { offsetMs: HOUR }), window: { start: at(60), end: at(MINUTES + 60), step: MINUTE } },
  { name: '30 s step over an hour boundary', request: request(eq('name', 'req')), window: { start: at(55), end: at(65, 30), step: 30_000 } },
  { name: 'window from mid-hour to mid-hour', request: request(eq('name', 'temp'), { aggregation: 'max' }), window: { start: at(17), end: at(143), step: MINUTE } },
  // names matched other than by :eq (the fresh rolls are looked up for them too)
  { name: 'name regex and a tag', request: request(and({ op: 're', key: 'name', value: 're' }, eq('route', '/a'))), window: whole },
  { name: 'not a name', request: request({ op: 'not', query: eq('name', 'temp') }), window: whole },
  // steps of a minute that start within one: step k shows minute start + 1 + k
  { name: '1-minute steps from mid-minute', request: request(eq('name', 'temp'), { aggregation: 'max' }), window: { start: at(17, 30), end: at(130, 30), step: MINUTE } },
];

async function answers(): Promise<Array<Map<string, number[]>>> {
  return Promise.all(CASES.map(async (c) => byTags(await source.fetch(c.request, c.window))));
}

function expectValues(got: readonly number[] | undefined, want: readonly number[], what: string, tolerance = 1e-9): void {
  expect(got, what).toBeDefined();
  expect(got!.length, what).toBe(want.length);
  got!.forEach((g, i) => {
    const w = want[i]!;
    if (Number.isNaN(w)) expect(g, `${what} [${i}]`).toBeNaN();
    else expect(Math.abs(g - w), `${what} [${i}]: ${g} vs ${w}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(w)));
  });
}

function expectSameAnswers(got: Array<Map<string, number[]>>, want: Array<Map<string, number[]>>): void {
  CASES.forEach((c, i) => {
    expect([...got[i]!.keys()].sort(), c.name).toEqual([...want[i]!.keys()].sort());
    for (const [tags, values] of want[i]!) expectValues(got[i]!.get(tags), values, `${c.name} ${tags}`);
  });
}

/** Runs the rollup until it rolls something (ingest times are whole seconds: a point is rolled once its second is over). */
async function rollUp(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const rolled = await rollUpMetricHours(vigil.store.write, 0);
    if (rolled > 0) return rolled;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nothing was rolled up');
}

/** A line's values as an array (by its tags) from one of `answers()`. */
const line = (answer: Map<string, number[]>, tags: Record<string, string>) => answer.get(JSON.stringify(Object.entries(tags).sort()));

describe('metric rollup', () => {
  let before: Array<Map<string, number[]>>;
  beforeAll(async () => {
    await send(dataSet());
    before = await answers();
  });

  it('answers the hand-computed values from the minute maps (nothing rolled yet)', async () => {
    expect(await vigil.rows('SELECT count() AS n FROM vigil_metric_rollup')).toEqual([{ n: '0' }]);
    expectValues(line(before[0]!, { name: 'req' }), perMinute((m) => nanAdd(reqA[m]!, reqB[m]!)), 'req sum');
    expectValues(line(before[8]!, { name: 'bytes' }), bytesA, 'bytes sum');
    expectValues(line(before[9]!, { name: 'temp', room: 'b' }), tempB, 'temp b');
    expectValues(line(before[10]!, { name: 'temp' }), perMinute((m) => (Number.isNaN(tempB[m]!) ? tempA[m]! : Math.min(tempA[m]!, tempB[m]!))), 'temp min');
  });

  it('rolls up the three closed hours of each metric and answers the same from them', async () => {
    // 3 metrics x 3 hours, and the counter's hour after them (its minute 179 is carried into it)
    expect(await rollUp()).toBe(10);
    expect(await rollUpMetricHours(vigil.store.write, 0)).toBe(0); // nothing left to do
    // the rolled rows hold the minute values: req /a in hour 1 (restart at its minute 20)
    const [row] = await vigil.rows<{ Values: number[]; Present: string }>(
      `SELECT Values, toString(Present) AS Present FROM vigil_metric_rollup r
       JOIN vigil_metric_series s USING (SeriesId) WHERE r.MetricName = 'req' AND s.Tags['route'] = '/a' AND r.Hour = toDateTime({h:UInt32})`,
      { h: (T0 + HOUR) / 1000 },
    );
    expectValues(row!.Values, reqA.slice(60, 120), 'rolled req /a hour 1');
    expect(row!.Present).toBe((2n ** 60n - 1n).toString());

    const after = await answers();
    expectSameAnswers(after, before);
    // and the hand-computed values, through the rolled path
    const fiveMinuteAvg = Array.from({ length: MINUTES / 5 }, (_, s) => {
      let sum = 0;
      for (let m = s * 5; m < s * 5 + 5; m++) sum += nanAdd(reqA[m]!, reqB[m]!) || 0;
      return sum / 5;
    });
    expectValues(line(after[3]!, { name: 'req' }), fiveMinuteAvg, 'req cf-avg 5m');
    expectValues(line(after[9]!, { name: 'temp', room: 'a' }), tempA, 'temp a');
    expectValues([...after[12]!.values()][0], perMinute((m) => nanAdd(nanAdd(reqA[m]!, reqB[m]!), bytesA[m]!)), 'two names');
    expectValues(line(after[16]!, { route: '/a' }), reqA, 'name regex and a tag');
    expectValues(line(after[18]!, { name: 'temp' }), perMinute((m) => nanMax(tempA[m]!, tempB[m]!)).slice(18, 131), '1-minute steps from mid-minute');
    expectValues([...after[17]!.values()][0], perMinute((m) => nanAdd(nanAdd(reqA[m]!, reqB[m]!), bytesA[m]!)), 'not a name');
    expectValues(line(after[13]!, { name: 'req' }), perMinute((m) => nanAdd(reqA[m]!, reqB[m]!)), ':offset 1h');
    expectValues(line(after[14]!, { name: 'req' }), [55, 55, 56, 56, 57, 57, 58, 58, 59, 59, 60, 60, 61, 61, 62, 62, 63, 63, 64, 64, 65].map((m) => nanAdd(reqA[m]!, reqB[m]!)), '30 s');
    expectValues(line(after[11]!, { name: 'temp' }), Array.from({ length: MINUTES / 5 }, (_, s) => {
      let sum = 0;
      for (let m = s * 5; m < s * 5 + 5; m++) sum += nanMax(tempA[m]!, tempB[m]!);
      return sum / 5;
    }), 'temp max cf-avg 5m');
  });

  it('reads the latest roll of an hour', async () => {
    // A later roll of bytes' hour 0 with other values (written as the rollup writes them):
    // the query answers them, not the first roll's.
    const version = (BigInt(Date.now()) * 1000n + 999n).toString();
    await vigil.store.write.command({
      query: `INSERT INTO vigil_metric_rollup (MetricName, Hour, SeriesId, Values, Present, Version, IngestTime)
        SELECT MetricName, Hour, SeriesId, arrayMap(i -> 7, range(60)), 1, {v:UInt64}, now()
        FROM vigil_metric_rollup WHERE MetricName = 'bytes' AND Hour = toDateTime({h:UInt32}) LIMIT 1`,
      query_params: { v: version, h: T0 / 1000 },
    });
    await vigil.store.write.command({
      query: `INSERT INTO vigil_metric_rollup_hours SELECT 'bytes', toDateTime({h:UInt32}), {v:UInt64}, max(IngestTime)
        FROM vigil_metric_hour_ingest WHERE MetricName = 'bytes' AND Hour = toDateTime({h:UInt32})`,
      query_params: { v: version, h: T0 / 1000 },
    });
    const [bytes] = await source.fetch(request(eq('name', 'bytes')), { start: T0, end: at(2), step: MINUTE });
    // bit 0 only: minute 0 has the value 7, minute 1 none
    expectValues(Array.from(bytes!.values), [7, NaN], 'bytes from the later roll');
  });

  it('sees late points in a rolled hour at once, and after the hour is rolled again', async () => {
    // A late delta of 60 in minute 90 (hour 1) of bytes /a, and a late gauge point for a new room.
    await send([
      { name: 'bytes', kind: 'delta', points: [{ attributes: { route: '/a' }, start: at(90), time: at(90, 50), value: 60 }] },
      { name: 'temp', kind: 'gauge', points: [{ attributes: { room: 'c' }, time: at(100, 5), value: 1000 }] },
    ]);
    const late = (answer: Array<Map<string, number[]>>) => {
      expectValues(line(answer[8]!, { name: 'bytes' })?.slice(60, 120), bytesA.slice(60, 120).map((v, i) => (i === 30 ? v + 1 : v)), 'bytes with the late delta');
      expectValues(line(answer[9]!, { name: 'temp', room: 'c' }), perMinute((m) => (m === 100 ? 1000 : NaN)), 'new room c');
    };
    const stale = await answers();
    late(stale);
    // hour 0 of bytes still comes from the later roll written above (7 in minute 0), hour 2 from the first
    expect(line(stale[8]!, { name: 'bytes' })![0]).toBe(7);
    expectValues(line(stale[8]!, { name: 'bytes' })!.slice(120), bytesA.slice(120), 'bytes hour 2 (rolled)');

    // only the two stale metric hours are rolled again
    expect(await rollUp()).toBe(2);
    const rolledAgain = await answers();
    late(rolledAgain);
    // the hours that did not change answer as before
    CASES.forEach((c, i) => {
      if (c.request.query.op === 'eq' && c.request.query.value === 'req') expect(rolledAgain[i], c.name).toEqual(stale[i]);
    });
  });
});

describe('the cache of rolled hours', () => {
  // A gauge of its own: its value in minute m is m.
  const NAME = 'cachedgauge';
  const gauge = perMinute((m) => m);
  let cached: ClickHouseSeriesSource;
  let uncached: ClickHouseSeriesSource;
  const values = async (s: ClickHouseSeriesSource, window: Window = whole) => Array.from((await s.fetch(request(eq('name', NAME)), window))[0]?.values ?? []);

  beforeAll(async () => {
    cached = new ClickHouseSeriesSource(vigil.store.read, { hourCacheBytes: 1 << 20 });
    uncached = new ClickHouseSeriesSource(vigil.store.read, { hourCacheBytes: 0 });
    await send([{ name: NAME, kind: 'gauge', points: minutes().map((m) => ({ attributes: { host: 'h1' }, time: at(m, 15), value: m })) }]);
    expect(await rollUp()).toBe(3);
  });

  it('answers rolled hours from memory once read, and never a roll that is no longer fresh', async () => {
    expectValues(await values(cached), gauge, 'first read (fills the cache)');
    expectValues(await values(uncached), gauge, 'without the cache');
    // A window from mid-hour to mid-hour caches the whole of its first and last hours too.
    const midHour = new ClickHouseSeriesSource(vigil.store.read, { hourCacheBytes: 1 << 20 });
    expectValues(await values(midHour, { start: at(30), end: at(150), step: MINUTE }), gauge.slice(30, 150), 'mid-hour to mid-hour (fills)');
    // The rolled rows gone from the store, their rolls still recorded: only the cache has them.
    await vigil.store.write.command({ query: `ALTER TABLE vigil_metric_rollup DELETE WHERE MetricName = '${NAME}'`, clickhouse_settings: { mutations_sync: '2' } });
    expectValues(await values(cached), gauge, 'from the cache');
    expect(await values(uncached), 'the store without the rolled rows: no line').toEqual([]);
    // Hours partly in the window come from the cache too, only the window's minutes of them.
    expectValues(await values(cached, { start: at(30), end: at(150), step: MINUTE }), gauge.slice(30, 150), 'mid-hour to mid-hour');
    expectValues(await values(midHour), gauge, 'the whole window from the hours a mid-hour window read');
    // A late point makes hour 1's roll stale: that hour is computed from the minute maps, at once.
    await send([{ name: NAME, kind: 'gauge', points: [{ attributes: { host: 'h2' }, time: at(90, 15), value: 1000 }] }]);
    const [h1, h2] = ['h1', 'h2'].map((host) => request(and(eq('name', NAME), eq('host', host))));
    expectValues(Array.from((await cached.fetch(h2!, whole))[0]!.values), perMinute((m) => (m === 90 ? 1000 : NaN)), 'the late point');
    expectValues(Array.from((await cached.fetch(h1!, whole))[0]!.values), perMinute((m) => (m >= 60 && m < 120 ? m : NaN)), 'h1: hour 1 computed, hours 0 and 2 deleted');
    expectValues(await values(cached), perMinute((m) => (m === 90 ? m + 1000 : m)), 'the cached hours (h1) with the computed one (h1 + h2)');
  });
});

describe('rows on the fast and the slow branch', () => {
  /** A closed hour the rollup never runs on after this point: always computed. */
  const H = T0 - 24 * HOUR;
  const atH = (minute: number, second = 0) => H + minute * MINUTE + second * 1000;
  const counter = (minute: number, value: number, start = H - 30 * MINUTE): Point => ({ attributes: { route: '/x' }, start, time: atH(minute, 10), value });

  it('reads one-point-per-minute rows with the fast branch, then a gap and a restart that arrive later', async () => {
    // A source of its own: no hint from earlier reads.
    const fresh = new ClickHouseSeriesSource(vigil.store.read);
    const fetchOne = async (s: ClickHouseSeriesSource, minutes: number) =>
      Array.from((await s.fetch(request(eq('name', 'fastslow')), { start: H, end: atH(minutes), step: MINUTE }))[0]?.values ?? []);
    // minutes 0..9, 60 a minute (the sequence started before the hour: no rate in minute 0)
    await send([{ name: 'fastslow', kind: 'cumulative', points: Array.from({ length: 10 }, (_, m) => counter(m, 60 * (m + 1))) }]);
    const steady = [NaN, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    expectValues(await fetchOne(fresh, 10), steady, 'fast rows');
    // Late: nothing in minutes 10 and 11, a restart (new start time) to 30 in minute 12; the
    // row now needs the slow branch, which the next read must take.
    await send([{ name: 'fastslow', kind: 'cumulative', points: [counter(12, 30, atH(11, 30))] }]);
    const restarted = [...steady, NaN, NaN, 0.5];
    expectValues(await fetchOne(fresh, 13), restarted, 'after the restart');
    expectValues(await fetchOne(fresh, 13), restarted, 'again (the source now reads this hour with both branches at once)');
    expectValues(await fetchOne(new ClickHouseSeriesSource(vigil.store.read), 13), restarted, 'through another source');
  });
});

describe('nameQuery (pure)', () => {
  const name = (value: string) => eq('name', value);
  it('keeps the comparisons of the name and makes every other one true', () => {
    const TRUE = { op: 'true' } as const;
    expect(nameQuery(and(name('a'), eq('app', 'x')))).toEqual(and(name('a'), TRUE));
    expect(nameQuery({ op: 'or', left: name('a'), right: { op: 're', key: 'name', value: 'b.*' } })).toEqual({ op: 'or', left: name('a'), right: { op: 're', key: 'name', value: 'b.*' } });
    expect(nameQuery({ op: 'or', left: name('a'), right: eq('app', 'x') })).toEqual({ op: 'or', left: name('a'), right: TRUE });
    expect(nameQuery({ op: 'in', key: 'name', values: ['a', 'b'] })).toEqual({ op: 'in', key: 'name', values: ['a', 'b'] });
    // a negation is kept only over name comparisons: NOT of a tag comparison may hold for any name
    expect(nameQuery({ op: 'not', query: name('a') })).toEqual({ op: 'not', query: name('a') });
    expect(nameQuery({ op: 'not', query: and(name('a'), eq('app', 'x')) })).toEqual(TRUE);
    expect(nameQuery({ op: 'has', key: 'name' })).toEqual(TRUE);
    expect(nameQuery({ op: 'has', key: 'app' })).toEqual(TRUE);
    expect(nameQuery({ op: 'false' })).toEqual({ op: 'false' });
  });
});

describe('splitHours (pure)', () => {
  const H = 3600;
  const roll = (name: string, hour: number, version = '1') => ({ name, hour, version });
  it('reads an hour from the rollup only when every metric of the request has a fresh roll of it', () => {
    // 10:30 .. 13:15 touches the hours 10, 11, 12 and 13 (unix seconds of 10:00 = 36000)
    const w = { start: 10.5 * HOUR, end: 13.25 * HOUR, step: MINUTE };
    const rolls = [roll('a', 10 * H), roll('b', 10 * H), roll('a', 11 * H), roll('a', 12 * H, '7'), roll('b', 12 * H, '8')];
    expect(splitHours(['a', 'b'], rolls, w)).toEqual({
      computed: [11 * H, 13 * H], // b has no roll of 11; 13 is not rolled (open)
      rolled: [roll('a', 10 * H), roll('b', 10 * H), roll('a', 12 * H, '7'), roll('b', 12 * H, '8')],
    });
    expect(splitHours(['a'], rolls, w)).toEqual({ computed: [13 * H], rolled: [roll('a', 10 * H), roll('a', 11 * H), roll('a', 12 * H, '7')] });
    expect(splitHours(['a'], [], { start: 10 * HOUR, end: 10 * HOUR + MINUTE, step: MINUTE })).toEqual({ computed: [10 * H], rolled: [] });
  });
});
