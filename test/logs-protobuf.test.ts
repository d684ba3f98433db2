// The fused protobuf -> otel_logs path against the two steps it replaces: for every body,
// appendLogsRequestProtobuf must write exactly the bytes, and reject exactly the records, that
// decodeLogsRequest + appendLogs do; a malformed body must throw as the decoder does and
// leave the block as it was.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeRequest } from '../bench/requests.ts';
import { decodeLogsRequest } from '../ingest/otlp/protobuf.ts';
import { appendLogsRequestProtobuf } from '../ingest/rows/logs-protobuf.ts';
import { appendLogs, logsBlock, type LogsBlock } from '../ingest/rows/logs.ts';
import {
  appendBothWith, attr, bytes, type Bytes, damageFailures, EVERY_VALUE, f32, f64, group, hex, hexIdsToBytes, int, INVALID_UTF8,
  kv, ld, type Outcome, PREFIX_KEYS, protoEncoder, raw, s, spanId, str, tag, TRACE, truncationFailures, UNICODE_KEYS, varint,
  vint,
} from './helpers/fused-protobuf.ts';

// The time of receipt both paths are given: past 2^32 in both halves, to show the split.
const RECEIVED = 1_800_000_000_123_456_789n;

// ---- the comparison ----------------------------------------------------------------

/** The fused path against the model path (see appendBothWith), both given `received`. */
const appendBoth = (body: Uint8Array, fused: LogsBlock, model: LogsBlock, sameMessage = true, received = RECEIVED): Outcome =>
  appendBothWith(
    (b, block: LogsBlock) => appendLogsRequestProtobuf(b, block, received),
    (b, block) => appendLogs(decodeLogsRequest(b), block, received),
    body,
    fused,
    model,
    sameMessage,
  );

/** Appends the bodies one after another (so later ones land in a non-empty block). */
function expectSameRows(...bodies: Uint8Array[]): { rows: number; outcomes: Outcome[] } {
  const fused = logsBlock();
  const model = logsBlock();
  const outcomes = bodies.map((body) => appendBoth(body, fused, model));
  return { rows: fused.rows, outcomes };
}

const encode = protoEncoder('opentelemetry/proto/collector/logs/v1/logs_service.proto', 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');

const example = (name: string) => {
  const json = readFileSync(new URL(`../../shared/testdata/otlp-examples/${name}`, import.meta.url), 'utf8');
  return encode(hexIdsToBytes(JSON.parse(json)) as Record<string, unknown>);
};

const record = (n: number, fields: Record<string, unknown> = {}) => ({
  timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(n) * 1000n),
  observedTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(n) * 1000n + 7n),
  severityNumber: n % 25,
  severityText: n % 2 === 0 ? 'INFO' : 'ERROR',
  body: s(`record ${n}`),
  traceId: TRACE,
  spanId: spanId(n),
  ...fields,
});

/** A body of every AnyValue kind, and no body at all. */
const BODIES: Array<Record<string, unknown> | undefined> = [...EVERY_VALUE.map((a) => a.value), undefined];

