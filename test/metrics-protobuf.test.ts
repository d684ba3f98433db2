// The fused protobuf -> otel_metrics_* path against the two steps it replaces: for every body,
// appendMetricsRequestProtobuf must write exactly the bytes, into each of the five tables, and
// reject exactly the points, that decodeMetricsRequest + appendMetrics do; a malformed body
// must throw as the decoder does and leave every block as it was.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeRequest } from '../bench/requests.ts';
import { decodeMetricsRequest } from '../ingest/otlp/protobuf.ts';
import { appendMetrics, type MetricBlocks, metricTables } from '../ingest/rows/metrics.ts';
import { appendMetricsRequestProtobuf } from '../ingest/rows/metrics-protobuf.ts';
import {
  appendBothInto, attr, bytes, type Bytes, damageFailures, EVERY_VALUE, f32, f64, group, hexIdsToBytes, int, INVALID_UTF8, kv, ld,
  type Outcome, PREFIX_KEYS, protoEncoder, raw, s, spanId, str, tag, TRACE, truncationFailures, UNICODE_KEYS, vint,
} from './helpers/fused-protobuf.ts';

// ---- the comparison ----------------------------------------------------------------

const TABLES = Object.keys(metricTables) as Array<keyof MetricBlocks>;

function metricBlocks(): MetricBlocks {
  return Object.fromEntries(TABLES.map((t) => [t, metricTables[t]()])) as MetricBlocks;
}

const rowsOf = (blocks: MetricBlocks) => TABLES.map((t) => blocks[t].rows);

/** The fused path against the model path, every one of the five blocks compared. */
const appendBoth = (body: Uint8Array, fused: MetricBlocks, model: MetricBlocks, sameMessage = true): Outcome =>
  appendBothInto(
    appendMetricsRequestProtobuf,
    (b, blocks) => appendMetrics(decodeMetricsRequest(b), blocks),
    body,
    fused,
    model,
    (blocks) => TABLES.map((t) => blocks[t]),
    sameMessage,
  );

/** Appends the bodies one after another (so later ones land in non-empty blocks); rows per table. */
function expectSameRows(...bodies: Uint8Array[]): { rows: number[]; outcomes: Outcome[] } {
  const fused = metricBlocks();
  const model = metricBlocks();
  const outcomes = bodies.map((body) => appendBoth(body, fused, model));
  return { rows: rowsOf(fused), outcomes };
}

const encode = protoEncoder(
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
);

const example = (name: string) => {
  const json = readFileSync(new URL(`../../shared/testdata/otlp-examples/${name}`, import.meta.url), 'utf8');
  return encode(hexIdsToBytes(JSON.parse(json)) as Record<string, unknown>);
};

// ---- points ------------------------------------------------------------------------------

const time = (n: number) => String(1_700_000_000_000_000_000n + BigInt(n) * 1000n);
const common = (n: number, fields: Record<string, unknown> = {}) => ({
  startTimeUnixNano: time(n),
  timeUnixNano: time(n + 1),
  attributes: [kv('point', int(n)), kv('host', s(`h${n % 3}`))],
  ...fields,
});
const exemplar = (n: number, fields: Record<string, unknown> = {}) => ({
  timeUnixNano: time(n),
  asDouble: n + 0.5,
  traceId: TRACE,
  spanId: spanId(n),
  filteredAttributes: [kv('z', s('last')), kv('a', int(n))],
  ...fields,
});
const number = (n: number, fields: Record<string, unknown> = {}) => common(n, { asDouble: n * 1.25, ...fields });
const histogram = (n: number, fields: Record<string, unknown> = {}) =>
  common(n, { count: 10 + n, sum: n * 2.5, min: -1, max: 99.5, explicitBounds: [0, 5, 10], bucketCounts: [1, 2, 3, 4], ...fields });
