// Math vocabulary against hand-made series. CPU (test/helpers/asl-run.ts):
//   a (www) [1, 2, 3, NaN]   b (www) [3, NaN, 5, 7]   c (api) [10, 20, 30, 40]
//   sum [14, 22, 38, 47]; by app: api [10, 20, 30, 40], www [4, 2, 8, 7]
import { describe, expect, it } from 'vitest';
import { MemorySource, T0, type HandSeries, windowOf } from './helpers/asl-memory-source.ts';
import { evaluate } from '../query/asl/evaluator.ts';
import { expectValues, failure, run, single, valuesOf } from './helpers/asl-run.ts';

const XY: HandSeries[] = [
  { tags: { name: 'x' }, values: [1, 2, NaN, 4] },
  { tags: { name: 'y' }, values: [3, NaN, NaN, 0] },
];
const X = 'name,x,:eq,:sum';
const Y = 'name,y,:eq,:sum';

describe('ASL math: generated lines', () => {
  it(':const (and a bare number) is a constant line named by its value', async () => {
    const line = await single('5,:const');
    expect(line.label).toBe('5.0');
    expect(line.tags).toEqual({ name: '5.0' });
    expectValues(line.values, [5, 5, 5, 5]);
    expectValues(await valuesOf('2.5'), [2.5, 2.5, 2.5, 2.5]);
  });

  it(':pi', async () => {
    expectValues(await valuesOf(':pi'), [3.141592653589793, 3.141592653589793, 3.141592653589793, 3.141592653589793]);
  });

  it(':random and :srandom are deterministic per timestamp, in [0, 1), and differ by seed', async () => {
    const a = await valuesOf(':random');
    expect([...a]).toEqual([...(await valuesOf(':random'))]);
    for (const v of a) expect(v >= 0 && v < 1).toBe(true);
    const s1 = await single('1,:srandom');
    const s2 = await valuesOf('2,:srandom');
    expect(s1.label).toBe('seeded-random(1)');
    expect([...s1.values]).not.toEqual([...s2]);
  });

  it(':time gives a calendar field of each step (UTC); T0 is 2023-11-14T22:00Z, a Tuesday', async () => {
    expect(new Date(T0).toISOString()).toBe('2023-11-14T22:00:00.000Z');
    expectValues(await valuesOf('hourOfDay,:time'), [22, 22, 22, 22]);
    expectValues(await valuesOf('minuteOfHour,:time'), [0, 1, 2, 3]);
    expectValues(await valuesOf('dayOfWeek,:time'), [2, 2, 2, 2]);
    expectValues(await valuesOf('minutes,:time'), [28333320, 28333321, 28333322, 28333323]);
  });

  it(':time-span is 1 inside [s, e] (both included), 0 outside', async () => {
    expectValues(await valuesOf('gs+1m,gs+2m,:time-span'), [0, 1, 1, 0]);
    // e = ge = T0 + 4m, s = e - 1m = T0 + 3m
    const line = await single('e-1m,ge,:time-span');
    expect(line.label).toBe('e-1m to ge');
    expectValues(line.values, [0, 0, 0, 1]);
  });
});

describe('ASL math: per-value functions', () => {
  it(':clamp-min and :clamp-max', async () => {
    const line = await single('name,cpu,:eq,:sum,20,:clamp-min');
    expect(line.label).toBe('clamp-min(sum(name=cpu), 20.0)');
    expectValues(line.values, [20, 22, 38, 47]);
    expectValues(await valuesOf('name,cpu,:eq,:sum,30,:clamp-max'), [14, 22, 30, 30]);
  });

  it(':neg and :abs', async () => {
    const line = await single('name,cpu,:eq,:sum,:neg');
    expect(line.label).toBe('neg(sum(name=cpu))');
    expectValues(line.values, [-14, -22, -38, -47]);
    expectValues(await valuesOf('name,cpu,:eq,:sum,:neg,:abs'), [14, 22, 38, 47]);
  });

  it(':sin and :sqrt', async () => {
    expectValues(await valuesOf(':pi,2,:div,:sin'), [1, 1, 1, 1]);
    expectValues(await valuesOf('16,:sqrt'), [4, 4, 4, 4]);
  });

  it(':per-step turns a rate per second into events per step (60 s)', async () => {
    expectValues(await valuesOf('name,cpu,:eq,:sum,:per-step'), [840, 1320, 2280, 2820]);
  });

  it(':cos :tan :cot :sec :csc macros', async () => {
    expectValues(await valuesOf('0,:cos'), [1, 1, 1, 1]);
    expectValues(await valuesOf('0,:tan'), [0, 0, 0, 0]);
    expectValues(await valuesOf(':pi,4,:div,:cot'), [1, 1, 1, 1]);
    expectValues(await valuesOf('0,:sec'), [1, 1, 1, 1]);
    expectValues(await valuesOf(':pi,2,:div,:csc'), [1, 1, 1, 1]);
  });
});

