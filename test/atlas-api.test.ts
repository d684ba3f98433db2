// The Atlas HTTP API: output formats, publish validation and fetch messages (pure, expected
// bodies written by hand), then end to end against a started Vigil (see the second half).
import { describe, expect, it } from 'vitest';
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
    lines: [line({ name: 'cpu', app: 'www' }, 'www', [1, NaN, 2.5]), line({ z: '1', name: 'cpu' }, 'a "quoted" one', [Infinity, 0.25, -1])],
    notices: ['n1'],
  };
  const head = `"legend":["www","a \\"quoted\\" one"],"metrics":[{"app":"www","name":"cpu"},{"name":"cpu","z":"1"}]`;

  it('json: one row per step, a column per line, NaN and Infinity bare', () => {
    expect(renderGraph('json', result, window, 'UTC')).toEqual({
      contentType: 'application/json',
      body: `{"start":${start},"step":60000,${head},"values":[[1,Infinity],[NaN,0.25],[2.5,-1]],"notices":["n1"]}`,
    });
  });

  it('std.json: the same with "NaN" and "Infinity" as strings (plain JSON)', () => {
    const { body } = renderGraph('std.json', result, window, 'UTC');
    expect(body).toBe(`{"start":${start},"step":60000,${head},"values":[[1,"Infinity"],["NaN",0.25],[2.5,-1]],"notices":["n1"]}`);
    expect(JSON.parse(body).values).toEqual([[1, 'Infinity'], ['NaN', 0.25], [2.5, -1]]);
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
      `{"start":${start},"step":60000,"legend":[],"metrics":[],"values":[[],[],[]],"notices":[]}`,
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