const expHistogram = (n: number, fields: Record<string, unknown> = {}) =>
  common(n, {
    count: 7,
    sum: 3.5,
    scale: -3,
    zeroCount: 2,
    positive: { offset: -5, bucketCounts: [1, 0, 4] },
    negative: { offset: 3, bucketCounts: ['9007199254740991'] },
    min: 0.25,
    max: 8,
    zeroThreshold: 1e-9,
    ...fields,
  });
const summary = (n: number, fields: Record<string, unknown> = {}) =>
  common(n, { count: 4, sum: 10.5, quantileValues: [{ quantile: 0, value: 1 }, { quantile: 0.5, value: 2.5 }, {}, { quantile: 1, value: 9 }], ...fields });

/** Every point type, exemplar and optional field, with bad histograms among good points. */
function kitchenSinkMetrics() {
  return [
    { name: 'gauge', description: 'a gauge', unit: 'ms', gauge: { dataPoints: [
      number(1), number(2, { asDouble: undefined, asInt: '-9223372036854775808' }), number(3, { asDouble: undefined, asInt: '9007199254740993' }),
      number(4, { exemplars: [exemplar(1), exemplar(2, { asDouble: undefined, asInt: '-42' }), {}], flags: 1 }),
      number(5, { attributes: EVERY_VALUE, asDouble: NaN }), number(6, { attributes: UNICODE_KEYS, asDouble: -0 }),
      number(7, { attributes: PREFIX_KEYS, startTimeUnixNano: undefined, timeUnixNano: '18446744073709551615' }), {},
    ] } },
    { name: 'sum', unit: '1', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [
      number(10), number(11, { exemplars: [exemplar(3, { filteredAttributes: EVERY_VALUE })] }),
    ] } },
    { name: 'sum.cumulative', sum: { aggregationTemporality: 2, dataPoints: [number(12, { asInt: '5', asDouble: undefined, flags: 0xffffffff })] } },
    { name: 'histogram', description: 'ünïcödé', unit: 'By', histogram: { aggregationTemporality: 2, dataPoints: [
      histogram(20),
      histogram(21, { sum: undefined, min: undefined, max: undefined }), // absent optionals are stored as 0
      histogram(22, { bucketCounts: [1, 2] }), // rejected: too few counts
      histogram(23, { explicitBounds: [0, 5, 5] }), // rejected: not strictly increasing
      histogram(24, { explicitBounds: [], bucketCounts: [] }),
      histogram(25, { explicitBounds: [0, NaN, 10] }), // rejected
      histogram(26, { explicitBounds: [1, 2], bucketCounts: [] }), // no counts is fine
      histogram(27, { bucketCounts: ['9007199254740993', 0, 0, 1], count: '18446744073709551615', exemplars: [exemplar(4), exemplar(5)] }),
      histogram(28, { explicitBounds: [], bucketCounts: [5] }),
    ] } },
    { name: 'exponential', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [
      expHistogram(30), expHistogram(31, { sum: undefined, min: undefined, max: undefined, positive: undefined, negative: undefined }),
      expHistogram(32, { exemplars: [exemplar(6)], scale: 20, zeroCount: '4294967296' }),
    ] } },
    { name: 'summary', summary: { dataPoints: [summary(40), summary(41, { quantileValues: [], sum: undefined }), summary(42, { attributes: [] })] } },
    { name: 'no data' },
    { name: 'empty gauge', gauge: {} },
    { name: 'empty histogram', histogram: { aggregationTemporality: 1 } },
    { name: 'only bad histograms', histogram: { dataPoints: [histogram(50, { bucketCounts: [1] })] } },
    { name: 'with metadata', metadata: [kv('m', s('x'))], gauge: { dataPoints: [number(60)] } },
  ];
}

