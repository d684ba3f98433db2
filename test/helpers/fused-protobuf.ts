// For the tests of the fused protobuf -> rows paths (test/traces-protobuf.test.ts,
// test/logs-protobuf.test.ts, test/metrics-protobuf.test.ts): comparing a fused path's
// blocks with its model path's, and building protobuf bodies, with protobufjs over the
// project's .proto files or by hand (for what protobufjs does not write: unknown fields,
// groups, bad UTF-8, bad wire types).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { expect } from 'vitest';
import type { Rejections } from '../../ingest/rows/validate.ts';
import { VigilError } from '../../schemas/errors.ts';
import type { NativeBlock, NativeColumn } from '../../schemas/native.ts';

// ---- the comparison ----------------------------------------------------------------

export type Outcome = { rejected: number; message: string } | { code: string; error: string };

function outcome(append: () => Rejections): Outcome {
  try {
    const rejected = append();
    return { rejected: rejected.count, message: rejected.message };
  } catch (err) {
    if (!(err instanceof VigilError)) throw err;
    return { code: err.code, error: err.message };
  }
}

type Block = NativeBlock<Record<string, NativeColumn>>;

/** Each column's bytes, so that a difference names its column (latin1 keeps them readable). */
function columnBytes(block: Block): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of block.names) {
    const chunks: Uint8Array[] = [];
    block.columns[name]!.chunks(chunks);
    out[name] = Buffer.concat(chunks).toString('latin1');
  }
  return out;
}

/**
 * Appends `body` to `fused` by `fusedAppend` and to `model` by `modelAppend`, which must
 * end up identical; on a malformed body both must fail alike (with the same message unless
 * `sameMessage` is false) and `fused` must be as it was. Returns what happened.
 */
export function appendBothWith<B>(
  fusedAppend: (body: Uint8Array, block: B) => Rejections,
  modelAppend: (body: Uint8Array, block: B) => Rejections,
  body: Uint8Array,
  fused: B,
  model: B,
  sameMessage = true,
): Outcome {
  return appendBothInto(fusedAppend, modelAppend, body, fused, model, (b) => [b], sameMessage);
}

/** appendBothWith for appends into several blocks (`blocksOf` lists them, in the same order for both). */
export function appendBothInto<B>(
  fusedAppend: (body: Uint8Array, blocks: B) => Rejections,
  modelAppend: (body: Uint8Array, blocks: B) => Rejections,
  body: Uint8Array,
  fused: B,
  model: B,
  blocksOf: (blocks: B) => unknown[],
  sameMessage = true,
): Outcome {
  const fs = blocksOf(fused) as Block[];
  const ms = blocksOf(model) as Block[];
  const before = fs.map((f) => f.encode());
  const a = outcome(() => fusedAppend(body, fused));
  const b = outcome(() => modelAppend(body, model));
  if (sameMessage || !('code' in a) || !('code' in b)) expect(a).toEqual(b);
  else expect(a.code).toBe(b.code);
  fs.forEach((f, i) => {
    const m = ms[i]!;
    if ('code' in a) expect(f.encode().equals(before[i]!)).toBe(true);
    expect(columnBytes(f)).toEqual(columnBytes(m));
    expect(f.encode().equals(m.encode())).toBe(true);
  });
  return a;
}

// ---- protobufjs over the project's .proto files ----------------------------------------

const protoDir = fileURLToPath(new URL('../../schemas/otlp/', import.meta.url));

/** An encoder of the request message `type` declared in the .proto file `file`. */
export function protoEncoder(file: string, type: string): (request: Record<string, unknown>) => Uint8Array {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protoDir, target);
  root.loadSync(file);
  const message = root.lookupType(type);
  return (request) => message.encode(message.fromObject(request)).finish();
}

// OTLP/JSON ids are hex where proto3 JSON (and so protobufjs) expects base64.
const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);
export function hexIdsToBytes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hexIdsToBytes);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, ID_KEYS.has(k) && typeof x === 'string' ? Buffer.from(x, 'hex') : hexIdsToBytes(x)]),
  );
}

