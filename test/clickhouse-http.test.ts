// The ClickHouse HTTP fixture (test/helpers/clickhouse-http.ts) answers @clickhouse/client over
// real HTTP as a ClickHouse server would, and the store's server mode (CLICKHOUSE_URL) works
// against it: migrations, Native inserts, reads.

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync, gunzipSync } from 'node:zlib';
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, MIGRATIONS_TABLE } from '../schemas/migrate.ts';
import { float64Column, NativeBlock, StringColumn, StringMapColumn } from '../schemas/native.ts';
import { sumPointBlock } from './helpers/blocks.ts';
import { openStore, storeConfigFromEnv, type Store } from '../schemas/store.ts';
import { type ClickHouseHttp, INSERT_STATEMENT, secondStatementAt, startClickHouseHttp } from './helpers/clickhouse-http.ts';

const USER = 'vigil';
const PASSWORD = 'p@ss:wörd';
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-chhttp-'));
let fixture: ClickHouseHttp;
const clients: ClickHouseClient[] = [];

function client(options: ClickHouseClientConfigOptions = {}): ClickHouseClient {
  // Errors are asserted on; the client's own error log would only be noise.
  const c = createClient({ url: fixture.url, username: USER, password: PASSWORD, log: { level: ClickHouseLogLevel.OFF }, ...options });
  clients.push(c);
  return c;
}

async function streamBytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function basic(user = USER, password = PASSWORD): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

beforeAll(async () => {
  fixture = await startClickHouseHttp({ dataDir, user: USER, password: PASSWORD });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await fixture?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the statement checks', () => {
  it('takes only plain INSERT ... FORMAT shapes for the file rewrite', () => {
    expect(INSERT_STATEMENT.exec('INSERT INTO `otel_traces` (`TraceId`, `Events.Name`) FORMAT Native')?.groups).toMatchObject({
      table: '`otel_traces`',
      columns: '(`TraceId`, `Events.Name`)',
      format: 'Native',
    });
    expect(INSERT_STATEMENT.exec('INSERT INTO db.t (* EXCEPT (a)) SETTINGS async_insert = 0 FORMAT JSONEachRow')?.groups).toMatchObject({
      table: 'db.t',
      settings: 'SETTINGS async_insert = 0',
      format: 'JSONEachRow',
    });
    for (const bad of [
      'INSERT INTO t SELECT * FROM s FORMAT Native',
      "INSERT INTO t (a) FROM INFILE '/etc/passwd' FORMAT TSV",
      'INSERT INTO t (a); DROP TABLE t; FORMAT Native',
      'INSERT INTO FUNCTION file(x) FORMAT Native',
      'INSERT INTO t FORMAT Native extra',
    ]) {
      expect(INSERT_STATEMENT.test(bad), bad).toBe(false);
    }
  });

  it('finds a second statement, not semicolons in strings or comments', () => {
    expect(secondStatementAt('SELECT 1; SELECT 2')).toBe(8);
    expect(secondStatementAt("SELECT ';' -- ; x\n;;  ")).toBeUndefined();
    expect(secondStatementAt('SELECT `a;b` /* ; */ FROM t;')).toBeUndefined();
  });
});

