// The fused protobuf -> otel_traces path against the two steps it replaces: for every body,
// appendTraceRequestProtobuf must write exactly the bytes, and reject exactly the spans, that
// decodeTraceRequest + appendTraces do; a malformed body must throw as the decoder does and
// leave the block as it was.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeRequest } from '../bench/requests.ts';
import { decodeTraceRequest } from '../ingest/otlp/protobuf.ts';
import { appendTraceRequestProtobuf } from '../ingest/rows/traces-protobuf.ts';
import { appendTraces, tracesBlock, type TracesBlock } from '../ingest/rows/traces.ts';
import {
  appendBothWith, attr, bytes, type Bytes, damageFailures, EVERY_VALUE, f32, f64, group, hex, hexIdsToBytes, int, INVALID_UTF8,
  kv, ld, type Outcome, PREFIX_KEYS, protoEncoder, raw, s, spanId, str, tag, TRACE, truncationFailures, UNICODE_KEYS, varint,
  vint,
} from './helpers/fused-protobuf.ts';

// ---- the comparison ----------------------------------------------------------------

/** The fused path against the model path (see appendBothWith). */
const appendBoth = (body: Uint8Array, fused: TracesBlock, model: TracesBlock, sameMessage = true): Outcome =>
  appendBothWith(appendTraceRequestProtobuf, (b, block) => appendTraces(decodeTraceRequest(b), block), body, fused, model, sameMessage);

/** Appends the bodies one after another (so later ones land in a non-empty block). */
function expectSameRows(...bodies: Uint8Array[]): { rows: number; outcomes: Outcome[] } {
  const fused = tracesBlock();
  const model = tracesBlock();
  const outcomes = bodies.map((body) => appendBoth(body, fused, model));
  return { rows: fused.rows, outcomes };
}

const encode = protoEncoder('opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const TRACE2 = hex('4bf92f3577b34da6a3ce929d0e0e4736');

const span = (n: number, fields: Record<string, unknown> = {}) => ({
  traceId: TRACE,
  spanId: spanId(n),
  parentSpanId: n > 1 ? spanId(n - 1) : undefined,
  name: `span ${n}`,
  kind: n % 6,
  startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(n) * 1000n),
  endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(n) * 1000n + 12_345n),
  ...fields,
});

/** Spans that exercise everything a span can hold, with bad ids among good ones. */
function kitchenSinkSpans() {
  return [
    span(1, { attributes: EVERY_VALUE, droppedAttributesCount: 3, flags: 0x301, traceState: 'k1=v1,k2=v2' }),
    span(2, { attributes: EVERY_VALUE.slice(0, 12).reverse() }),
    span(3, { attributes: UNICODE_KEYS, name: 'ünïcödé 名前', status: { code: 2, message: 'ошибка: boom' } }),
    span(4, { attributes: PREFIX_KEYS }),
    span(5, { traceId: hex('0af7651916cd43dd8448eb211c8031'), attributes: [kv('x', s('rejected'))] }), // 15 bytes
    span(6, { traceId: Buffer.alloc(16), attributes: [kv('x', s('rejected'))] }),
    span(7, { traceId: undefined }),
    span(8, { spanId: Buffer.alloc(8) }),
    span(9, { spanId: hex('010203040506070809') }),
    span(10, { parentSpanId: hex('01020304050607') }),
    span(11, { parentSpanId: Buffer.alloc(8) }),
    span(12, {
      events: [
        {
          timeUnixNano: '1700000000000000500',
          name: 'exception',
          attributes: [kv('exception.type', s('Error')), kv('exception.message', s('boom – ü')), kv('a', int(1)), kv('a', int(2))],
          droppedAttributesCount: 1,
        },
        { name: '' },
        { timeUnixNano: '1', attributes: [kv('z', {}), kv('y', { arrayValue: { values: [s('q')] } }), kv('é', s('e'))] },
      ],
      droppedEventsCount: 4,
      links: [
        {
          traceId: TRACE2,
          spanId: spanId(99),
          traceState: 'k=v',
          attributes: [kv('link.b', s('2')), kv('link.a', int(1)), kv('link.b', s('3'))],
          droppedAttributesCount: 2,
          flags: 257,
        },
        { traceId: Buffer.alloc(3, 1), spanId: Buffer.alloc(0) }, // link ids are kept as sent
        {},
      ],
      droppedLinksCount: 5,
    }),
    // Same keys in another order than the last span (its order must not be reused), then in the same.
    // Keys equal in their first 8 bytes, then decided by a non-ASCII byte.
    span(25, { attributes: ['abcdefgh😀', 'abcdefghﬀ', 'abcdefgh', 'abcdefgh!'].map((key) => kv(key, s(key))) }),
    span(26, { attributes: ['abcdefghij😀', 'abcdefghijﬀ', 'abcdefghijé'].map((key) => kv(key, s(key))) }),
    span(13, { attributes: [kv('b', s('1')), kv('a', s('2')), kv('c', s('3'))] }),
    span(14, { attributes: [kv('y', s('1')), kv('x', s('2')), kv('z', s('3'))] }),
    span(15, { attributes: [kv('a', s('1')), kv('b', s('2')), kv('c', s('3'))] }),
    span(16, { attributes: [kv('b', s('1')), kv('a', s('2')), kv('a', s('3'))] }),
    span(17, { attributes: [kv('b', s('1')), kv('a', s('2')), kv('b', s('3'))] }),
    span(18, { kind: 7, status: { code: 3 } }),
    span(19, { kind: -1, status: { code: -1 } }),
    span(20, { startTimeUnixNano: '5000', endTimeUnixNano: '4000' }), // ends before it starts
    span(21, { startTimeUnixNano: String(0x1ffffffffn), endTimeUnixNano: String(0x200000000n) }), // borrow across halves
    span(22, { startTimeUnixNano: '18446744073709551615', endTimeUnixNano: '18446744073709551615' }),
    span(23, { startTimeUnixNano: undefined, endTimeUnixNano: '18446744073709551615' }),
    span(24, { startTimeUnixNano: undefined, endTimeUnixNano: undefined, name: '', status: { code: 1 } }),
  ];
}