export const hex = (s: string) => Buffer.from(s, 'hex');
export const TRACE = hex('0af7651916cd43dd8448eb211c80319c');
export const spanId = (n: number) => hex(n.toString(16).padStart(16, '0'));
export const kv = (key: string, value: Record<string, unknown> | undefined) => (value === undefined ? { key } : { key, value });
export const s = (stringValue: string) => ({ stringValue });
export const int = (intValue: number | string) => ({ intValue });

// ---- hand-built protobuf ---------------------------------------------------------------

export type Bytes = number[];
export function varint(value: number | bigint): Bytes {
  let n = BigInt.asUintN(64, BigInt(value));
  const out: Bytes = [];
  do {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    out.push(n === 0n ? b : b | 0x80);
  } while (n !== 0n);
  return out;
}
export const tag = (field: number, wireType: number) => varint((field << 3) | wireType);
export const vint = (field: number, v: number | bigint): Bytes => [...tag(field, 0), ...varint(v)];
const le64 = (v: bigint): Bytes => [...Buffer.from(new BigUint64Array([BigInt.asUintN(64, v)]).buffer)];
export const f64 = (field: number, v: bigint): Bytes => [...tag(field, 1), ...le64(v)];
export const f32 = (field: number, v: number): Bytes => [...tag(field, 5), ...Buffer.from(new Uint32Array([v]).buffer)];
export const ld = (field: number, ...parts: Bytes[]): Bytes => {
  const body = parts.flat();
  return [...tag(field, 2), ...varint(body.length), ...body];
};
export const raw = (field: number, b: Uint8Array | Bytes): Bytes => ld(field, [...b]);
export const str = (field: number, text: string): Bytes => raw(field, Buffer.from(text));
export const bytes = (...parts: Bytes[]) => Uint8Array.from(parts.flat());
export const group = (field: number, ...parts: Bytes[]): Bytes => [...tag(field, 3), ...parts.flat(), ...tag(field, 4)];

/** A KeyValue at `field`: the key as text or raw bytes, then the AnyValue's fields. */
export const attr = (field: number, key: string | Bytes, ...anyValueFields: Bytes[]): Bytes =>
  ld(field, typeof key === 'string' ? str(1, key) : raw(1, key), ld(2, ...anyValueFields));

// Bytes that are not UTF-8: decoding replaces them with U+FFFD, so they must be written that way.
export const INVALID_UTF8: Bytes[] = [
  [0xff, 0x61],
  [0xc3],
  [0xed, 0xa0, 0x80], // a surrogate
  [0xc0, 0x80], // overlong
  [0xe2, 0x82, 0x78],
  [0xf0, 0x9f, 0x98], // truncated 4-byte sequence
  [0x80],
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [...Buffer.from('a'.repeat(150)), 0xff], // past 128 bytes: a 2-byte length
  [...Buffer.from('é'.repeat(70)), 0xc3],
];

// ---- values ------------------------------------------------------------------------------

const INTS = [
  0, 1, -1, 9, 10, 99, 100, 2147483647, 2147483648, -2147483648, -2147483649, 4294967295, 4294967296,
  999999999999999, 1000000000000000, -1000000000000000, '9007199254740991', '9007199254740992', '9007199254740993',
  '-9007199254740991', '-9007199254740992', '-9007199254740993', '9223372036854775807', '-9223372036854775808',
  '1234567890123456789', '-1234567890123456789',
];
const DOUBLES = [0, -0, 0.1, 1.5, -2.75, 1e21, 1e-7, 123456789.123, 5e-324, Number.MAX_VALUE, 2 ** 53, NaN, Infinity, -Infinity];