/** Records that exercise everything a record can hold, with bad ids among good ones. */
function kitchenSinkRecords() {
  return [
    ...BODIES.map((body, i) => record(i + 1, { body })),
    record(100, { attributes: EVERY_VALUE, droppedAttributesCount: 3, flags: 0x1ff, eventName: 'ünïcödé.event' }),
    record(101, { attributes: UNICODE_KEYS, body: s('ошибка: boom 日本語 😀'), severityText: 'ОШИБКА' }),
    record(102, { attributes: PREFIX_KEYS, flags: 0xffffffff }),
    record(103, { attributes: EVERY_VALUE.slice(0, 12).reverse(), flags: 1 }),
    // Timestamps: each fallback, and times with the high bit set.
    record(110, { timeUnixNano: undefined }),
    record(111, { observedTimeUnixNano: undefined }),
    record(112, { timeUnixNano: undefined, observedTimeUnixNano: undefined }),
    record(113, { timeUnixNano: '18446744073709551615', observedTimeUnixNano: '9223372036854775808' }),
    record(114, { timeUnixNano: '4294967296', observedTimeUnixNano: '4294967295' }),
    // Ids: absent ones are fine, bad ones reject the record.
    record(120, { traceId: undefined, spanId: undefined }),
    record(121, { traceId: undefined }),
    record(122, { spanId: undefined }),
    record(123, { traceId: hex('0af7651916cd43dd8448eb211c8031'), attributes: [kv('x', s('rejected'))] }), // 15 bytes
    record(124, { traceId: Buffer.alloc(16), body: { arrayValue: { values: [s('rejected')] } } }),
    record(125, { spanId: Buffer.alloc(8) }),
    record(126, { spanId: hex('010203040506070809') }),
    record(127, { traceId: Buffer.alloc(3), spanId: Buffer.alloc(0) }),
    record(128, { traceId: undefined, spanId: hex('01') }),
    // Same keys in other orders (the last order must not be reused), and repeated keys.
    record(130, { attributes: [kv('b', s('1')), kv('a', s('2')), kv('c', s('3'))] }),
    record(131, { attributes: [kv('y', s('1')), kv('x', s('2')), kv('z', s('3'))] }),
    record(132, { attributes: [kv('a', s('1')), kv('b', s('2')), kv('c', s('3'))] }),
    record(133, { attributes: [kv('b', s('1')), kv('a', s('2')), kv('a', s('3'))] }),
    record(134, { severityNumber: 300, severityText: '', body: s(''), eventName: '' }),
    record(135, { severityNumber: -1 }),
    {},
  ];
}

function kitchenSink() {
  return encode({
    resourceLogs: [
      {
        resource: {
          attributes: [kv('service.name', s('checkout')), kv('host.name', s('h1')), kv('deployment.environment', s('prod'))],
          droppedAttributesCount: 1,
        },
        scopeLogs: [
          {
            scope: { name: 'pino', version: '10.0.0', attributes: [kv('scope.z', s('1')), kv('scope.a', int(2)), kv('scope.z', s('3'))] },
            logRecords: kitchenSinkRecords(),
            schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
          },
          { logRecords: [record(200), record(201, { spanId: Buffer.alloc(0), traceId: Buffer.alloc(0) })] }, // no scope
          { scope: { name: 'empty scope' }, schemaUrl: 'https://scope/ü' },
        ],
        schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
      },
      { scopeLogs: [{ scope: { name: 'ünïcode scope', version: 'β' }, logRecords: [record(300)] }] }, // no resource
      {
        // service.name given twice (the last wins) and not as a string.
        resource: { attributes: [kv('service.name', s('first')), kv('zone', s('b')), kv('service.name', int(7))] },
        scopeLogs: [{ logRecords: [record(400), record(401, { traceId: Buffer.alloc(1) })], schemaUrl: 'https://s' }],
        schemaUrl: 'https://r',
      },
      { resource: { attributes: [kv('service.name', s('no scopes'))] }, schemaUrl: 'https://lonely' },
      { resource: { attributes: UNICODE_KEYS.concat(kv('service.name', s('svc ü'))) }, scopeLogs: [{ logRecords: [record(500)] }] },
      { resource: { attributes: EVERY_VALUE }, scopeLogs: [{ scope: { attributes: EVERY_VALUE }, logRecords: [record(600)] }] },
    ],
  });
}

// ---- hand-built protobuf ---------------------------------------------------------------

const ids = (n: number): Bytes[] => [raw(9, TRACE), raw(10, spanId(n))];
/** ExportLogsServiceRequest > ResourceLogs > ScopeLogs > the given records (each a list of fields). */
const records = (...recordFields: Bytes[][]) => bytes(ld(1, ld(2, ...recordFields.map((f) => ld(2, ...f)))));