function kitchenSink() {
  return encode({
    resourceMetrics: [
      {
        resource: { attributes: [kv('service.name', s('checkout')), kv('host.name', s('h1'))], droppedAttributesCount: 1 },
        scopeMetrics: [
          {
            scope: { name: 'meter', version: '1.2.3', attributes: [kv('scope.z', s('1')), kv('scope.a', int(2)), kv('scope.z', s('3'))], droppedAttributesCount: 4 },
            metrics: kitchenSinkMetrics(),
            schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
          },
          { metrics: [{ name: 'no scope', gauge: { dataPoints: [number(70)] } }] },
          { scope: { name: 'empty scope' }, schemaUrl: 'https://scope/ü' },
          { scope: { name: 'second' }, metrics: [{ name: 'bad', histogram: { dataPoints: [histogram(71, { explicitBounds: [2, 1] }), histogram(72)] } }] },
        ],
        schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
      },
      { scopeMetrics: [{ scope: { name: 'ünïcode scope', version: 'β' }, metrics: [{ name: 's', summary: { dataPoints: [summary(80)] } }] }] },
      {
        resource: { attributes: [kv('service.name', s('first')), kv('zone', s('b')), kv('service.name', int(7))] },
        scopeMetrics: [{ metrics: [{ name: 'e', exponentialHistogram: { dataPoints: [expHistogram(90)] } }], schemaUrl: 'https://s' }],
        schemaUrl: 'https://r',
      },
      { resource: { attributes: [kv('service.name', s('no scopes'))] }, schemaUrl: 'https://lonely' },
      { resource: { attributes: EVERY_VALUE }, scopeMetrics: [{ scope: { attributes: EVERY_VALUE }, metrics: [{ name: 'g', gauge: { dataPoints: [number(100)] } }] }] },
    ],
  });
}

// ---- hand-built protobuf ---------------------------------------------------------------

/** ExportMetricsServiceRequest > ResourceMetrics > ScopeMetrics > the given metrics (each a list of fields). */
const metrics = (...metricFields: Bytes[][]) => bytes(ld(1, ld(2, ...metricFields.map((f) => ld(2, ...f)))));
const d = (v: number) => new Float64Array([v]);
const dbl = (field: number, v: number): Bytes => [...tag(field, 1), ...Buffer.from(d(v).buffer)];
const packedDoubles = (field: number, vs: number[]): Bytes => raw(field, [...Buffer.from(new Float64Array(vs).buffer)]);
const packedFixed64 = (field: number, vs: bigint[]): Bytes => raw(field, [...Buffer.from(new BigUint64Array(vs).buffer)]);
const times = (n: number): Bytes[] => [f64(2, BigInt(time(n))), f64(3, BigInt(time(n + 1)))];

// ---- the tests -------------------------------------------------------------------------