function kitchenSink() {
  return encode({
    resourceSpans: [
      {
        resource: {
          attributes: [kv('service.name', s('checkout')), kv('host.name', s('h1')), kv('deployment.environment', s('prod'))],
          droppedAttributesCount: 1,
        },
        scopeSpans: [
          {
            scope: {
              name: '@opentelemetry/instrumentation-http',
              version: '0.200.0',
              attributes: [kv('scope.z', s('1')), kv('scope.a', int(2)), kv('scope.z', s('3'))],
            },
            spans: kitchenSinkSpans(),
            schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
          },
          { spans: [span(30), span(31, { spanId: Buffer.alloc(0) })] }, // no scope
          { scope: { name: 'empty scope' } },
        ],
        schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
      },
      { scopeSpans: [{ scope: { name: 'ünïcode scope', version: 'β' }, spans: [span(40)] }] }, // no resource
      {
        // service.name given twice (the last wins) and not as a string.
        resource: { attributes: [kv('service.name', s('first')), kv('zone', s('b')), kv('service.name', int(7))] },
        scopeSpans: [{ spans: [span(50), span(51, { traceId: Buffer.alloc(0) })] }],
      },
      { resource: { attributes: [kv('service.name', s('no scopes'))] } },
      { resource: { attributes: UNICODE_KEYS.concat(kv('service.name', s('svc ü'))) }, scopeSpans: [{ spans: [span(60)] }] },
      { resource: { attributes: EVERY_VALUE }, scopeSpans: [{ scope: { attributes: EVERY_VALUE }, spans: [span(70)] }] },
    ],
  });
}

// ---- hand-built protobuf ---------------------------------------------------------------

const ids = (n: number): Bytes[] => [raw(1, TRACE), raw(2, spanId(n))];
/** ExportTraceServiceRequest > ResourceSpans > ScopeSpans > the given spans (each a list of fields). */
const spans = (...spanFields: Bytes[][]) => bytes(ld(1, ld(2, ...spanFields.map((f) => ld(2, ...f)))));

// ---- the tests -------------------------------------------------------------------------

