// The Native encoder writes exactly the bytes the engine itself writes for the same block.
import { Session } from 'chdb';
import { describe, expect, it } from 'vitest';
import {
  ArrayColumn,
  DateTime64Column,
  NativeBlock,
  StringColumn,
  StringMapColumn,
  UInt64Column,
  boolColumn,
  float64Column,
  int32Column,
  uint32Column,
  uint8Column,
} from '../schemas/native.ts';

async function engineNative(...statements: string[]): Promise<Buffer> {
  const session = new Session();
  try {
    for (const sql of statements.slice(0, -1)) await session.queryAsync(sql);
    const result = await session.queryAsync(`${statements.at(-1)} FORMAT Native`);
    return Buffer.from(result.bytes());
  } finally {
    session.close();
  }
}

describe('Native encoder', () => {
  it('matches the engine byte for byte on every column type Vigil writes', async () => {
    const block = new NativeBlock({
      s: new StringColumn(),
      u8: uint8Column(),
      b: boolColumn(),
      u32: uint32Column(),
      i32: int32Column(),
      u64: new UInt64Column(),
      f64: float64Column(),
      ts: new DateTime64Column(),
      m: new StringMapColumn(),
      arr: new ArrayColumn(new UInt64Column()),
      maps: new ArrayColumn(new StringMapColumn()),
    });
    const c = block.columns;
    const rows = [
      { s: 'héllo', u8: 255, b: 1, u32: 4_000_000_000, i32: -7, u64: 18_446_744_073_709_551_615n, f64: -1.5, ts: 1_544_712_660_123_456_789n },
      { s: '', u8: 0, b: 0, u32: 0, i32: 2_147_483_647, u64: 0n, f64: 1e300, ts: -1n },
    ];
    for (const r of rows) {
      c.s.push(r.s);
      c.u8.push(r.u8);
      c.b.push(r.b);
      c.u32.push(r.u32);
      c.i32.push(r.i32);
      c.u64.push(r.u64);
      c.f64.push(r.f64);
      c.ts.push(r.ts);
    }
    c.m.push([['a', '1'], ['k', 'v']]);
    c.m.push([]);
    c.arr.inner.push(1);
    c.arr.inner.push(2);
    c.arr.endRow();
    c.arr.endRow();
    c.maps.endRow();
    c.maps.inner.push([['x', 'y']]);
    c.maps.inner.push([]);
    c.maps.endRow();

    // One INSERT makes one block in a Memory table, which the engine then writes back as one block.
    const expected = await engineNative(
      `SET session_timezone = 'UTC'`,
      `CREATE TABLE t (s String, u8 UInt8, b Bool, u32 UInt32, i32 Int32, u64 UInt64, f64 Float64, ts DateTime64(9),
         m Map(String, String), arr Array(UInt64), maps Array(Map(String, String))) ENGINE = Memory`,
      `INSERT INTO t VALUES
         ('héllo', 255, true, 4000000000, -7, 18446744073709551615, -1.5, '2018-12-13 14:51:00.123456789', {'a': '1', 'k': 'v'}, [1, 2], []),
         ('', 0, false, 0, 2147483647, 0, 1e300, '1969-12-31 23:59:59.999999999', {}, [], [{'x': 'y'}, {}])`,
      'SELECT * FROM t',
    );
    const actual = block.encode();
    expect(actual.toString('hex')).toBe(expected.toString('hex'));
  });

  // Rows 0..n-1 of a block the engine can write too (engineRows).
  const numbersBlock = () =>
    new NativeBlock({
      u: new UInt64Column(),
      ts: new DateTime64Column(),
      f: float64Column(),
      arr: new ArrayColumn(new UInt64Column()),
      m: new StringMapColumn(),
    });
  const fillNumbers = (block: ReturnType<typeof numbersBlock>, rows: number) => {
    const c = block.columns;
    for (let n = 0; n < rows; n++) {
      c.u.push(n);
      c.ts.push(BigInt(n) * 1_000_000_001n);
      c.f.push(n / 4);
      for (let k = 0; k < n % 3; k++) c.arr.inner.push(n);
      c.arr.endRow();
      c.m.push([['k', String(n)]]);
    }
  };
  const engineRows = (rows: number) =>
    engineNative(
      `SELECT number AS u, fromUnixTimestamp64Nano(toInt64(number * 1000000001)) AS ts, number / 4 AS f,
              arrayResize(CAST([], 'Array(UInt64)'), number % 3, number) AS arr, map('k', toString(number)) AS m
       FROM numbers(${rows}) SETTINGS session_timezone = 'UTC'`,
    );

  it('matches the engine on blocks larger than the initial column capacity', async () => {
    const block = numbersBlock();
    fillNumbers(block, 5000);
    expect(block.encode().equals(await engineRows(5000))).toBe(true);
  });

  it('matches the engine again once cleared and refilled with fewer rows (blocks are reused)', async () => {
    const block = numbersBlock();
    fillNumbers(block, 5000);
    block.clear();
    fillNumbers(block, 7);
    const expected = await engineRows(7);
    expect(block.encode().equals(expected)).toBe(true);
    expect(Buffer.concat(block.chunks()).equals(expected)).toBe(true);
  });

  it('refuses a block whose columns have different lengths', () => {
    const block = new NativeBlock({ a: new StringColumn(), b: uint8Column() });
    block.columns.a.push('x');
    expect(() => block.encode()).toThrow(/column b has 0 values, expected 1/);
  });
});