describe('ASL math: binary operations (x = [1, 2, NaN, 4], y = [3, NaN, NaN, 0])', () => {
  it.each([
    [':add', [4, 2, NaN, 4]],
    [':sub', [-2, 2, NaN, 4]],
    [':fadd', [4, NaN, NaN, 4]],
    [':fsub', [-2, NaN, NaN, 4]],
    [':mul', [3, NaN, NaN, 0]],
    [':fmul', [3, NaN, NaN, 0]],
    // x/0 is NaN for :div, Infinity for :fdiv
    [':div', [1 / 3, NaN, NaN, NaN]],
    [':fdiv', [1 / 3, NaN, NaN, Infinity]],
    [':pow', [1, NaN, NaN, 1]],
    [':gt', [0, 0, 0, 1]],
    [':ge', [0, 0, 0, 1]],
    [':lt', [1, 0, 0, 0]],
    [':le', [1, 0, 0, 0]],
    [':and', [1, 0, 0, 0]],
    [':or', [1, 1, 0, 1]],
  ])('x,y,%s', async (word, expected) => {
    expectValues(await valuesOf(`${X},${Y},${word}`, XY), expected);
  });

  it('labels follow Atlas formats', async () => {
    expect((await single(`${X},${Y},:add`, XY)).label).toBe('(sum(name=x) + sum(name=y))');
    expect((await single(`${X},${Y},:pow`, XY)).label).toBe('pow(sum(name=x), sum(name=y))');
    expect((await single(`${X},${Y},:and`, XY)).label).toBe('(sum(name=x) AND sum(name=y))');
    // Labels are inserted literally ($& and %2 in a label are not patterns).
    expect((await single('name,x$&%2,:eq,:sum,1,:add', [])).label).toBe('(NO DATA + 1.0)');
    expect((await single('name,x$&%2,:eq,:all,:sum,1,:add', [{ tags: { name: 'x$&%2' }, values: [1, 1, 1, 1] }])).label).toBe(
      '(sum(name=x$&%2) + 1.0)',
    );
  });

  it('0/0 is 0 for :div, NaN for :fdiv; x,2,:pow squares', async () => {
    expectValues(await valuesOf('0,0,:div'), [0, 0, 0, 0]);
    expectValues(await valuesOf('0,0,:fdiv'), [NaN, NaN, NaN, NaN]);
    expectValues(await valuesOf(`${X},2,:pow`, XY), [1, 4, NaN, 16]);
  });

  it('grouped lines join on their group keys', async () => {
    const lines = await run('name,cpu,:eq,:sum,(,app,),:by,name,cpu,:eq,:max,(,app,),:by,:sub');
    expect(lines.map((l) => l.tags.app)).toEqual(['api', 'www']);
    expectValues(lines[0]!.values, [0, 0, 0, 0]);
    expectValues(lines[1]!.values, [1, 0, 3, 0]);
  });

  it('a single line broadcasts to every grouped line', async () => {
    const lines = await run('name,cpu,:eq,(,app,),:by,name,cpu,:eq,:sum,:div');
    expect(lines.map((l) => l.label)).toEqual(['((app=api) / sum(name=cpu))', '((app=www) / sum(name=cpu))']);
    expect(lines[0]!.tags).toEqual({ name: 'cpu', app: 'api' });
    expectValues(lines[0]!.values, [10 / 14, 20 / 22, 30 / 38, 40 / 47]);
    expectValues(lines[1]!.values, [4 / 14, 2 / 22, 8 / 38, 7 / 47]);
  });

  it('a grouping that is a subset of the other joins on the common keys', async () => {
    const lines = await run('name,cpu,:eq,:sum,(,app,node,),:by,name,cpu,:eq,:sum,(,app,),:by,:div');
    expect(lines.map((l) => l.tags.node)).toEqual(['c', 'a', 'b']);
    expectValues(lines[0]!.values, [1, 1, 1, 1]);
    expectValues(lines[1]!.values, [1 / 4, 1, 3 / 8, NaN]);
    expectValues(lines[2]!.values, [3 / 4, NaN, 5 / 8, 1]);
  });

  it('incompatible groupings are a 400 naming the word', async () => {
    const e = await failure('name,cpu,:eq,(,app,),:by,name,cpu,:eq,(,node,),:by,:add');
    expect(e.code).toBe('VIGIL_ERR_ASL_BAD_ARGUMENT');
    expect(e.message).toContain(':add at position 51');
    expect(e.message).toContain('subset');
  });
});