/** One attribute of every AnyValue kind, and every edge of each. */
export const EVERY_VALUE = [
  kv('s', s('plain')),
  kv('s.empty', s('')),
  kv('s.unicode', s('héllo wörld – 日本語 😀 \u{10FFFF} \uFEFFbom "quoted" \\ back')),
  kv('s.long', s('x'.repeat(200) + 'é'.repeat(100))),
  kv('b.true', { boolValue: true }),
  kv('b.false', { boolValue: false }),
  ...INTS.map((v, i) => kv(`i.${String(i).padStart(2, '0')}`, int(v))),
  ...DOUBLES.map((v, i) => kv(`d.${i}`, { doubleValue: v })),
  kv('bytes', { bytesValue: Buffer.from([0, 1, 2, 0xfe, 0xff]) }),
  kv('bytes.empty', { bytesValue: Buffer.alloc(0) }),
  kv('array', {
    arrayValue: {
      values: [
        s('a"b\n'), int(-5), int('-9223372036854775808'), { doubleValue: 1.5 }, { doubleValue: NaN }, { boolValue: true },
        { bytesValue: Buffer.from('hi') }, {}, { arrayValue: {} }, { arrayValue: { values: [s('nested'), int(1)] } },
        { kvlistValue: { values: [kv('x', int(1)), kv('y', undefined)] } },
      ],
    },
  }),
  kv('array.empty', { arrayValue: {} }),
  kv('kvlist', {
    kvlistValue: { values: [kv('b', s('é')), kv('a', { arrayValue: { values: [s('x')] } }), kv('', {}), kv('a', int(2))] },
  }),
  kv('kvlist.empty', { kvlistValue: {} }),
  kv('unset', {}),
  kv('no value', undefined),
];

// UTF-8 byte order is not UTF-16 order: U+1F600 sorts before U+FB00 as a JS string, after it as bytes
// (also past the first 8 bytes, which the fused path compares as whole words).
export const UNICODE_KEYS = [
  'é', 'ключ', '😀', 'ﬀ', '\uFFFD', 'z', 'a\u0000b', 'a', '', 'É', 'e\u0301', '日本', 'ﬀ',
  'abcdefgh😀', 'abcdefghﬀ', 'abcdefghé', 'abcdefgh', 'abcdefghij😀', 'abcdefghijﬀ',
].map((key, i) => kv(key, s(`v${i}`)));

// Keys that share long prefixes, or are prefixes of each other, around the 4- and 8-byte marks.
export const PREFIX_KEYS = [
  'http.request.method', 'http.request', 'http.request.methodX', 'http.req', 'http', 'http.reques', 'http.requesT',
  'abcdefgh', 'abcdefg', 'abcdefghi', 'abcd', 'abc', 'a', 'aaaa', 'aaaaaaaa', 'aaaaaaaab', 'b\u007f', 'b~', 'http', 'a',
].map((key, i) => kv(key, int(i)));

// ---- malformed bodies ------------------------------------------------------------------

/**
 * Appends every prefix of `body` by `append` (which compares both paths, see appendBothWith);
 * each failure must be a VIGIL_ERR_BAD_PROTOBUF. Returns how many prefixes failed.
 */
export function truncationFailures(body: Uint8Array, append: (body: Uint8Array) => Outcome): number {
  let failures = 0;
  for (let n = 0; n <= body.length; n++) {
    const result = append(body.subarray(0, n));
    if ('code' in result) {
      expect(result.code).toBe('VIGIL_ERR_BAD_PROTOBUF');
      failures++;
    }
  }
  return failures;
}

/**
 * Appends 300 copies of `original`, each with 1 to 3 random bytes changed, by `append`
 * (which compares both paths, error codes only: the fused paths read ahead for the resource
 * and the scope, skipping their siblings by length, so where one of those overruns its
 * message, they may meet another fault first). Returns how many failed.
 */
export function damageFailures(original: Uint8Array, seed: number, append: (body: Uint8Array) => Outcome): number {
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let failures = 0;
  for (let i = 0; i < 300; i++) {
    const body = Uint8Array.from(original);
    for (let k = 1 + random(3); k > 0; k--) body[random(body.length)] = random(256);
    if ('code' in append(body)) failures++;
  }
  return failures;
}