describe('ClickHouse HTTP fixture, through @clickhouse/client', () => {
  it('answers ping, with and without a query, and GET /ping without credentials', async () => {
    const c = client();
    expect(await c.ping()).toEqual({ success: true });
    expect((await c.ping({ select: true })).success).toBe(true);
    const res = await fetch(`${fixture.url}/ping`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Ok.\n');
    expect((await fetch(`${fixture.url}/nope`)).status).toBe(404);
  });

  it('runs a query with parameters (escaped strings, arrays, maps) and answers JSONEachRow with the ClickHouse headers', async () => {
    const c = client();
    const s = "it's a \\ back\tslash\nline";
    const result = await c.query({
      query: 'SELECT {n:UInt32} + 1 AS n, {s:String} AS s, {arr:Array(String)} AS arr, {m:Map(String, String)} AS m, {missing:Nullable(String)} AS missing',
      query_params: { n: 41, s, arr: ["it's", 'b\\c'], m: { 'k\'ey': 'v' }, missing: null },
      format: 'JSONEachRow',
      query_id: 'vigil-fixture-q1',
    });
    expect(result.query_id).toBe('vigil-fixture-q1');
    expect(result.response_headers['x-clickhouse-query-id']).toBe('vigil-fixture-q1');
    expect(result.response_headers['x-clickhouse-format']).toBe('JSONEachRow');
    expect(result.response_headers['x-clickhouse-timezone']).toMatch(/UTC/);
    expect(JSON.parse(String(result.response_headers['x-clickhouse-summary']))).toMatchObject({ read_rows: '1', written_rows: '0' });
    expect(await result.json()).toEqual([{ n: 42, s, arr: ["it's", 'b\\c'], m: { "k'ey": 'v' }, missing: null }]);
  });

  it('runs DDL as commands, binds the database, and keeps settings per request', async () => {
    const c = client();
    await c.command({ query: 'CREATE DATABASE IF NOT EXISTS fixture_db' });
    const db = client({ database: 'fixture_db' });
    await db.command({ query: 'CREATE TABLE IF NOT EXISTS events (id UInt32, name String, tags Map(LowCardinality(String), String), at DateTime64(3) DEFAULT now64(3)) ENGINE = MergeTree ORDER BY id' });
    const tables = await c.query({ query: "SELECT name FROM system.tables WHERE database = 'fixture_db'", format: 'JSONEachRow' });
    expect(await tables.json()).toEqual([{ name: 'events' }]);

    const withSetting = await c.query({ query: "SELECT getSetting('max_threads') AS t", format: 'JSONEachRow', clickhouse_settings: { max_threads: 3 } });
    expect(await withSetting.json()).toEqual([{ t: 3 }]);
    const without = await c.query({ query: "SELECT getSetting('max_threads') AS t", format: 'JSONEachRow' });
    expect(await without.json()).not.toEqual([{ t: 3 }]);

    // HTTP-layer parameters are taken, not sent to the engine as settings.
    const plain = await c.exec({ query: 'SELECT 1 AS one', clickhouse_settings: { wait_end_of_query: 1, default_format: 'JSONEachRow' } });
    expect(plain.response_headers['x-clickhouse-format']).toBe('JSONEachRow');
    expect((await streamBytes(plain.stream)).toString()).toBe('{"one":1}\n');
  });

  it('keeps a session across requests with session_id', async () => {
    const c = client({ session_id: `fixture-session-${process.pid}` });
    await c.command({ query: 'CREATE TEMPORARY TABLE scratch (x UInt8)' });
    await c.insert({ table: 'scratch', values: [{ x: 5 }], format: 'JSONEachRow' });
    expect(await (await c.query({ query: 'SELECT x FROM scratch', format: 'JSONEachRow' })).json()).toEqual([{ x: 5 }]);
    await expect(client().query({ query: 'SELECT x FROM scratch' })).rejects.toMatchObject({ code: '60' });
  });

  it('inserts JSON rows (table defaults for omitted fields) and reports the rows written', async () => {
    const db = client({ database: 'fixture_db' });
    const { summary } = await db.insert({
      table: 'events',
      values: [
        { id: 1, name: 'one', tags: { a: '1' } },
        { id: 2, name: "two's", tags: {} },
      ],
      format: 'JSONEachRow',
    });
    expect(summary).toMatchObject({ written_rows: '2' });
    await db.insert({ table: 'events', values: [[3, 'three']], columns: ['id', 'name'], format: 'JSONCompactEachRow' });
    const rows = await db.query({ query: 'SELECT id, name, tags, at > now() - 60 AS fresh FROM events ORDER BY id', format: 'JSONEachRow' });
    expect(await rows.json()).toEqual([
      { id: 1, name: 'one', tags: { a: '1' }, fresh: 1 },
      { id: 2, name: "two's", tags: {}, fresh: 1 },
      { id: 3, name: 'three', tags: {}, fresh: 1 },
    ]);
  });

  it('passes a Native body from the engine and one from schemas/native.ts through exec intact', async () => {
    const db = client({ database: 'fixture_db' });
    const produced = await db.exec({ query: "SELECT toUInt32(10) AS id, 'native ÿ\\0 bytes' AS name, map('k', 'v') AS tags FORMAT Native" });
    const engineBlock = await streamBytes(produced.stream);
    expect(engineBlock.includes(0)).toBe(true);
    const inserted = await db.exec({ query: 'INSERT INTO events (id, name, tags) FORMAT Native', values: Readable.from([engineBlock]) });
    await streamBytes(inserted.stream);
    expect(inserted.summary).toMatchObject({ written_rows: '1' });

    const block = new NativeBlock({ name: new StringColumn(), tags: new StringMapColumn(), id: float64Column() });
    block.columns.name.push('from native.ts');
    block.columns.tags.push([['x', '1']]);
    block.columns.id.push(11);
    // The block's columns are in another order than the statement's: Native matches by name.
    const own = await db.exec({ query: 'INSERT INTO events (`id`, `name`, `tags`) FORMAT Native', values: Readable.from([block.encode()]) });
    await streamBytes(own.stream);

    const rows = await db.query({ query: 'SELECT id, name, tags FROM events WHERE id >= 10 ORDER BY id', format: 'JSONEachRow' });
    expect(await rows.json()).toEqual([
      { id: 10, name: 'native ÿ\0 bytes', tags: { k: 'v' } },
      { id: 11, name: 'from native.ts', tags: { x: '1' } },
    ]);
    const leftovers = ['/dev/shm', tmpdir()].filter(existsSync).flatMap((dir) => readdirSync(dir)).filter((f) => f.startsWith(`chhttp-${process.pid}-`));
    expect(leftovers).toEqual([]);
    const last = fixture.statements.filter((s) => s.query.includes('FORMAT Native') && s.query.startsWith('INSERT')).at(-1)!;
    expect(last.executed).toMatch(/^INSERT INTO events \(`id`, `name`, `tags`\) FROM INFILE '.+chhttp-.+\.bin' FORMAT Native$/);
  });

  it('answers errors with the status, X-ClickHouse-Exception-Code and the ClickHouse text', async () => {
    const c = client();
    const error = await c.query({ query: 'SELECT * FROM no_such_table', format: 'JSONEachRow' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClickHouseError);
    expect(error).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    expect((error as Error).message).toMatch(/no_such_table/);

    const res = await fetch(`${fixture.url}/?query=${encodeURIComponent('SELECT * FROM no_such_table')}`, { headers: basic() });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await res.text()).toMatch(/^Code: 60\. DB::Exception: .*no_such_table.* \(UNKNOWN_TABLE\) \(version [\d.]+\)\n$/s);

    await expect(c.command({ query: 'SELECT 1; SELECT 2' })).rejects.toMatchObject({ code: '62', message: expect.stringMatching(/Multi-statements/) });
    await expect(c.query({ query: 'SELECT 1', clickhouse_settings: { no_such_setting: 1 } as never })).rejects.toMatchObject({ code: '115' });
    await expect(c.exec({ query: 'INSERT INTO fixture_db.events (id) FORMAT JSONEachRow', values: Readable.from(['{"id":"not a number"}\n']) })).rejects.toMatchObject({ code: expect.stringMatching(/^\d+$/) });
  });

  it('refuses wrong credentials with 516 / 401, and accepts the X-ClickHouse-User/Key headers', async () => {
    const wrong = client({ password: 'wrong' });
    await expect(wrong.query({ query: 'SELECT 1' })).rejects.toMatchObject({ code: '516', type: 'AUTHENTICATION_FAILED' });
    const res = await fetch(`${fixture.url}/?query=SELECT%201`, { headers: basic('default', '') });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('516');
    const viaHeaders = await fetch(`${fixture.url}/?query=SELECT%2042`, { headers: { 'X-ClickHouse-User': USER, 'X-ClickHouse-Key': PASSWORD } });
    expect(viaHeaders.status).toBe(200);
    expect(await viaHeaders.text()).toBe('42\n');
  });

  it('runs GET queries read-only, as a server does', async () => {
    const res = await fetch(`${fixture.url}/?query=${encodeURIComponent('CREATE TABLE ro (x UInt8) ENGINE = Memory')}`, { headers: basic() });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('164');
  });

  it('speaks gzip both ways and takes parameters as multipart/form-data', async () => {
    const c = client({ compression: { request: true, response: true }, database: 'fixture_db' });
    await c.insert({ table: 'events', values: [{ id: 20, name: 'gzipped' }], format: 'JSONEachRow' });
    const rows = await c.query({ query: 'SELECT name FROM events WHERE id = {id:UInt32}', query_params: { id: 20 }, format: 'JSONEachRow' });
    expect(await rows.json()).toEqual([{ name: 'gzipped' }]);

    const raw = await fetch(`${fixture.url}/?enable_http_compression=1`, {
      method: 'POST',
      headers: { ...basic(), 'Content-Encoding': 'gzip', 'Accept-Encoding': 'gzip' },
      body: gzipSync('SELECT 7'),
    });
    // fetch decodes gzip itself; the header says what came over the wire.
    expect(raw.headers.get('content-encoding')).toBe('gzip');
    expect(await raw.text()).toBe('7\n');
    expect(gunzipSync(gzipSync('x')).toString()).toBe('x');

    const multipart = client({ use_multipart_params: true } as ClickHouseClientConfigOptions);
    const big = 'x'.repeat(10_000);
    const answer = await multipart.query({ query: 'SELECT length({s:String}) AS n', query_params: { s: big }, format: 'JSONEachRow' });
    expect(await answer.json()).toEqual([{ n: 10_000 }]);
  });
});

describe('store server mode (CLICKHOUSE_URL) against the fixture', () => {
  const retentionDatabase = 'vigil_server';
  let store: Store;
  const env = () => ({ CLICKHOUSE_URL: fixture.url, CLICKHOUSE_USER: USER, CLICKHOUSE_PASSWORD: PASSWORD, CLICKHOUSE_DATABASE: retentionDatabase });

  beforeAll(async () => {
    store = await openStore({ ...storeConfigFromEnv(env()) });
  });

  afterAll(async () => {
    await store?.close();
  });

  async function rows<T = Record<string, unknown>>(query: string, query_params?: Record<string, unknown>): Promise<T[]> {
    const result = await store.read.query({ query, query_params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  it('creates the database and applies every migration once, over HTTP', async () => {
    expect(store.kind).toBe('server');
    const ledger = await rows<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY version`);
    expect(ledger.map((m) => m.name)).toEqual(loadMigrations().map((m) => m.name));
    const tables = await rows<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { db: retentionDatabase });
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['otel_logs', 'otel_traces', 'otel_traces_trace_id_ts', 'otel_metrics_sum']));
    expect(await store.ping()).toBe(true);

    // A second instance finds everything applied.
    const again = await openStore({ ...storeConfigFromEnv(env()) });
    await again.close();
    expect(await rows(`SELECT version FROM ${MIGRATIONS_TABLE} GROUP BY version HAVING count() > 1`)).toEqual([]);
  });

  it('insertNative stores a block produced by the engine (Map, DateTime64(9), Nested) and read.query reads it back', async () => {
    const columns = ['Timestamp', 'TraceId', 'SpanId', 'ServiceName', 'SpanName', 'SpanAttributes', 'Duration', 'Events.Timestamp', 'Events.Name', 'Events.Attributes'];
    const produced = await store.read.exec({
      query: `SELECT
         toDateTime64('2024-05-01 10:00:00.123456789', 9) AS Timestamp, 'trace-native' AS TraceId, 'span-1' AS SpanId,
         'checkout' AS ServiceName, 'GET /cart' AS SpanName, map('http.method', 'GET', 'http.status_code', '200') AS SpanAttributes,
         toUInt64(1500000) AS Duration, [toDateTime64('2024-05-01 10:00:00.2', 9)] AS \`Events.Timestamp\`,
         ['exception'] AS \`Events.Name\`, [map('exception.type', 'Error')] AS \`Events.Attributes\` FORMAT Native`,
    });
    const block = await streamBytes(produced.stream);
    await store.insertNative('otel_traces', columns, block);
    expect(await rows(`SELECT ${columns.map((c) => `\`${c}\``).join(', ')} FROM otel_traces WHERE TraceId = 'trace-native'`)).toEqual([
      {
        Timestamp: '2024-05-01 10:00:00.123456789',
        TraceId: 'trace-native',
        SpanId: 'span-1',
        ServiceName: 'checkout',
        SpanName: 'GET /cart',
        SpanAttributes: { 'http.method': 'GET', 'http.status_code': '200' },
        Duration: 1500000,
        'Events.Timestamp': ['2024-05-01 10:00:00.200000000'],
        'Events.Name': ['exception'],
        'Events.Attributes': [{ 'exception.type': 'Error' }],
      },
    ]);
    expect(await rows("SELECT TraceId FROM otel_traces_trace_id_ts WHERE TraceId = 'trace-native'")).toHaveLength(1);
  });

  it('insertNative stores a schemas/native.ts block, columns matched by name', async () => {
    const block = sumPointBlock();
    await store.insertNative('otel_metrics_sum', [...block.names].reverse(), block.encode());
    expect(await rows("SELECT MetricName, Attributes, TimeUnix, Value, AggregationTemporality, IsMonotonic, IngestTime > now() - 60 AS fresh FROM otel_metrics_sum WHERE ServiceName = 'checkout'")).toEqual([
      { MetricName: 'http.server.requests', Attributes: { 'http.route': '/cart' }, TimeUnix: '2024-05-01 10:00:00.000000000', Value: 42, AggregationTemporality: 2, IsMonotonic: true, fresh: 1 },
    ]);
  });

  it('insertNative rejects storage errors', async () => {
    const block = new NativeBlock({ TraceId: new StringColumn() });
    block.columns.TraceId.push('x');
    await expect(store.insertNative('otel_traces', ['NoSuchColumn'], block.encode())).rejects.toThrow();
    await expect(store.insertNative('no_such_table', ['TraceId'], block.encode())).rejects.toMatchObject({ code: '60' });
  });
});