describe('appendTraceRequestProtobuf writes what decodeTraceRequest + appendTraces write', () => {
  it('for benchmark requests of several sizes, appended one after another', () => {
    const sizes = [1, 2, 7, 64, 512];
    const { rows, outcomes } = expectSameRows(...sizes.map((n) => makeRequest.traces(n)), makeRequest.traces(512));
    expect(rows).toBe(1098);
    expect(outcomes.every((o) => 'rejected' in o && o.rejected === 0)).toBe(true);
  });

  it('for the OTLP example trace.json, as protobuf', () => {
    const json = readFileSync(new URL('../../shared/testdata/otlp-examples/trace.json', import.meta.url), 'utf8');
    const body = encode(hexIdsToBytes(JSON.parse(json)) as Record<string, unknown>);
    expect(expectSameRows(body, body).rows).toBe(2);
  });

  it('for every AnyValue kind, key order, duplicate, non-ASCII text, event, link and bad id', () => {
    const body = kitchenSink();
    const { rows, outcomes } = expectSameRows(body, body);
    expect(rows).toBe(2 * 24);
    expect(outcomes[0]).toMatchObject({ rejected: 9, message: expect.stringContaining('invalid trace id "0af7651916cd43dd8448eb211c8031"') });
  });

  it('for long attribute lists, each span differently ordered', () => {
    const shuffled = (seed: number) => [...EVERY_VALUE, ...PREFIX_KEYS].sort((a, b) => ((a.key.length * 31 + seed) % 7) - ((b.key.length * 31 + seed) % 7));
    const body = encode({
      resourceSpans: [{ scopeSpans: [{ spans: [1, 2, 3, 4].map((n) => span(n, { attributes: shuffled(n) })) }] }],
    });
    expect(expectSameRows(body).rows).toBe(4);
  });

  it('for resources and scopes that follow their spans or come in parts', () => {
    const resourceSpans = ld(
      1,
      ld(2, ld(2, ...ids(1)), ld(1, str(1, 'late scope'), attr(3, 'scope.attr', str(1, 'x'))), ld(2, ...ids(2)), ld(1, str(2, 'v2'))),
      ld(1, attr(1, 'zone', str(1, 'a')), vint(2, 3)),
      str(3, 'https://schema'),
      ld(1, attr(1, 'service.name', str(1, 'late service')), attr(1, 'zone', str(1, 'b'))),
      ld(2, ld(1, str(1, 'first')), ld(1, str(1, 'second')), ld(2, ...ids(3))),
    );
    expect(expectSameRows(bytes(resourceSpans, resourceSpans)).rows).toBe(6);
  });

  it('for repeated fields, unknown fields, groups and known fields with another wire type', () => {
    const unknown = [vint(100, 5), f32(101, 1), f64(102, 1n), str(103, 'x'), group(104, vint(1, 1), group(2, str(3, 'y')))];
    const body = spans(
      [
        raw(1, Buffer.alloc(16)), // a bad trace id, replaced by the next
        ...ids(1),
        str(5, 'first name'),
        str(5, 'second name'),
        ld(15, str(2, 'status message')),
        ld(15, vint(3, 2), ...unknown),
        ld(6, [1]), // kind with the wrong wire type: skipped
        vint(5, 7), // name with the wrong wire type: skipped
        ...unknown,
        attr(9, 'two values', str(1, 'text'), vint(3, 5)),
        attr(9, 'two values reversed', vint(3, 5), str(1, 'text')),
        ld(9, str(1, 'key'), str(1, 'key twice'), ld(2, str(1, 'one')), ld(2, vint(2, 1)), ...unknown),
        attr(9, 'unknown only', ...unknown),
        attr(9, 'string as varint', vint(1, 3)),
        attr(9, 'bool 2', vint(2, 2)),
        attr(9, 'bool 10 bytes', vint(2, -1n)),
        attr(9, 'int overlong 0', [...tag(3, 0), 0x80, 0x00]),
        attr(9, 'int -1', vint(3, -1n)),
        attr(9, 'int bits past 64', [...tag(3, 0), ...Array(9).fill(0xff), 0x7f]),
        attr(9, 'double then string', f64(4, 0x3fb999999999999an), str(1, 's')),
        ld(11, f64(1, 7n), str(2, 'event'), attr(3, 'e', str(1, 'v')), vint(4, 1), ...unknown),
        ld(13, ...ids(9), str(3, 'ts'), attr(4, 'l', str(1, 'v')), vint(5, 1), f32(6, 1), ...unknown),
        vint(10, 2n ** 40n + 1n), // counts keep their low 32 bits, as the decoder reads them
        vint(12, -1n),
        f32(16, 0xffffffff),
      ],
      [...ids(2), vint(6, 2n ** 32n + 1n), ld(15, vint(3, -2n)), f64(7, 2n ** 63n), f64(8, 2n ** 63n - 1n)],
    );
    expect(expectSameRows(body).rows).toBe(2);
  });

  it('for text that is not UTF-8, anywhere a string goes', () => {
    // And all of them in one span, every field repeated.
    const allInOne = INVALID_UTF8.flatMap((text, i) => [
      ...ids(i + 1),
      raw(3, text),
      raw(5, text),
      ld(15, raw(2, text)),
      attr(9, text, raw(1, text)),
      attr(9, `k${i}`, raw(1, text)),
      ld(11, raw(2, text), attr(3, text, raw(1, text))),
      ld(13, raw(3, text), attr(4, text, str(1, 'x'))),
    ]);
    const perSpan = INVALID_UTF8.map((text, i) => [
      ...ids(i + 1),
      raw(3, text),
      raw(5, text),
      ld(15, raw(2, text)),
      attr(9, text, raw(1, text)),
      attr(9, 'plain', raw(1, text)),
      ld(11, raw(2, text), attr(3, text, raw(1, text))),
      ld(13, raw(3, text), attr(4, text, str(1, 'x'))),
    ]);
    // Different bytes that decode to the same key (U+FFFD): one entry, the last.
    const sameKey = [...ids(50), attr(9, [0xff], str(1, 'first')), attr(9, [0xfe], str(1, 'second')), attr(9, [0x80], str(1, 'third'))];
    // A key that is a prefix of another in bytes, but decodes to U+FFFD where the other has '€'
    // (U+20AC), so sorts after it; shorter and longer than the 8 bytes compared as words.
    const prefixes = ['ab', 'abcdefgh', 'abcdefghij'].map((p, i) => [
      ...ids(51 + i),
      attr(9, [...Buffer.from(p), 0xe2], str(1, 'cut')),
      attr(9, [...Buffer.from(p), 0xe2, 0x82, 0xac], str(1, '€')),
    ]);
    const resource = ld(1, ld(1, attr(1, [0xff], str(1, 'r')), attr(1, 'service.name', raw(1, [0xc3]))), ld(2, ld(1, raw(1, [0xe2]), raw(2, [0xff]), attr(3, [0xc0], raw(1, [0x80]))), ld(2, ...ids(60))));
    expect(expectSameRows(spans(...perSpan, sameKey, ...prefixes), bytes(resource), spans(allInOne)).rows).toBe(INVALID_UTF8.length + 6);
  });

  it('for AnyValues nested up to the depth limit', () => {
    let value: Bytes = str(1, 'deep');
    for (let i = 0; i < 100; i++) value = ld(5, ld(1, value));
    expect(expectSameRows(spans([...ids(1), attr(9, 'deep', value)])).rows).toBe(1);
  });
});