describe('ASL math: aggregates over lines', () => {
  it(':sum :count :min :max of grouped lines', async () => {
    const max = await single('name,cpu,:eq,:sum,(,app,),:by,:max');
    expect(max.label).toBe('max(name=cpu)');
    expect(max.tags).toEqual({ name: 'cpu' });
    expectValues(max.values, [10, 20, 30, 40]);
    expectValues(await valuesOf('name,cpu,:eq,:sum,(,app,),:by,:min'), [4, 2, 8, 7]);
    expectValues(await valuesOf('name,cpu,:eq,:sum,(,app,),:by,:sum'), [14, 22, 38, 47]);
    expectValues(await valuesOf('name,cpu,:eq,:sum,(,app,),:by,:count'), [2, 2, 2, 2]);
    expectValues(await valuesOf('name,cpu,:eq,:all,:count'), [3, 2, 3, 2]);
  });

  it('math :by regroups grouped lines on a subset of their keys', async () => {
    const lines = await run('name,cpu,:eq,:max,(,app,node,),:by,:sum,(,app,),:by');
    expect(lines.map((l) => l.label)).toEqual(['(app=api)', '(app=www)']);
    expect(lines[1]!.tags).toEqual({ name: 'cpu', app: 'www' });
    expectValues(lines[1]!.values, [4, 2, 8, 7]);
  });

  it(':as renames a tag key', async () => {
    const lines = await run('name,cpu,:eq,:sum,(,app,),:by,app,application,:as');
    expect(lines[0]!.tags).toEqual({ name: 'cpu', application: 'api' });
  });

  it(':avg of a query is sum / count; :by after it groups both', async () => {
    expectValues(await valuesOf('name,cpu,:eq,:avg'), [14 / 3, 11, 38 / 3, 23.5]);
    const lines = await run('name,cpu,:eq,:avg,(,app,),:by');
    expectValues(lines[0]!.values, [10, 20, 30, 40]);
    expectValues(lines[1]!.values, [2, 2, 4, 7]);
  });

  it(':avg of lines', async () => {
    expectValues(await valuesOf('name,cpu,:eq,:all,:avg'), [14 / 3, 11, 38 / 3, 23.5]);
  });

  it(':avg and :stddev of grouped lines, then :by, aggregate per group', async () => {
    // Per node max: a [1, 2, 3, NaN], b [3, NaN, 5, 7] (www); c [10, 20, 30, 40] (api).
    const avg = await run('name,cpu,:eq,:max,(,app,node,),:by,:avg,(,app,),:by');
    expect(avg.map((l) => l.tags.app)).toEqual(['api', 'www']);
    expectValues(avg[0]!.values, [10, 20, 30, 40]);
    expectValues(avg[1]!.values, [2, 2, 4, 7]);
    const sd = await run('name,cpu,:eq,:max,(,app,node,),:by,:stddev,(,app,),:by');
    expectValues(sd[0]!.values, [0, 0, 0, 0]);
    expectValues(sd[1]!.values, [1, 0, 1, 0]);
  });

  it(':stddev of lines (population): by hand per step', async () => {
    // step 0: 1, 3, 10 -> (3*110 - 14^2)/9; step 1: 2, 20 -> 9; step 2: 3, 5, 30 -> (3*934 - 38^2)/9; step 3: 7, 40 -> 16.5
    expectValues(await valuesOf('name,cpu,:eq,:all,:stddev'), [Math.sqrt(134 / 9), 9, Math.sqrt(1358 / 9), 16.5]);
    expectValues(await valuesOf('name,cpu,:eq,:stddev'), [0, 0, 0, 0]);
  });

  it(':pct is each line as a percentage of the total', async () => {
    const lines = await run('name,cpu,:eq,(,app,),:by,:pct');
    expectValues(lines[0]!.values, [(10 / 14) * 100, (20 / 22) * 100, (30 / 38) * 100, (40 / 47) * 100]);
    expectValues(lines[1]!.values, [(4 / 14) * 100, (2 / 22) * 100, (8 / 38) * 100, (7 / 47) * 100]);
  });
});