describe('appendMetricsRequestProtobuf writes what decodeMetricsRequest + appendMetrics write', () => {
  it('for benchmark requests of several sizes, appended one after another', () => {
    const sizes = [1, 2, 7, 64, 512];
    const { rows, outcomes } = expectSameRows(...sizes.map((n) => makeRequest.metrics(n)), makeRequest.metrics(512));
    expect(rows.reduce((a, b) => a + b)).toBe(1098);
    expect(rows.filter((n) => n > 0).length).toBe(3); // gauges, sums and histograms
    expect(outcomes.every((o) => 'rejected' in o && o.rejected === 0)).toBe(true);
  });

  it('for the OTLP example metrics.json, as protobuf', () => {
    const body = example('metrics.json');
    expect(expectSameRows(body, body).rows).toEqual([2, 2, 2, 2, 0]);
  });

  it('for every point type, exemplar, optional field, bad histogram, resource and scope', () => {
    const body = kitchenSink();
    const { rows, outcomes } = expectSameRows(body, body);
    expect(rows).toEqual([2 * 11, 2 * 3, 2 * 7, 2 * 4, 2 * 4]);
    expect(outcomes[0]).toMatchObject({
      rejected: 5,
      message: expect.stringContaining('resourceMetrics[0].scopeMetrics[0].metrics[3].dataPoints[2]: histogram has 2 bucket counts for 3 bounds (want bounds + 1)'),
    });
    expect((outcomes[0] as { message: string }).message).toContain('dataPoints[5]: histogram explicit bounds are not strictly increasing; and 2 more');
  });

  it('for long attribute lists, each point differently ordered', () => {
    const shuffled = (seed: number) => [...EVERY_VALUE, ...PREFIX_KEYS].sort((a, b) => ((a.key.length * 31 + seed) % 7) - ((b.key.length * 31 + seed) % 7));
    const points = [1, 2, 3, 4].map((n) => number(n, { attributes: shuffled(n), exemplars: [exemplar(n, { filteredAttributes: shuffled(n + 1) })] }));
    const body = encode({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: points } }] }] }] });
    expect(expectSameRows(body).rows).toEqual([4, 0, 0, 0, 0]);
  });

  it('for packed and unpacked repeated fields, in parts', () => {
    const body = metrics(
      [
        str(1, 'h'),
        ld(9, vint(2, 1), ld(1, ...times(1), dbl(4, 10), dbl(7, 0), dbl(7, 5), packedDoubles(7, [10, 20]), f64(6, 1n), packedFixed64(6, [2n, 3n]), f64(6, 4n), f64(6, 5n)),
          ld(1, ...times(2), packedDoubles(7, []), packedFixed64(6, []))),
      ],
      [
        str(1, 'e'),
        ld(10, ld(1, ...times(3), ld(8, vint(1, 5), vint(2, 1), raw(2, [2, 0x80, 0x01, 3]), vint(2, 2n ** 40n), vint(1, 6)), ld(8, vint(2, 7)), ld(9, raw(2, [])), vint(6, 7))),
      ],
      [
        str(1, 's'),
        ld(11, ld(1, ...times(4), ld(6, dbl(1, 0.5), dbl(2, 3), dbl(1, 0.9)), ld(6), f64(4, 3n), dbl(5, 1.5))),
      ],
    );
    expect(expectSameRows(body).rows).toEqual([0, 0, 2, 1, 1]);
  });

  it('for metrics whose name, temporality or data come late, twice or in parts', () => {
    const body = metrics(
      // The data before the name, the temporality and monotonicity after the points.
      [ld(7, ld(1, ...times(1), dbl(4, 1)), vint(2, 2), vint(3, 1), ld(1, ...times(2), f64(6, 2n ** 63n))), str(1, 'late name'), str(3, 'unit'), str(2, 'desc')],
      // Two data fields: only the last is stored, even of another type.
      [str(1, 'twice'), ld(5, ld(1, ...times(3), dbl(4, 1))), ld(9, ld(1, ...times(4), packedFixed64(6, [1n]), dbl(5, 2)), vint(2, 1))],
      [str(1, 'twice, same type'), ld(5, ld(1, ...times(5), dbl(4, 1))), ld(5, ld(1, ...times(6), dbl(4, 2)), ld(1, ...times(7)))],
      // A replaced histogram is not checked for its buckets.
      [str(1, 'replaced'), ld(9, ld(1, ...times(8), packedFixed64(6, [1n, 2n, 3n]))), ld(11, ld(1, ...times(9)))],
      // Names given twice, metadata, unknown fields, data with the wrong wire type.
      [
        str(1, 'first'), str(1, 'second'), ld(12, str(1, 'k'), ld(2, str(1, 'v'))), vint(5, 1), f32(100, 1), group(101, vint(1, 1)),
        ld(5, ld(1, ...times(10), vint(100, 1), f64(6, 3n), dbl(4, 4))),
      ],
      // Gauge data with a temporality and monotonicity it does not store, and flags of 64 bits.
      [str(1, 'gauge'), ld(5, vint(2, -1n), vint(3, 2n ** 40n), ld(1, vint(8, 2n ** 33n + 3n), attr(7, 'k', vint(3, -1n)), attr(7, 'a', str(1, 'v'))))],
      // Exemplars with ids of any length, and as_int and as_double in turn.
      [
        str(1, 'exemplars'),
        ld(7, ld(1,
          ld(5, raw(4, [1, 2, 3]), raw(5, []), dbl(3, 1), f64(6, 5n), attr(7, 'b', str(1, 'x')), attr(7, 'a', vint(2, 1))),
          ld(5, f64(6, 5n), dbl(3, 2.5), raw(5, TRACE), raw(5, [0xab])),
          ld(5),
        )),
      ],
    );
    expect(expectSameRows(body).rows).toEqual([4, 3, 1, 0, 1]);
  });

  it('for text that is not UTF-8, anywhere a string goes', () => {
    const perMetric = INVALID_UTF8.map((text, i) => [
      raw(1, text),
      raw(2, text),
      raw(3, text),
      ld(5, ld(1, ...times(i), attr(7, text, raw(1, text)), ld(5, attr(7, text, raw(1, text))))),
    ]);
    const envelope = ld(
      1,
      ld(1, attr(1, [0xff], str(1, 'r')), attr(1, 'service.name', raw(1, [0xc3]))),
      raw(3, [0xe2, 0x82]),
      ld(2, ld(1, raw(1, [0xe2]), raw(2, [0xff]), attr(3, [0xc0], raw(1, [0x80])), vint(4, 9)), raw(3, [0xed, 0xa0, 0x80]), ld(2, str(1, 'm'), ld(5, ld(1)))),
    );
    expect(expectSameRows(metrics(...perMetric), bytes(envelope)).rows).toEqual([INVALID_UTF8.length + 1, 0, 0, 0, 0]);
  });

  it('opens only the blocks of the point types it writes', () => {
    const body = encode({ resourceMetrics: [{ scopeMetrics: [{ metrics: [
      { name: 'g', gauge: { dataPoints: [number(1)] } },
      { name: 'bad', histogram: { dataPoints: [histogram(2, { bucketCounts: [1] })] } },
      { name: 'empty', summary: {} },
    ] }] }] });
    const blocks = metricBlocks();
    const opened = new Set<string>();
    const lazy = new Proxy(blocks, { get: (b, table: keyof MetricBlocks) => (opened.add(table), b[table]) });
    expect(appendMetricsRequestProtobuf(body, lazy).count).toBe(1);
    expect([...opened]).toEqual(['otel_metrics_gauge']);
  });
});