describe('appendTraceRequestProtobuf on malformed protobuf', () => {
  /** A block that already holds rows, so a failed append has something to keep intact. */
  function filledBlocks(): [TracesBlock, TracesBlock] {
    const fused = tracesBlock();
    const model = tracesBlock();
    appendBoth(makeRequest.traces(3), fused, model);
    return [fused, model];
  }

  it('throws for every truncation of a request, keeping the block as it was', () => {
    const body = bytes(
      ld(1, ld(1, attr(1, 'service.name', str(1, 'svc'))), ld(2, ld(1, str(1, 'scope')), ld(2, ...ids(1), str(5, 'n'), f64(7, 5n), attr(9, 'k', vint(3, -1n)), ld(11, f64(1, 1n), attr(3, 'a', ld(5, ld(1, str(1, 'x'))))), ld(15, vint(3, 2))))),
      ld(1, ld(2, ld(2, ...ids(2), f64(8, 9n), ld(13, ...ids(3), attr(4, 'b', f64(4, 1n))), f32(16, 1)), ld(2, ...ids(4), attr(9, 'c', raw(7, [1, 2]))))),
    );
    const [fused, model] = filledBlocks();
    const failures = truncationFailures(body, (prefix) => appendBoth(prefix, fused, model));
    expect(failures).toBe(body.length - 2); // only the empty body and the two whole ResourceSpans are valid
  });

  it('throws when a field runs past the end of its message, at every level', () => {
    // Each message below says it is 2 bytes shorter than its fields: its last string ends in
    // 1a 00, which its parent reads as a valid field (3, empty), so only the check at the end
    // of the message itself can tell.
    const text = (field: number, s: string) => str(field, `${s}\x1a\x00`);
    const short = (field: number, ...parts: Bytes[]): Bytes => {
      const body = parts.flat();
      return [...tag(field, 2), ...varint(body.length - 2), ...body];
    };
    const inScope = (...fields: Bytes[]) => bytes(ld(1, ld(2, ...fields)));
    const inSpan = (...fields: Bytes[]) => spans([...ids(1), ...fields]);
    const inValue = (...fields: Bytes[]) => inSpan(ld(9, str(1, 'k'), ...fields));
    const bodies = [
      bytes(short(1, text(3, 'schema url'))), // ResourceSpans
      bytes(ld(1, short(1, ld(1, str(1, 'key'), ld(2, text(1, 'value')))))), // Resource
      bytes(ld(1, short(2, ld(2, ...ids(1), text(5, 'span name'))))), // ScopeSpans
      inScope(short(1, text(1, 'scope name'))), // InstrumentationScope
      inScope(short(2, ...ids(1), text(5, 'span name'))), // Span
      inSpan(short(11, text(2, 'event name'))), // Span.Event
      inSpan(short(13, text(3, 'trace state'))), // Span.Link
      inSpan(short(15, text(2, 'status message'))), // Status
      inSpan(short(9, str(1, 'key'), ld(2, text(1, 'value')))), // KeyValue
      inValue(short(2, text(1, 'string value'))), // AnyValue
      inValue(ld(2, short(5, ld(1, text(1, 'array element'))))), // ArrayValue
      inValue(ld(2, short(6, ld(1, str(1, 'k'), ld(2, text(1, 'list value')))))), // KeyValueList
      inValue(ld(2, ld(6, ld(1, str(1, 'k'), short(2, text(1, 'nested value')))))), // an AnyValue in a KeyValueList
    ];
    for (const body of bodies) {
      const [fused, model] = filledBlocks();
      expect(appendBoth(body, fused, model)).toMatchObject({ code: 'VIGIL_ERR_BAD_PROTOBUF', error: expect.stringMatching(/running on to byte/) });
    }
  });

  it('throws for a bad span after good ones were written, and the block keeps none of them', () => {
    const badSpans = [
      [...ids(3), attr(9, 'k', [...tag(3, 0), 0xff])], // truncated varint inside a message
      [...ids(3), [...tag(5, 6), 1]], // wire type 6
      [...ids(3), [0x00, 0x00]], // field number 0
      [...ids(3), tag(7, 4)], // end-group with no start
      [...ids(3), ld(11, [...tag(1, 1), 1, 2, 3])], // fixed64 cut short by its message end
      [...ids(3), ld(15, [...tag(2, 2), 5, 0x61])], // a length past its message end
    ];
    let deep: Bytes = str(1, 'too deep');
    for (let i = 0; i < 101; i++) deep = ld(5, ld(1, deep));
    badSpans.push([...ids(3), attr(9, 'deep', deep)]);
    for (const bad of badSpans) {
      const [fused, model] = filledBlocks();
      const body = bytes(ld(1, ld(2, ld(2, ...ids(1)), ld(2, ...ids(2)))), ld(1, ld(2, ld(2, ...bad))));
      expect(appendBoth(body, fused, model)).toMatchObject({ code: 'VIGIL_ERR_BAD_PROTOBUF' });
      // The block still works after the rollback.
      appendBoth(makeRequest.traces(2), fused, model);
    }
  });

  it('fails exactly when the decoder fails, for randomly damaged bodies', () => {
    const failures = damageFailures(kitchenSink(), 42, (body) => {
      const [fused, model] = filledBlocks();
      return appendBoth(body, fused, model, false);
    });
    expect(failures).toBeGreaterThan(50);
    expect(failures).toBeLessThan(300);
  });
});