// ---- the tests -------------------------------------------------------------------------

describe('appendLogsRequestProtobuf writes what decodeLogsRequest + appendLogs write', () => {
  it('for benchmark requests of several sizes, appended one after another', () => {
    const sizes = [1, 2, 7, 64, 512];
    const { rows, outcomes } = expectSameRows(...sizes.map((n) => makeRequest.logs(n)), makeRequest.logs(512));
    expect(rows).toBe(1098);
    expect(outcomes.every((o) => 'rejected' in o && o.rejected === 0)).toBe(true);
  });

  it('for the OTLP examples logs.json and events.json, as protobuf', () => {
    const logs = example('logs.json');
    const events = example('events.json');
    expect(expectSameRows(logs, events, logs, events).rows).toBe(4);
  });

  it('for every body kind, timestamp fallback, flag, key order, bad id, resource and scope', () => {
    const body = kitchenSink();
    const { rows, outcomes } = expectSameRows(body, body);
    const all = kitchenSinkRecords().length + 7;
    const rejected = 7;
    expect(rows).toBe(2 * (all - rejected));
    expect(outcomes[0]).toMatchObject({
      rejected,
      message: expect.stringContaining(`resourceLogs[0].scopeLogs[0].logRecords[${BODIES.length + 12}]: invalid trace id "0af7651916cd43dd8448eb211c8031"`),
    });
  });

  it('for any time of receipt, including 0 and one past 2^63', () => {
    const body = encode({ resourceLogs: [{ scopeLogs: [{ logRecords: [record(1, { timeUnixNano: undefined, observedTimeUnixNano: undefined }), record(2)] }] }] });
    for (const received of [0n, 1n, 4294967296n, 2n ** 63n, 2n ** 64n - 1n, RECEIVED]) {
      const fused = logsBlock();
      const model = logsBlock();
      appendBoth(body, fused, model, true, received);
      expect(fused.rows).toBe(2);
    }
  });

  it('for long attribute lists, each record differently ordered', () => {
    const shuffled = (seed: number) => [...EVERY_VALUE, ...PREFIX_KEYS].sort((a, b) => ((a.key.length * 31 + seed) % 7) - ((b.key.length * 31 + seed) % 7));
    const body = encode({ resourceLogs: [{ scopeLogs: [{ logRecords: [1, 2, 3, 4].map((n) => record(n, { attributes: shuffled(n) })) }] }] });
    expect(expectSameRows(body).rows).toBe(4);
  });

  it('for resources, scopes and schema URLs that follow their records or come in parts', () => {
    const resourceLogs = ld(
      1,
      ld(2, ld(2, ...ids(1)), ld(1, str(1, 'late scope'), attr(3, 'scope.attr', str(1, 'x'))), str(3, 'scope schema 1'), ld(2, ...ids(2)), ld(1, str(2, 'v2')), str(3, 'scope schema 2')),
      ld(1, attr(1, 'zone', str(1, 'a')), vint(2, 3)),
      str(3, 'https://schema'),
      ld(1, attr(1, 'service.name', str(1, 'late service')), attr(1, 'zone', str(1, 'b'))),
      vint(3, 1), // schema_url with the wrong wire type: skipped
      ld(2, ld(1, str(1, 'first')), ld(1, str(1, 'second')), ld(2, ...ids(3))),
      str(3, 'https://schema/last'),
    );
    expect(expectSameRows(bytes(resourceLogs, resourceLogs)).rows).toBe(6);
  });

  it('for repeated fields, unknown fields, groups and known fields with another wire type', () => {
    const unknown = [vint(100, 5), f32(101, 1), f64(102, 1n), str(103, 'x'), group(104, vint(1, 1), group(2, str(3, 'y')))];
    const body = records(
      [
        raw(9, Buffer.alloc(16)), // a bad trace id, replaced by the next
        ...ids(1),
        str(3, 'first severity'),
        str(3, 'second severity'),
        ld(5, str(1, 'first body')),
        ld(5, vint(3, 42), ...unknown), // a second body replaces the first
        ld(5, str(1, 'text'), vint(3, 5)), // and the last value field of a body wins
        ld(12, [1]), // wrong wire types: skipped
        vint(3, 7),
        f64(2, 1n),
        ...unknown,
        attr(6, 'two values', str(1, 'text'), vint(3, 5)),
        ld(6, str(1, 'key'), str(1, 'key twice'), ld(2, str(1, 'one')), ld(2, vint(2, 1)), ...unknown),
        attr(6, 'bool 10 bytes', vint(2, -1n)),
        attr(6, 'int bits past 64', [...tag(3, 0), ...Array(9).fill(0xff), 0x7f]),
        vint(2, 2n ** 32n + 9n), // severity keeps its low 32 bits, as the decoder reads it
        vint(7, 2n ** 40n + 1n),
        f32(8, 0x12345),
        f32(8, 0xabcdef), // the last flags win
        str(12, 'event'),
        f64(1, 1n),
        f64(11, 2n),
      ],
      [...ids(2), ld(5, vint(3, -1n))],
      [...ids(3), ld(5, f64(4, 0x3fb999999999999an))],
      [...ids(4), ld(5, vint(2, 0))],
      [...ids(5), ld(5, raw(7, [0xff, 0, 1]))],
      [...ids(6), ld(5)], // an empty body
      [...ids(7), ld(5, ld(5, ld(1, str(1, 'x')), ld(1, vint(3, 1))))],
      [...ids(8), ld(5, ld(6, ld(1, str(1, 'k'), ld(2, str(1, 'v')))))],
    );
    expect(expectSameRows(body).rows).toBe(8);
  });

  it('for text that is not UTF-8, anywhere a string goes', () => {
    const perRecord = INVALID_UTF8.map((text, i) => [
      ...ids(i + 1),
      raw(3, text),
      ld(5, raw(1, text)),
      attr(6, text, raw(1, text)),
      attr(6, 'plain', raw(1, text)),
      raw(12, text),
    ]);
    const inKvlistBody = INVALID_UTF8.map((text, i) => [...ids(i + 20), ld(5, ld(6, ld(1, raw(1, text), ld(2, raw(1, text)))))]);
    const envelope = ld(
      1,
      ld(1, attr(1, [0xff], str(1, 'r')), attr(1, 'service.name', raw(1, [0xc3]))),
      raw(3, [0xe2, 0x82]),
      ld(2, ld(1, raw(1, [0xe2]), raw(2, [0xff]), attr(3, [0xc0], raw(1, [0x80]))), raw(3, [0xed, 0xa0, 0x80]), ld(2, ...ids(60))),
    );
    expect(expectSameRows(records(...perRecord, ...inKvlistBody), bytes(envelope)).rows).toBe(2 * INVALID_UTF8.length + 1);
  });

  it('for bodies nested up to the depth limit', () => {
    let value: Bytes = str(1, 'deep');
    for (let i = 0; i < 100; i++) value = ld(5, ld(1, value));
    expect(expectSameRows(records([...ids(1), ld(5, value)])).rows).toBe(1);
  });
});

