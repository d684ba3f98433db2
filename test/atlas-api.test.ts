// The Atlas HTTP API: output formats, publish validation and fetch messages (pure, expected
// bodies written by hand), then end to end against a started Vigil: metrics sent by the real
// OpenTelemetry SDK (its clock pinned so every point lands in a known minute) and by
// /api/v1/publish, read back through /api/v1/graph, /api/v2/fetch and /api/v1/tags.
import { gzipSync } from 'node:zlib';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerFetch } from '../query/metrics/fetch.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';
import type { GraphResult, StyledLine, Window } from '../query/asl/types.ts';
import { sseEvent, timeseriesMessages } from '../query/metrics/fetch.ts';
import { parseFormat, renderGraph } from '../query/metrics/formats.ts';
import { PUBLISH_SCOPE, checkPublish, publishAnswer, tagFailure } from '../query/metrics/publish.ts';
import { parseTagsQuery } from '../query/metrics/request.ts';
import { VigilError } from '../schemas/errors.ts';

const MIN = 60_000;

function errorOf(f: () => unknown): VigilError {
  try {
    f();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

function line(tags: Record<string, string>, label: string, values: number[], extra: Partial<StyledLine> = {}): StyledLine {
  return {
    tags,
    label,
    values: Float64Array.from(values),
    expression: 'name,cpu,:eq,:sum',
    groupByKeys: [],
    style: { lineStyle: 'line', lineWidth: 1, axis: 0 },
    ...extra,
  };
}

describe('graph formats', () => {
  const start = Date.UTC(2026, 0, 2, 3, 0);
  const window: Window = { start, end: start + 3 * MIN, step: MIN };
  const result: GraphResult = {
    lines: [
      line({ name: 'cpu', app: 'www' }, 'www', [1, NaN, 2.5]),
      line({ z: '1', name: 'cpu' }, 'a "quoted" one', [Infinity, 0.25, -1], { style: { lineStyle: 'stack', color: '1f77b4', alpha: 64, lineWidth: 2, axis: 1 } }),
    ],
    notices: ['n1'],
  };
  const head = `"legend":["www","a \\"quoted\\" one"],"metrics":[{"app":"www","name":"cpu"},{"name":"cpu","z":"1"}]`;
  const styles = '"styles":[{"lineStyle":"line","lineWidth":1,"axis":0},{"lineStyle":"stack","color":"1f77b4","alpha":64,"lineWidth":2,"axis":1}]';

  it('json: one row per step, a column per line, NaN and Infinity bare, the style words per line', () => {
    expect(renderGraph('json', result, window, 'UTC')).toEqual({
      contentType: 'application/json',
      body: `{"start":${start},"step":60000,${head},"values":[[1,Infinity],[NaN,0.25],[2.5,-1]],"notices":["n1"],${styles}}`,
    });
  });

  it('std.json: the same with "NaN" and "Infinity" as strings (plain JSON)', () => {
    const { body } = renderGraph('std.json', result, window, 'UTC');
    expect(body).toBe(`{"start":${start},"step":60000,${head},"values":[[1,"Infinity"],["NaN",0.25],[2.5,-1]],"notices":["n1"],${styles}}`);
    expect(JSON.parse(body).values).toEqual([[1, 'Infinity'], ['NaN', 0.25], [2.5, -1]]);
  });

  it('json and std.json without infinities: NaN, a missing step, -0 and long fractions the same way', () => {
    const finite: GraphResult = {
      lines: [
        line({ name: 'a' }, 'a', [1 / 3, NaN, -0]),
        line({ name: 'b' }, 'b', [1e21, 2.5e-7]),
      ],
      notices: [],
    };
    const values = (format: 'json' | 'std.json') => renderGraph(format, finite, window, 'UTC').body.replace(/.*"values":(.*),"notices".*/, '$1');
    expect(values('json')).toBe('[[0.3333333333333333,1e+21],[NaN,2.5e-7],[0,NaN]]');
    expect(values('std.json')).toBe('[[0.3333333333333333,1e+21],["NaN",2.5e-7],[0,"NaN"]]');
  });

  it('stats.json: end and count/avg/total/max/min/last per line over the non-NaN values', () => {
    // www: 1 and 2.5 -> count 2, total 3.5, avg 1.75; the other: Infinity, 0.25, -1.
    expect(renderGraph('stats.json', result, window, 'UTC').body).toBe(
      `{"start":${start},"end":${start + 3 * MIN},"step":60000,${head},"stats":[` +
        '{"count":2,"avg":1.75,"total":3.5,"max":2.5,"min":1,"last":2.5},' +
        '{"count":3,"avg":Infinity,"total":Infinity,"max":Infinity,"min":-1,"last":-1}],"notices":["n1"]}',
    );
  });

  it('csv and txt: quoted header, ISO timestamps in the time zone', () => {
    expect(renderGraph('csv', result, window, 'UTC')).toEqual({
      contentType: 'text/csv; charset=utf-8',
      body:
        '"timestamp","www","a ""quoted"" one"\n' +
        '2026-01-02T03:00:00Z,1,Infinity\n' +
        '2026-01-02T03:01:00Z,NaN,0.25\n' +
        '2026-01-02T03:02:00Z,2.5,-1\n',
    });
    expect(renderGraph('txt', result, window, 'Europe/Paris')).toEqual({
      contentType: 'text/plain; charset=utf-8',
      body:
        '"timestamp"\t"www"\t"a ""quoted"" one"\n' +
        '2026-01-02T04:00:00+01:00\t1\tInfinity\n' +
        '2026-01-02T04:01:00+01:00\tNaN\t0.25\n' +
        '2026-01-02T04:02:00+01:00\t2.5\t-1\n',
    });
  });

  it('an empty result still has every row', () => {
    expect(renderGraph('json', { lines: [], notices: [] }, window, 'UTC').body).toBe(
      `{"start":${start},"step":60000,"legend":[],"metrics":[],"values":[[],[],[]],"notices":[],"styles":[]}`,
    );
  });

  it('format defaults to json; png and unknown formats are 400s that say what to use', () => {
    expect(parseFormat(undefined)).toBe('json');
    expect(parseFormat('stats.json')).toBe('stats.json');
    const png = errorOf(() => parseFormat('png'));
    expect([png.code, png.status]).toEqual(['VIGIL_ERR_BAD_FORMAT', 400]);
    expect(png.message).toContain('use the UI');
    expect(errorOf(() => parseFormat('xml')).message).toBe('format "xml" is not served: use json, std.json, stats.json, csv, txt');
  });
});

describe('publish validation', () => {
  const NOW = Date.UTC(2026, 0, 2, 3, 0);
  const point = (tags: Record<string, string>, timestamp = NOW - 1000, value: unknown = 1.5) => ({ tags, timestamp, value });
  const failureOf = (tags: Record<string, string>) => tagFailure(tags);
  const many = (n: number, prefix = 'k') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${String(i).padStart(2, '0')}`, 'v']));

  it('stores a valid datapoint as a gauge row: name -> MetricName, service.name -> ServiceName and resource', () => {
    const check = checkPublish({ tags: { app: 'www', 'atlas.dstype': 'gauge' }, metrics: [point({ name: 'cpu', 'service.name': 'checkout', app: 'api' })] }, NOW);
    expect(check).toEqual({
      rows: [
        {
          ServiceName: 'checkout',
          MetricName: 'cpu',
          Attributes: { app: 'api', 'atlas.dstype': 'gauge' },
          ResourceAttributes: { 'service.name': 'checkout' },
          ScopeName: PUBLISH_SCOPE,
          StartTimeUnix: 0,
          TimeUnix: `${NOW - 1000}000000`,
          Value: 1.5,
        },
      ],
      failures: [],
    });
  });

  it.each([
    ['name is required', { app: 'www' }, "missing key 'name'"],
    ['keys have at least 2 characters', { name: 'cpu', a: 'x' }, 'key too short: "a" (1 < 2)'],
    ['keys have at most 60 characters', { name: 'cpu', ['k'.repeat(61)]: 'x' }, `key too long: "${'k'.repeat(61)}" (61 > 60)`],
    ['name values have at least 2 characters', { name: 'c' }, 'value too short: name = "c" (1 < 2)'],
    ['name values have at most 255 characters', { name: 'n'.repeat(256) }, 'value too long: name = '],
    ['other values have at least 1 character', { name: 'cpu', app: '' }, 'value too short: app = "" (0 < 1)'],
    ['other values have at most 120 characters', { name: 'cpu', app: 'a'.repeat(121) }, '(121 > 120)'],
    ['keys use -._A-Za-z0-9^~ only', { name: 'cpu', 'my key': 'x' }, 'invalid characters in key "my key"'],
    ['values use -._A-Za-z0-9^~ only', { name: 'cpu', path: '/a/b' }, 'invalid characters in value: path = "/a/b"'],
    ['the atlas. prefix is reserved', { name: 'cpu', 'atlas.mine': 'x' }, "invalid key for reserved prefix 'atlas.': atlas.mine"],
    ['at most 20 user tags, name included', { name: 'cpu', ...many(20) }, 'too many user tags: 21 > 20'],
  ])('%s', (_rule, tags, reason) => {
    expect(failureOf(tags)).toContain(reason);
  });

  it.each([
    ['a 255-character name', { name: 'n'.repeat(255) }],
    ['a 120-character value and a 60-character key', { name: 'cpu', ['k'.repeat(60)]: 'a'.repeat(120) }],
    ['20 user tags and reserved ones', { name: 'cpu', ...many(19), 'nf.app': 'www', 'atlas.dstype': 'rate' }],
    ['every allowed character', { name: 'a-._^~Z9', 'x.y': 'A-Za-z0-9._^~' }],
  ])('accepts %s', (_what, tags) => {
    expect(failureOf(tags)).toBeUndefined();
  });

  it('refuses datapoints more than one step (60 s) old or ahead, and bad timestamps or values', () => {
    const check = checkPublish(
      {
        metrics: [
          point({ name: 'ok' }, NOW - 60_000),
          point({ name: 'old' }, NOW - 60_001),
          point({ name: 'ahead' }, NOW + 60_001),
          point({ name: 'when' }, 'soon' as unknown as number),
          point({ name: 'what' }, NOW, '12'),
          'not a point',
          { tags: { name: 3 }, timestamp: NOW, value: 1 },
        ],
      },
      NOW,
    );
    expect(check.rows.map((r) => r.MetricName)).toEqual(['ok']);
    expect(check.failures).toEqual([
      `data is too old: now = ${NOW}, timestamp = ${NOW - 60_001}, 60001 > 60000 (tags={"name":"old"})`,
      `data is from the future: now = ${NOW}, timestamp = ${NOW + 60_001} (tags={"name":"ahead"})`,
      'timestamp must be unix milliseconds (tags={"name":"when"})',
      'value must be a number (tags={"name":"what"})',
      'metrics[5] is not an object',
      'metrics[6].tags.name is not a string (tags={})',
    ]);
  });

  it.each([
    ['not an object', null, 'the body must be a JSON object'],
    ['an array', [], 'the body must be a JSON object'],
    ['without metrics', { tags: {} }, 'metrics must be an array'],
    ['with no datapoints', { metrics: [] }, 'empty payload'],
    ['with common tags that are not strings', { tags: { app: 1 }, metrics: [] }, 'tags.app is not a string'],
  ])('a payload %s is a 400', (_what, body, detail) => {
    const error = errorOf(() => checkPublish(body, NOW));
    expect([error.code, error.status]).toEqual(['VIGIL_ERR_BAD_PUBLISH', 400]);
    expect(error.message).toContain(detail);
  });

  it('answers 200 when all are valid, 202 with the first 5 reasons when some are, 400 when none is', () => {
    const good = point({ name: 'cpu' });
    const bad = (i: number) => point({ name: `x${i}`, 'atlas.no': 'x' });
    expect(publishAnswer(checkPublish({ metrics: [good, good] }, NOW))).toEqual({ status: 200 });
    const partial = publishAnswer(checkPublish({ metrics: [good, ...Array.from({ length: 7 }, (_, i) => bad(i))] }, NOW));
    expect(partial).toEqual({
      status: 202,
      body: {
        type: 'partial',
        errorCount: 7,
        message: [0, 1, 2, 3, 4].map((i) => `invalid key for reserved prefix 'atlas.': atlas.no (tags={"name":"x${i}","atlas.no":"x"})`),
      },
    });
    const none = errorOf(() => publishAnswer(checkPublish({ metrics: [bad(0), bad(1)] }, NOW)));
    expect(none.status).toBe(400);
    expect(none.message).toBe(
      "publish payload rejected: all 2 datapoints are invalid; first 2: invalid key for reserved prefix 'atlas.': atlas.no (tags={\"name\":\"x0\",\"atlas.no\":\"x\"}); " +
        "invalid key for reserved prefix 'atlas.': atlas.no (tags={\"name\":\"x1\",\"atlas.no\":\"x\"})",
    );
  });
});

describe('fetch messages', () => {
  const start = Date.UTC(2026, 0, 2, 0, 0);
  const window: Window = { start, end: start + 130 * MIN, step: MIN };
  // Steps 0-59 and 60-119 have data; 120-129 are NaN, so that chunk is skipped.
  const values = Array.from({ length: 130 }, (_, i) => (i < 120 ? i : NaN));
  values[5] = NaN;
  const grouped = line({ name: 'cpu', app: 'www' }, 'www', values, { groupByKeys: ['app'], expression: 'name,cpu,:eq,:sum,(,app,),:by' });
  const single = line({ name: 'cpu' }, 'cpu', Array.from({ length: 130 }, () => 1));

  it('cuts each line into 60-step chunks with Atlas v2 fields, NaN as "NaN", skipping empty chunks', () => {
    const messages = timeseriesMessages({ lines: [grouped, single], notices: [] }, window) as Array<Record<string, any>>;
    expect(messages.map((m) => [m.label, m.start, m.end])).toEqual([
      ['www', start, start + 60 * MIN],
      ['www', start + 60 * MIN, start + 120 * MIN],
      ['cpu', start, start + 60 * MIN],
      ['cpu', start + 60 * MIN, start + 120 * MIN],
      ['cpu', start + 120 * MIN, start + 130 * MIN],
    ]);
    const first = messages[0]!;
    expect(Object.keys(first)).toEqual(['type', 'id', 'query', 'groupByKeys', 'label', 'tags', 'start', 'end', 'step', 'data']);
    expect(first).toMatchObject({ type: 'timeseries', query: 'name,cpu,:eq,:sum,(,app,),:by', groupByKeys: ['app'], tags: { app: 'www', name: 'cpu' }, step: MIN });
    expect(first.data.type).toBe('array');
    expect(first.data.values.slice(0, 7)).toEqual([0, 1, 2, 3, 4, 'NaN', 6]);
    expect(messages[1]!.data.values).toEqual(Array.from({ length: 60 }, (_, i) => 60 + i));
    expect(messages[4]!.data.values).toHaveLength(10);
    expect('groupByKeys' in messages[2]!).toBe(false);
    // One id per line, the same in all its chunks.
    expect(messages[0]!.id).toBe(messages[1]!.id);
    expect(messages[2]!.id).toBe(messages[4]!.id);
    expect(messages[0]!.id).not.toBe(messages[2]!.id);
    expect(messages[0]!.id).toMatch(/^[0-9a-f]{40}$/);
  });

  it('writes server-sent events as data: lines', () => {
    expect(sseEvent({ type: 'close', message: 'operation complete' })).toBe('data: {"type":"close","message":"operation complete"}\n\n');
  });
});

describe('tags q', () => {
  it('reads the query vocabulary and the stack words', () => {
    expect(parseTagsQuery('name,cpu,:eq,app,www,:eq,:and')).toEqual({
      op: 'and',
      left: { op: 'eq', key: 'name', value: 'cpu' },
      right: { op: 'eq', key: 'app', value: 'www' },
    });
    expect(parseTagsQuery('app,(,a,b,),:in,:not')).toEqual({ op: 'not', query: { op: 'in', key: 'app', values: ['a', 'b'] } });
    expect(parseTagsQuery('x,app,:swap,:drop,:has')).toEqual({ op: 'has', key: 'app' });
  });

  it('refuses other words and anything but one query', () => {
    const sum = errorOf(() => parseTagsQuery('name,cpu,:eq,:sum'));
    expect(sum.code).toBe('VIGIL_ERR_ASL_UNKNOWN_WORD');
    expect(sum.message).toContain(':sum at position 13');
    const two = errorOf(() => parseTagsQuery('name,cpu'));
    expect([two.code, two.status]).toEqual(['VIGIL_ERR_BAD_PARAMETER', 400]);
    expect(two.message).toContain('leaves the string "name", the string "cpu"');
    expect(errorOf(() => parseTagsQuery('name,(,cpu')).code).toBe('VIGIL_ERR_ASL_SYNTAX');
  });
});

describe('fetch streaming', () => {
  const window: Window = { start: 0, end: 2 * MIN, step: MIN };
  const result: GraphResult = { lines: [line({ name: 'cpu' }, 'cpu', [1, 2])], notices: [] };
  const later = <T>(ms: number, value: () => T) => new Promise<void>((resolve) => setTimeout(resolve, ms)).then(value);

  async function serve(work: () => Promise<GraphResult>, heartbeatMs: number): Promise<{ status: number; type: string | null; events: any[] }> {
    const app = Fastify();
    app.get('/f', (_req, reply) => answerFetch(reply, work(), window, heartbeatMs));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${address.port}/f`);
      const text = await response.text();
      expect(text.endsWith('\n\n')).toBe(true);
      const events = text.trimEnd().split('\n\n').map((e) => {
        expect(e.startsWith('data: ')).toBe(true);
        return JSON.parse(e.slice(6));
      });
      return { status: response.status, type: response.headers.get('content-type'), events };
    } finally {
      await app.close();
    }
  }

  it('answers at once when the data is ready before the first heartbeat', async () => {
    const { status, type, events } = await serve(() => Promise.resolve(result), 1000);
    expect([status, type]).toEqual([200, 'text/event-stream']);
    expect(events.map((e) => e.type)).toEqual(['timeseries', 'close']);
  });

  it('sends heartbeats while the data is not ready, then the data and the close', async () => {
    const { status, events } = await serve(() => later(290, () => result), 100);
    expect(status).toBe(200);
    const types = events.map((e) => e.type);
    expect(types.slice(-2)).toEqual(['timeseries', 'close']);
    expect(types.length - 2).toBeGreaterThanOrEqual(2); // heartbeats at about 100 and 200 ms
    expect(events.slice(0, -2)).toEqual(types.slice(0, -2).map(() => ({ type: 'info', message: 'heartbeat' })));
  });

  it('an error after the stream started is an error message before the close', async () => {
    const failing = () => later(150, () => {
      throw new VigilError('VIGIL_ERR_ASL_EVALUATION', 'the expression cannot be evaluated: boom');
    });
    const { status, events } = await serve(failing, 50);
    expect(status).toBe(200);
    expect(events.slice(-2)).toEqual([
      { type: 'error', message: 'the expression cannot be evaluated: boom' },
      { type: 'close', message: 'operation complete' },
    ]);
  });

  it('an error before the first heartbeat is a plain error answer', async () => {
    const app = Fastify();
    app.get('/f', (_req, reply) => answerFetch(reply, Promise.reject(new VigilError('VIGIL_ERR_ASL_EVALUATION', 'bad')), window, 1000));
    const response = await app.inject('/f');
    expect(response.statusCode).toBe(400);
    await app.close();
  });
});