describe('appendMetricsRequestProtobuf on malformed protobuf', () => {
  /** Blocks that already hold rows, so a failed append has something to keep intact. */
  function filledBlocks(): [MetricBlocks, MetricBlocks] {
    const fused = metricBlocks();
    const model = metricBlocks();
    appendBoth(makeRequest.metrics(3), fused, model);
    const others = [{ name: 'x', exponentialHistogram: { dataPoints: [expHistogram(1)] } }, { name: 'y', summary: { dataPoints: [summary(2)] } }];
    appendBoth(encode({ resourceMetrics: [{ scopeMetrics: [{ metrics: others }] }] }), fused, model);
    return [fused, model];
  }

  it('throws for every truncation of a request, keeping every block as it was', () => {
    const body = bytes(
      ld(1, ld(1, attr(1, 'service.name', str(1, 'svc'))), str(3, 'rs'), ld(2, ld(1, str(1, 'scope'), vint(4, 2)), str(3, 'ss'),
        ld(2, str(1, 'g'), ld(5, ld(1, ...times(1), dbl(4, 1), attr(7, 'k', vint(3, -1n)), ld(5, dbl(3, 1), raw(4, spanId(1)), attr(7, 'e', str(1, 'x')))))),
        ld(2, str(1, 's'), ld(7, vint(2, 1), vint(3, 1), ld(1, ...times(2), f64(6, 2n)))),
      )),
      ld(1, ld(2,
        ld(2, str(1, 'h'), ld(9, vint(2, 2), ld(1, ...times(3), f64(4, 3n), dbl(5, 1), packedFixed64(6, [1n, 2n]), dbl(7, 5), dbl(11, 0), dbl(12, 9)))),
        ld(2, str(1, 'e'), ld(10, ld(1, ...times(4), vint(6, 3), ld(8, vint(1, 1), raw(2, [1, 2])), ld(9, vint(2, 3))))),
        ld(2, str(1, 'q'), ld(11, ld(1, ...times(5), ld(6, dbl(1, 0.5), dbl(2, 1))))),
      )),
    );
    const [fused, model] = filledBlocks();
    const failures = truncationFailures(body, (prefix) => appendBoth(prefix, fused, model));
    expect(failures).toBe(body.length - 2); // only the empty body and the two whole ResourceMetrics are valid
  });

  it('throws for a bad point after good ones of every type were written, and no block keeps any of them', () => {
    const good = [
      [str(1, 'g'), ld(5, ld(1, ...times(1), dbl(4, 1)))],
      [str(1, 's'), ld(7, ld(1, ...times(2), dbl(4, 1)))],
      [str(1, 'h'), ld(9, ld(1, ...times(3), packedFixed64(6, [1n])))],
      [str(1, 'e'), ld(10, ld(1, ...times(4)))],
      [str(1, 'q'), ld(11, ld(1, ...times(5)))],
    ];
    const badMetrics = [
      [str(1, 'bad'), ld(5, ld(1, attr(7, 'k', [...tag(3, 0), 0xff])))], // truncated varint inside a message
      [str(1, 'bad'), ld(9, ld(1, raw(6, [1, 2, 3])))], // packed fixed64 not a multiple of 8
      [str(1, 'bad'), ld(9, ld(1, raw(7, [1, 2, 3, 4, 5, 6, 7, 8, 9])))], // packed double likewise
      [str(1, 'bad'), ld(10, ld(1, ld(8, raw(2, [0x80]))))], // packed varint cut short
      [str(1, 'bad'), ld(11, ld(1, ld(6, [...tag(1, 1), 1, 2])))], // a double cut short by its message end
      [str(1, 'bad'), ld(7, ld(1, ld(5, [...tag(2, 1), 1])))], // in an exemplar
      [str(1, 'bad'), ld(5, ld(1, ...times(1)), [...tag(2, 6), 1])], // wire type 6 in the data
      [str(1, 'bad'), ld(5, ld(1)), ld(7, ld(1))].concat([[0x00, 0x00]]), // field number 0 in the metric
      [str(1, 'bad'), ld(5, ld(1, [...tag(1, 2), 5, 0x61])), ld(7, ld(1))], // a bad data field replaced by a good one
      [str(1, 'bad'), ld(12, [...tag(1, 2), 5]), ld(5, ld(1))], // bad metadata
      [str(1, 'bad'), tag(7, 4)], // end-group with no start
    ];
    for (const bad of badMetrics) {
      const [fused, model] = filledBlocks();
      const body = bytes(ld(1, ld(2, ...good.map((f) => ld(2, ...f)))), ld(1, ld(2, ld(2, ...good[0]!), ld(2, ...bad))));
      expect(appendBoth(body, fused, model, false)).toMatchObject({ code: 'VIGIL_ERR_BAD_PROTOBUF' });
      // The blocks still work after the rollback.
      appendBoth(kitchenSink(), fused, model);
    }
  });

  it('fails exactly when the decoder fails, for randomly damaged bodies', () => {
    const failures = damageFailures(kitchenSink(), 7, (body) => {
      const [fused, model] = filledBlocks();
      return appendBoth(body, fused, model, false);
    });
    expect(failures).toBeGreaterThan(50);
    expect(failures).toBeLessThan(300);
  });
});