describe('ASL math: percentiles and distributions', () => {
  const PCT: HandSeries[] = [
    { tags: { name: 'latency', app: 'www', percentile: 'p50' }, values: [1, 1, 1, 1] },
    { tags: { name: 'latency', app: 'www', percentile: 'p90' }, values: [5, 5, 5, 5] },
    { tags: { name: 'latency', app: 'api', percentile: 'p50' }, values: [2, 2, 2, 2] },
    { tags: { name: 'latency', app: 'api', percentile: 'p90' }, values: [8, 8, 8, 8] },
    { tags: { name: 'lat2', percentile: 'p99.9' }, values: [7, 7, 7, 7] },
    { tags: { name: 'lat2', percentile: 'p50' }, values: [3, 3, 3, 3] },
  ];

  it(':percentiles per group, asked from the store in one request', async () => {
    const source = new MemorySource([], PCT);
    const { lines } = await evaluate('name,latency,:eq,(,app,),:by,(,90,50,),:percentiles', windowOf(4), source);
    expect(source.percentileRequests).toEqual([{ query: { op: 'eq', key: 'name', value: 'latency' }, groupBy: ['app'], percentiles: [50, 90], offsetMs: 0 }]);
    expect(lines.map((l) => l.label)).toEqual([
      'percentile((app=api),  50.0)',
      'percentile((app=api),  90.0)',
      'percentile((app=www),  50.0)',
      'percentile((app=www),  90.0)',
    ]);
    expectValues(lines[1]!.values, [8, 8, 8, 8]);
  });

  it(':percentiles of a query; :median is the 50th', async () => {
    const lines = await run('name,lat2,:eq,(,99.9,),:percentiles', [], windowOf(4), PCT);
    expect(lines.map((l) => l.label)).toEqual(['percentile(name=lat2,  99.9)']);
    expectValues(lines[0]!.values, [7, 7, 7, 7]);
    const median = await run('name,lat2,:eq,:median', [], windowOf(4), PCT);
    expect(median.map((l) => l.tags.percentile)).toEqual(['p50']);
    expectValues(median[0]!.values, [3, 3, 3, 3]);
  });

  it('a percentile outside 0..100 is a 400', async () => {
    const e = await failure('name,lat2,:eq,(,101,),:percentiles');
    expect(e.message).toContain('invalid argument for :percentiles at position 22: percentile "101"');
  });

  const TIMER: HandSeries[] = [
    { tags: { name: 'req', app: 'www', statistic: 'totalTime' }, values: [10, 20, 30, 40] },
    { tags: { name: 'req', app: 'www', statistic: 'count' }, values: [2, 4, 5, 8] },
    { tags: { name: 'req', app: 'www', statistic: 'max' }, values: [7, 9, 10, 12] },
    { tags: { name: 'req', app: 'www', statistic: 'totalOfSquares' }, values: [60, 110, 200, 250] },
  ];

  it(':dist-avg is total / count', async () => {
    expectValues(await valuesOf('name,req,:eq,:dist-avg', TIMER), [5, 5, 6, 5]);
  });

  it(':dist-avg then :by groups every part', async () => {
    const both = [
      ...TIMER,
      { tags: { name: 'req', app: 'api', statistic: 'totalAmount' }, values: [6, 6, 6, 6] },
      { tags: { name: 'req', app: 'api', statistic: 'count' }, values: [3, 3, 3, 3] },
    ];
    const lines = await run('name,req,:eq,:dist-avg,(,app,),:by', both);
    expect(lines.map((l) => l.tags.app)).toEqual(['api', 'www']);
    expectValues(lines[0]!.values, [2, 2, 2, 2]);
    expectValues(lines[1]!.values, [5, 5, 6, 5]);
  });

  it(':dist-max is the max of statistic=max', async () => {
    expectValues(await valuesOf('name,req,:eq,:dist-max', TIMER), [7, 9, 10, 12]);
  });

  it(':dist-stddev is sqrt((N * sum(x^2) - sum(x)^2) / N^2)', async () => {
    // (2*60-100)/4 = 5; (4*110-400)/16 = 2.5; (5*200-900)/25 = 4; (8*250-1600)/64 = 6.25
    expectValues(await valuesOf('name,req,:eq,:dist-stddev', TIMER), [Math.sqrt(5), Math.sqrt(2.5), 2, 2.5]);
  });
});