// --- end to end ----------------------------------------------------------------------------------

/** A reader the test collects by hand (the SDK's own base class). */
class ManualReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const HOUR = 60 * MIN;

describe('end to end', () => {
  let vigil: TestVigil;
  let exporter: PushMetricExporter;
  // Every SDK point sits in a known minute of an hour two hours ago: minute m of that hour at :30.
  const H = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
  const at = (m: number, s: number) => H + m * MIN + s * 1000;

  /** Runs the SDK call with its clock at `t` (Date.now is read synchronously by record and collect). */
  function atTime<T>(t: number, f: () => T): T {
    const clock = vi.spyOn(Date, 'now').mockReturnValue(t);
    try {
      return f();
    } finally {
      clock.mockRestore();
    }
  }

  async function exportAt(reader: MetricReader, t: number): Promise<void> {
    const { resourceMetrics, errors } = await atTime(t, () => reader.collect());
    expect(errors).toEqual([]);
    await new Promise<void>((resolve, reject) =>
      exporter.export(resourceMetrics, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed')))),
    );
  }

  const url = (path: string) => `${vigil.query!.url}${path}`;
  const win = (from: number, to: number, step = '1m') => `s=${from}&e=${to}&step=${step}`;
  async function get(path: string): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(url(path));
    return { status: response.status, headers: response.headers, text: await response.text() };
  }
  async function stdJson(q: string, range: string): Promise<any> {
    const r = await get(`/api/v1/graph?q=${encodeURIComponent(q)}&${range}&format=std.json`);
    expect(r.status, r.text).toBe(200);
    return JSON.parse(r.text);
  }
  const nums = (values: unknown[]) => values.map((v) => (v === 'NaN' ? NaN : (v as number)));
  /** One line's values from a std.json answer, NaN for "NaN". */
  const column = (body: any, i = 0) => nums(body.values.map((row: unknown[]) => row[i]));
  const close = (actual: number[], expected: number[]) => {
    expect(actual).toHaveLength(expected.length);
    actual.forEach((v, i) => (Number.isNaN(expected[i]!) ? expect(v, `step ${i}`).toBeNaN() : expect(v, `step ${i}`).toBeCloseTo(expected[i]!, 9)));
  };

  beforeAll(async () => {
    vigil = await startTestVigil();
    exporter = new OTLPMetricExporter({ url: `${vigil.otlpUrl}/v1/metrics` });
    const resource = resourceFromAttributes({ 'service.name': 'e2e-shop', 'host.name': 'node-1' });
    const cumulative = new ManualReader();
    const restarted = new ManualReader();
    const delta = new ManualReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
    const meterA = new MeterProvider({ resource, readers: [cumulative] }).getMeter('e2e');
    const meterB = new MeterProvider({ resource, readers: [restarted] }).getMeter('e2e');
    const meterD = new MeterProvider({ resource, readers: [delta] }).getMeter('e2e');
    const requestsA = meterA.createCounter('e2e.requests');
    const requestsB = meterB.createCounter('e2e.requests'); // the same series after a process restart
    const temperature = meterA.createGauge('e2e.temperature');
    const latency = meterA.createHistogram('e2e.latency'); // default buckets 0,5,10,25,50,75,100,...
    const jobs = meterD.createCounter('e2e.jobs');
    const route = { route: '/a' };

    atTime(at(1, 20), () => {
      requestsA.add(5, route);
      temperature.record(20);
      for (const v of [1, 2, 3, 4, 30, 40]) latency.record(v);
      jobs.add(3);
    });
    await exportAt(cumulative, at(1, 30));
    await exportAt(delta, at(1, 30));
    atTime(at(2, 20), () => {
      requestsA.add(12, route);
      temperature.record(21);
      for (const v of [55, 60, 65, 70]) latency.record(v);
      jobs.add(9);
    });
    atTime(at(2, 25), () => temperature.record(22));
    await exportAt(cumulative, at(2, 30));
    await exportAt(delta, at(2, 30));
    atTime(at(3, 20), () => {
      requestsA.add(30, route);
      temperature.record(19);
    });
    await exportAt(cumulative, at(3, 30));
    await exportAt(delta, at(3, 30)); // nothing recorded: no delta point
    // Minute 4: the counter restarts from zero in a new process (new start time).
    atTime(at(4, 20), () => {
      requestsB.add(6, route);
      jobs.add(6);
    });
    await exportAt(restarted, at(4, 30));
    await exportAt(delta, at(4, 30));
    atTime(at(5, 20), () => requestsB.add(18, route));
    await exportAt(restarted, at(5, 30));
    await exportAt(restarted, at(6, 30)); // unchanged: an increase of 0
  }, 120_000);

  afterAll(async () => {
    await exporter?.shutdown();
    await vigil?.stop();
  });

  const minutes7 = () => win(H, H + 7 * MIN);

  it('cumulative counter: per-minute rates, the restart counted from zero', async () => {
    const body = await stdJson('name,e2e.requests,:eq,:sum', minutes7());
    expect(body.start).toBe(H);
    expect(body.step).toBe(MIN);
    expect(body.metrics).toEqual([{ name: 'e2e.requests' }]);
    // increases 5, 12, 30, then after the restart 6 (from zero), 18, 0; per second of a minute
    close(column(body), [NaN, 5 / 60, 12 / 60, 30 / 60, 6 / 60, 18 / 60, 0]);
  });

  it('delta counter: the events of each minute per second', async () => {
    close(column(await stdJson('name,e2e.jobs,:eq,:sum', minutes7())), [NaN, 3 / 60, 9 / 60, NaN, 6 / 60, NaN, NaN]);
  });

  it('gauge: the last value of each minute', async () => {
    close(column(await stdJson('name,e2e.temperature,:eq,:max', minutes7())), [NaN, 20, 22, 19, NaN, NaN, NaN]);
  });

  it('histogram: count rate, mean and percentiles interpolated in the buckets', async () => {
    // minute 1: 1,2,3,4 in (0,5] and 30,40 in (25,50]; minute 2: 55,60,65,70 in (50,75]; minute 3: none.
    close(column(await stdJson('name,e2e.latency,:eq,statistic,count,:eq,:and,:sum', minutes7())), [NaN, 6 / 60, 4 / 60, 0, NaN, NaN, NaN]);
    // minute 3: no observation, 0 / 0, which Atlas's :div makes 0
    close(column(await stdJson('name,e2e.latency,:eq,:dist-avg', minutes7())), [NaN, 80 / 6, 250 / 4, 0, NaN, NaN, NaN]);
    const body = await stdJson('name,e2e.latency,:eq,(,50,90,),:percentiles', minutes7());
    expect(body.metrics.map((m: Record<string, string>) => m.percentile)).toEqual(['p50', 'p90']);
    // p50 of minute 1: rank 3 of 6 in (0,5] holding 4 -> 5 * 3/4; p90: rank 5.4, 1.4 into (25,50] holding 2.
    // minute 2: ranks 2 and 3.6 of the 4 in (50,75].
    close(column(body, 0), [NaN, 3.75, 62.5, NaN, NaN, NaN, NaN]);
    close(column(body, 1), [NaN, 42.5, 72.5, NaN, NaN, NaN, NaN]);
  });

  it('consolidates minutes into larger steps (cf-avg: a missing minute counts as 0)', async () => {
    const body = await stdJson('name,e2e.requests,:eq,:sum', win(H, H + 8 * MIN, '2m'));
    expect(body.step).toBe(2 * MIN);
    close(column(body), [5 / 120, (12 + 30) / 120, (6 + 18) / 120, 0]);
  });

  it('json writes NaN bare; csv and txt have a row per step; stats.json summarizes', async () => {
    const q = encodeURIComponent('name,e2e.requests,:eq,:sum');
    const json = await get(`/api/v1/graph?q=${q}&${minutes7()}&format=json`);
    expect(json.text).toContain('"values":[[NaN],[');
    const parsed = JSON.parse(json.text.replaceAll('NaN', 'null'));
    expect(parsed.values[1][0]).toBeCloseTo(5 / 60, 12);

    const csv = await get(`/api/v1/graph?q=${q}&${minutes7()}&format=csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = csv.text.trimEnd().split('\n');
    expect(rows[0]).toBe('"timestamp","sum(name=e2e.requests)"');
    expect(rows).toHaveLength(8);
    expect(rows[1]).toBe(`${new Date(H).toISOString().slice(0, 19)}Z,NaN`);
    expect(rows[3]!.split(',').map(Number)[1]).toBeCloseTo(12 / 60, 12);

    const txt = await get(`/api/v1/graph?q=${q}&${minutes7()}&format=txt&tz=Asia/Kolkata`);
    // Kolkata is UTC+5:30 all year.
    expect(txt.text.split('\n')[1]).toBe(`${new Date(H + 5.5 * HOUR).toISOString().slice(0, 19)}+05:30\tNaN`);

    const stats = await get(`/api/v1/graph?q=${q}&${minutes7()}&format=stats.json`);
    const s = JSON.parse(stats.text).stats[0];
    expect(JSON.parse(stats.text).end).toBe(H + 7 * MIN);
    // six minutes with a value: 5, 12, 30, 6, 18, 0 per minute
    expect(s.count).toBe(6);
    expect(s.total).toBeCloseTo(71 / 60, 12);
    expect(s.avg).toBeCloseTo(71 / 360, 12);
    expect([s.max, s.min, s.last]).toEqual([0.5, 0, 0]);
  });

  it('json and std.json carry the style words of each line', async () => {
    const q = 'name,e2e.requests,:eq,:sum,:area,ff0000,:color,name,e2e.requests,:eq,:max,2,:axis,3,:lw,:stack,80,:alpha';
    const body = await stdJson(q, minutes7());
    expect(body.styles).toEqual([
      { lineStyle: 'area', color: 'ff0000', lineWidth: 1, axis: 0 },
      { lineStyle: 'stack', alpha: 128, lineWidth: 3, axis: 2 },
    ]);
    const json = await get(`/api/v1/graph?q=${encodeURIComponent('name,e2e.requests,:eq,:sum,:area,ff0000,:color')}&${minutes7()}&format=json`);
    expect(json.text.endsWith(',"styles":[{"lineStyle":"area","color":"ff0000","lineWidth":1,"axis":0}]}')).toBe(true);
  });

  it('fetch streams the same lines as server-sent events and closes', async () => {
    const r = await get(`/api/v2/fetch?q=${encodeURIComponent('name,e2e.requests,:eq,:sum,(,route,),:by')}&${minutes7()}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const events = r.text.trimEnd().split('\n\n').map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(events.map((e) => e.type)).toEqual(['timeseries', 'close']);
    const [ts] = events;
    expect(ts).toMatchObject({ query: 'name,e2e.requests,:eq,:sum,(,route,),:by', groupByKeys: ['route'], tags: { name: 'e2e.requests', route: '/a' }, start: H, end: H + 7 * MIN, step: MIN });
    close(nums(ts.data.values), [NaN, 5 / 60, 12 / 60, 30 / 60, 6 / 60, 18 / 60, 0]);
  });

  it('tags: keys, values, verbose counts, txt, and paging with x-nflx-atlas-next-offset', async () => {
    const q = (expr: string) => `q=${encodeURIComponent(expr)}`;
    const keys = await get(`/api/v1/tags?${q('name,e2e.requests,:eq')}`);
    expect(JSON.parse(keys.text)).toEqual(['host.name', 'name', 'route', 'service.name']);
    expect(keys.headers.get('x-nflx-atlas-next-offset')).toBeNull();

    const names = `/api/v1/tags/name?${q('service.name,e2e-shop,:eq')}`;
    const page1 = await get(`${names}&limit=2`);
    expect(JSON.parse(page1.text)).toEqual(['e2e.jobs', 'e2e.latency']);
    expect(page1.headers.get('x-nflx-atlas-next-offset')).toBe('e2e.latency');
    const page2 = await get(`${names}&limit=2&offset=e2e.latency`);
    expect(JSON.parse(page2.text)).toEqual(['e2e.requests', 'e2e.temperature']);
    expect(page2.headers.get('x-nflx-atlas-next-offset')).toBe('e2e.temperature');
    const page3 = await get(`${names}&limit=2&offset=e2e.temperature`);
    expect(JSON.parse(page3.text)).toEqual([]);
    expect(page3.headers.get('x-nflx-atlas-next-offset')).toBeNull();

    const verbose = await get(`/api/v1/tags/statistic?${q('name,e2e.latency,:eq')}&verbose=1`);
    expect(JSON.parse(verbose.text)).toEqual([
      { key: 'statistic', value: 'count', count: 1 },
      { key: 'statistic', value: 'max', count: 1 },
      { key: 'statistic', value: 'totalAmount', count: 1 },
    ]);
    const txt = await get(`/api/v1/tags?${q('name,e2e.requests,:eq')}&format=txt&limit=3`);
    expect(txt.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(txt.text).toBe('host.name\nname\nroute');
    expect(txt.headers.get('x-nflx-atlas-next-offset')).toBe('route');
  });

  it('publish: 200 stores gauges, 202 stores the valid part, 400 stores nothing', async () => {
    const post = (body: unknown) =>
      fetch(url('/api/v1/publish'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const now = Date.now();
    const ok = await post({
      tags: { 'service.name': 'pub-svc' },
      metrics: [
        { tags: { name: 'e2e.published', host: 'h1' }, timestamp: now, value: 42 },
        { tags: { name: 'e2e.published', host: 'h2' }, timestamp: now, value: 8 },
      ],
    });
    expect([ok.status, await ok.text()]).toEqual([200, '']);
    // Acknowledged means stored: the rows are there without waiting.
    const rows = await vigil.rows<{ ServiceName: string; Attributes: Record<string, string>; Value: number }>(
      "SELECT ServiceName, Attributes, Value FROM otel_metrics_gauge WHERE MetricName = 'e2e.published' ORDER BY Value",
    );
    expect(rows).toEqual([
      { ServiceName: 'pub-svc', Attributes: { host: 'h2' }, Value: 8 },
      { ServiceName: 'pub-svc', Attributes: { host: 'h1' }, Value: 42 },
    ]);
    const minute = Math.floor(now / MIN) * MIN;
    const body = await stdJson('name,e2e.published,:eq,(,host,),:by', win(minute, minute + MIN));
    expect(body.metrics).toEqual([
      { host: 'h1', name: 'e2e.published' },
      { host: 'h2', name: 'e2e.published' },
    ]);
    expect(body.values).toEqual([[42, 8]]);

    const partial = await post({
      metrics: [
        { tags: { name: 'e2e.partial', host: 'h1' }, timestamp: now, value: 1 },
        { tags: { name: 'e2e.partial', h: 'short key' }, timestamp: now, value: 2 },
        { tags: { name: 'e2e.partial' }, timestamp: now - 10 * MIN, value: 3 },
      ],
    });
    expect(partial.status).toBe(202);
    expect(await partial.json()).toEqual({
      type: 'partial',
      errorCount: 2,
      message: [
        'key too short: "h" (1 < 2) (tags={"name":"e2e.partial","h":"short key"})',
        expect.stringMatching(/^data is too old: now = \d+, timestamp = \d+, \d+ > 60000 \(tags=\{"name":"e2e.partial"\}\)$/),
      ],
    });
    const stored = async (name: string) => (await vigil.rows<{ Value: number }>('SELECT Value FROM otel_metrics_gauge WHERE MetricName = {name:String}', { name })).map((r) => r.Value);
    expect(await stored('e2e.partial')).toEqual([1]);

    const none = await post({ metrics: [{ tags: { name: 'e2e.refused', 'atlas.mine': 'x' }, timestamp: now, value: 1 }] });
    expect(none.status).toBe(400);
    expect(await none.json()).toEqual({
      code: 'VIGIL_ERR_BAD_PUBLISH',
      message:
        'publish payload rejected: all 1 datapoints are invalid; first 1: invalid key for reserved prefix \'atlas.\': atlas.mine (tags={"name":"e2e.refused","atlas.mine":"x"})',
    });
    expect(await stored('e2e.refused')).toEqual([]);
    const empty = await post({ metrics: [] });
    expect([empty.status, ((await empty.json()) as { code: string }).code]).toEqual([400, 'VIGIL_ERR_BAD_PUBLISH']);
    const garbled = await fetch(url('/api/v1/publish'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"metrics": [' });
    expect([garbled.status, ((await garbled.json()) as { code: string }).code]).toEqual([400, 'VIGIL_ERR_BAD_PARAMETER']);
  });

  it('publish keeps statistic tags: a published timer answers :dist-avg', async () => {
    // Atlas clients publish a timer as gauges told apart by statistic (Spectator's layout).
    const now = Date.now();
    const timer = (statistic: string, value: number) => ({ tags: { name: 'e2e.timer', statistic }, timestamp: now, value });
    const res = await fetch(url('/api/v1/publish'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metrics: [timer('count', 4), timer('totalTime', 2), timer('max', 0.9)] }),
    });
    expect(res.status).toBe(200);
    const minute = Math.floor(now / MIN) * MIN;
    const series = await stdJson('name,e2e.timer,:eq,(,statistic,),:by', win(minute, minute + MIN));
    expect(series.metrics.map((m: any) => m.statistic)).toEqual(['count', 'max', 'totalTime']);
    expect(series.values).toEqual([[4, 0.9, 2]]);
    const avg = await stdJson('name,e2e.timer,:eq,:dist-avg', win(minute, minute + MIN));
    expect(avg.values).toEqual([[0.5]]);
  });

  it('publish takes gzip bodies; other encodings are refused', async () => {
    const payload = JSON.stringify({ metrics: [{ tags: { name: 'e2e.zipped' }, timestamp: Date.now(), value: 7 }] });
    const send = (body: Buffer | string, encoding: string) =>
      fetch(`${vigil.query!.url}/api/v1/publish`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body });
    expect((await send(gzipSync(payload), 'gzip')).status).toBe(200);
    expect(await vigil.rows("SELECT Value FROM otel_metrics_gauge WHERE MetricName = 'e2e.zipped'")).toEqual([{ Value: 7 }]);
    const brotli = await send(payload, 'br');
    expect([brotli.status, ((await brotli.json()) as { code: string }).code]).toEqual([415, 'VIGIL_ERR_UNSUPPORTED_ENCODING']);
    const broken = await send(gzipSync(payload).subarray(0, 20), 'gzip');
    expect(broken.status).toBe(400);
  });

  it.each([
    ['a syntax error, with its position', 'q=name,cpu,:eq,(,app', 'VIGIL_ERR_ASL_SYNTAX', 'position 13'],
    ['an unknown word', 'q=name,cpu,:eq,:summ', 'VIGIL_ERR_ASL_UNKNOWN_WORD', 'unknown word :summ at position 13'],
    ['a stack underflow', 'q=:add', 'VIGIL_ERR_ASL_STACK_UNDERFLOW', ':add at position 0'],
    ['no expression', 's=e-1h', 'VIGIL_ERR_BAD_PARAMETER', 'invalid q: missing'],
    ['a huge range', 'q=name,cpu,:eq&s=2025-01-01&e=2026-01-01&step=1m', 'VIGIL_ERR_TOO_MANY_POINTS', '525600 steps of 1m'],
    ['a step too small for the range', 'q=name,cpu,:eq&s=e-2d&step=10s', 'VIGIL_ERR_TOO_MANY_POINTS', 'steps of 1m per line'],
    ['a malformed step', 'q=name,cpu,:eq&step=fast', 'VIGIL_ERR_BAD_STEP', 'invalid step "fast"'],
    ['a bad time', 'q=name,cpu,:eq&s=yesterday', 'VIGIL_ERR_BAD_TIME', 'invalid s "yesterday"'],
    ['an end before the start', 'q=name,cpu,:eq&s=2026-01-02&e=2026-01-01', 'VIGIL_ERR_BAD_TIME', 'is before the start'],
    ['a bad time zone', 'q=name,cpu,:eq&tz=Nowhere/City', 'VIGIL_ERR_BAD_TIME', 'invalid tz'],
    ['png', 'q=name,cpu,:eq&format=png', 'VIGIL_ERR_BAD_FORMAT', 'use the UI'],
    ['an unknown format', 'q=name,cpu,:eq&format=xml', 'VIGIL_ERR_BAD_FORMAT', 'use json, std.json'],
    ['an unknown parameter', 'q=name,cpu,:eq&stpe=1m', 'VIGIL_ERR_BAD_PARAMETER', 'invalid stpe: unknown parameter'],
  ])('graph with %s is a 400', async (_what, params, code, detail) => {
    const r = await get(`/api/v1/graph?${params}`);
    expect(r.status).toBe(400);
    const body = JSON.parse(r.text);
    expect(body.code).toBe(code);
    expect(body.message).toContain(detail);
  });

  it.each([
    ['/api/v2/fetch?q=name,cpu,:eq,(', 'VIGIL_ERR_ASL_SYNTAX'],
    ['/api/v2/fetch?q=name,cpu,:eq&s=e-1y&step=1m', 'VIGIL_ERR_TOO_MANY_POINTS'],
    ['/api/v1/tags?q=name,cpu,:eq,:sum', 'VIGIL_ERR_ASL_UNKNOWN_WORD'],
    ['/api/v1/tags/name?limit=0', 'VIGIL_ERR_BAD_PARAMETER'],
    ['/api/v1/tags?verbose=yes', 'VIGIL_ERR_BAD_PARAMETER'],
    ['/api/v1/tags?format=csv', 'VIGIL_ERR_BAD_PARAMETER'],
  ])('%s is a 400 (%s)', async (path, code) => {
    const r = await get(path);
    expect([r.status, JSON.parse(r.text).code]).toEqual([400, code]);
  });
});