describe('appendLogsRequestProtobuf on malformed protobuf', () => {
  /** A block that already holds rows, so a failed append has something to keep intact. */
  function filledBlocks(): [LogsBlock, LogsBlock] {
    const fused = logsBlock();
    const model = logsBlock();
    appendBoth(makeRequest.logs(3), fused, model);
    return [fused, model];
  }

  it('throws for every truncation of a request, keeping the block as it was', () => {
    const body = bytes(
      ld(1, ld(1, attr(1, 'service.name', str(1, 'svc'))), str(3, 'rs'), ld(2, ld(1, str(1, 'scope')), str(3, 'ss'), ld(2, ...ids(1), str(3, 'INFO'), f64(1, 5n), attr(6, 'k', vint(3, -1n)), ld(5, ld(5, ld(1, str(1, 'x')))), f32(8, 1)))),
      ld(1, ld(2, ld(2, ...ids(2), f64(11, 9n), ld(5, f64(4, 1n)), str(12, 'ev')), ld(2, ...ids(3), ld(5, raw(7, [1, 2])), vint(2, 9)))),
    );
    const [fused, model] = filledBlocks();
    const failures = truncationFailures(body, (prefix) => appendBoth(prefix, fused, model));
    expect(failures).toBe(body.length - 2); // only the empty body and the two whole ResourceLogs are valid
  });

  it('throws when a field runs past the end of its message, at every level', () => {
    // Each message below says it is 2 bytes shorter than its fields: its last string ends in
    // 1a 00, which its parent reads as a valid field (3, empty), so only the check at the end
    // of the message itself can tell.
    const text = (field: number, t: string) => str(field, `${t}\x1a\x00`);
    const short = (field: number, ...parts: Bytes[]): Bytes => {
      const body = parts.flat();
      return [...tag(field, 2), ...varint(body.length - 2), ...body];
    };
    const inScope = (...fields: Bytes[]) => bytes(ld(1, ld(2, ...fields)));
    const inRecord = (...fields: Bytes[]) => records([...ids(1), ...fields]);
    const bodies = [
      bytes(short(1, text(3, 'schema url'))), // ResourceLogs
      bytes(ld(1, short(1, ld(1, str(1, 'key'), ld(2, text(1, 'value')))))), // Resource
      bytes(ld(1, short(2, ld(2, ...ids(1), text(3, 'severity'))))), // ScopeLogs
      inScope(short(1, text(1, 'scope name'))), // InstrumentationScope
      inScope(short(2, ...ids(1), text(3, 'severity'))), // LogRecord
      inRecord(short(6, str(1, 'key'), ld(2, text(1, 'value')))), // KeyValue
      inRecord(short(5, text(1, 'string body'))), // the body
      inRecord(ld(5, short(5, ld(1, text(1, 'array element'))))), // ArrayValue
      inRecord(ld(5, short(6, ld(1, str(1, 'k'), ld(2, text(1, 'list value')))))), // KeyValueList
    ];
    for (const body of bodies) {
      const [fused, model] = filledBlocks();
      expect(appendBoth(body, fused, model)).toMatchObject({ code: 'VIGIL_ERR_BAD_PROTOBUF', error: expect.stringMatching(/running on to byte/) });
    }
  });

  it('throws for a bad record after good ones were written, and the block keeps none of them', () => {
    const badRecords = [
      [...ids(3), attr(6, 'k', [...tag(3, 0), 0xff])], // truncated varint inside a message
      [...ids(3), [...tag(3, 6), 1]], // wire type 6
      [...ids(3), [0x00, 0x00]], // field number 0
      [...ids(3), tag(7, 4)], // end-group with no start
      [...ids(3), [...tag(1, 1), 1, 2, 3]], // fixed64 cut short by its message end
      [...ids(3), ld(5, [...tag(1, 2), 5, 0x61])], // a length past its message end
    ];
    let deep: Bytes = str(1, 'too deep');
    for (let i = 0; i < 101; i++) deep = ld(5, ld(1, deep));
    badRecords.push([...ids(3), ld(5, deep)]);
    for (const bad of badRecords) {
      const [fused, model] = filledBlocks();
      const body = bytes(ld(1, ld(2, ld(2, ...ids(1)), ld(2, ...ids(2)))), ld(1, ld(2, ld(2, ...bad))));
      expect(appendBoth(body, fused, model)).toMatchObject({ code: 'VIGIL_ERR_BAD_PROTOBUF' });
      // The block still works after the rollback.
      appendBoth(makeRequest.logs(2), fused, model);
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
