// The store: versioned migrations on the embedded engine, the exact table shapes, the trace-id
// lookup view, retention (TTL from the later of event and ingest time), Native inserts, reopen;
// plus the cluster DDL as generated SQL and server mode's wire requests against a fake server.

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMigration, splitStatements, type DdlTarget } from '../schemas/ddl.ts';
import { loadMigrations, migrate, MIGRATIONS_TABLE, type Migration } from '../schemas/migrate.ts';
import { sumPointBlock } from './helpers/blocks.ts';
import { openStore, storeConfigFromEnv, type Store, type StoreConfig } from '../schemas/store.ts';

const retention = { tracesDays: 7, logsDays: 7, metricsDays: 30 };
const database = 'vigil_test';
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
const embedded: StoreConfig = { user: 'default', password: '', database, dataDir, retention };

async function rows<T = Record<string, unknown>>(store: Store, query: string, query_params?: Record<string, unknown>): Promise<T[]> {
  const result = await store.read.query({ query, query_params, format: 'JSONEachRow' });
  return result.json<T>();
}

async function nativeBlock(store: Store, select: string): Promise<Buffer> {
  const result = await store.read.exec({ query: `${select} FORMAT Native` });
  const chunks: Buffer[] = [];
  for await (const chunk of result.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const SHARED_METRIC_COLUMNS = `
ResourceAttributes Map(LowCardinality(String), String)
ResourceSchemaUrl String
ScopeName String
ScopeVersion String
ScopeAttributes Map(LowCardinality(String), String)
ScopeDroppedAttrCount UInt32
ScopeSchemaUrl String
ServiceName LowCardinality(String)
MetricName LowCardinality(String)
MetricDescription String
MetricUnit String
Attributes Map(LowCardinality(String), String)
StartTimeUnix DateTime64(9)
TimeUnix DateTime64(9)`;

const EXEMPLARS = `
Exemplars.FilteredAttributes Array(Map(LowCardinality(String), String))
Exemplars.TimeUnix Array(DateTime64(9))
Exemplars.Value Array(Float64)
Exemplars.SpanId Array(String)
Exemplars.TraceId Array(String)`;

const EXPECTED_COLUMNS: Record<string, string> = {
  otel_traces: `
Timestamp DateTime64(9)
TraceId String
SpanId String
ParentSpanId String
TraceState String
SpanName LowCardinality(String)
SpanKind LowCardinality(String)
ServiceName LowCardinality(String)
ResourceAttributes Map(LowCardinality(String), String)
ScopeName String
ScopeVersion String
SpanAttributes Map(LowCardinality(String), String)
Duration UInt64
StatusCode LowCardinality(String)
StatusMessage String
Events.Timestamp Array(DateTime64(9))
Events.Name Array(LowCardinality(String))
Events.Attributes Array(Map(LowCardinality(String), String))
Links.TraceId Array(String)
Links.SpanId Array(String)
Links.TraceState Array(String)
Links.Attributes Array(Map(LowCardinality(String), String))
ScopeAttributes Map(LowCardinality(String), String)
Flags UInt32
DroppedAttributesCount UInt32
DroppedEventsCount UInt32
DroppedLinksCount UInt32
IngestTime DateTime`,
  otel_traces_trace_id_ts: `
TraceId String
Start DateTime
End DateTime
IngestTime DateTime`,
  otel_logs: `
Timestamp DateTime64(9)
TimestampTime DateTime
TraceId String
SpanId String
TraceFlags UInt8
SeverityText LowCardinality(String)
SeverityNumber UInt8
ServiceName LowCardinality(String)
Body String
ResourceSchemaUrl LowCardinality(String)
ResourceAttributes Map(LowCardinality(String), String)
ScopeSchemaUrl LowCardinality(String)
ScopeName String
ScopeVersion LowCardinality(String)
ScopeAttributes Map(LowCardinality(String), String)
LogAttributes Map(LowCardinality(String), String)
EventName String
ObservedTimestamp DateTime64(9)
DroppedAttributesCount UInt32
IngestTime DateTime
RowId UInt64`,
  otel_metrics_gauge: `${SHARED_METRIC_COLUMNS}
Value Float64
Flags UInt32${EXEMPLARS}
IngestTime DateTime`,
  otel_metrics_sum: `${SHARED_METRIC_COLUMNS}
Value Float64
Flags UInt32${EXEMPLARS}
AggregationTemporality Int32
IsMonotonic Bool
IngestTime DateTime`,
  otel_metrics_histogram: `${SHARED_METRIC_COLUMNS}
Count UInt64
Sum Float64
BucketCounts Array(UInt64)
ExplicitBounds Array(Float64)${EXEMPLARS}
Flags UInt32
Min Float64
Max Float64
AggregationTemporality Int32
IngestTime DateTime`,
  otel_metrics_exponential_histogram: `${SHARED_METRIC_COLUMNS}
Count UInt64
Sum Float64
Scale Int32
ZeroCount UInt64
PositiveOffset Int32
PositiveBucketCounts Array(UInt64)
NegativeOffset Int32
NegativeBucketCounts Array(UInt64)${EXEMPLARS}
Flags UInt32
Min Float64
Max Float64
AggregationTemporality Int32
ZeroThreshold Float64
IngestTime DateTime`,
  otel_metrics_summary: `${SHARED_METRIC_COLUMNS}
Count UInt64
Sum Float64
ValueAtQuantiles.Quantile Array(Float64)
ValueAtQuantiles.Value Array(Float64)
Flags UInt32
IngestTime DateTime`,
  vigil_span_red_1m: `
ServiceName LowCardinality(String)
Minute DateTime
SpanName LowCardinality(String)
SpanKind LowCardinality(String)
StatusCode LowCardinality(String)
Calls SimpleAggregateFunction(sum, UInt64)
Errors SimpleAggregateFunction(sum, UInt64)
DurationSum SimpleAggregateFunction(sum, UInt64)
DurationMin SimpleAggregateFunction(min, UInt64)
DurationMax SimpleAggregateFunction(max, UInt64)
DurationQuantiles AggregateFunction(quantilesTDigest(0.5, 0.9, 0.95, 0.99), UInt64)
IngestTime SimpleAggregateFunction(max, DateTime)`,
  vigil_service_edges_1m: `
Minute DateTime
ParentService LowCardinality(String)
ChildService LowCardinality(String)
Calls SimpleAggregateFunction(sum, UInt64)
Errors SimpleAggregateFunction(sum, UInt64)
IngestTime SimpleAggregateFunction(max, DateTime)`,
};

describe('storeConfigFromEnv', () => {
  it('defaults to the embedded engine with 7/7/30 days retention', () => {
    expect(storeConfigFromEnv({})).toEqual({
      url: undefined,
      user: 'default',
      password: '',
      database: 'default',
      cluster: undefined,
      dataDir: './data',
      retention: { tracesDays: 7, logsDays: 7, metricsDays: 30 },
    });
  });

  it('reads a server, a cluster and retention', () => {
    const config = storeConfigFromEnv({
      CLICKHOUSE_URL: 'https://ch.example:8443',
      CLICKHOUSE_USER: 'vigil',
      CLICKHOUSE_PASSWORD: 's3cret',
      CLICKHOUSE_DATABASE: 'otel',
      CLICKHOUSE_CLUSTER: 'main_cluster',
      VIGIL_RETENTION_TRACES_DAYS: '14',
      VIGIL_RETENTION_LOGS_DAYS: '3',
      VIGIL_RETENTION_METRICS_DAYS: '400',
    });
    expect(config).toMatchObject({ url: 'https://ch.example:8443', user: 'vigil', password: 's3cret', database: 'otel', cluster: 'main_cluster' });
    expect(config.retention).toEqual({ tracesDays: 14, logsDays: 3, metricsDays: 400 });
  });

  it.each([
    [{ VIGIL_RETENTION_TRACES_DAYS: '0' }, /VIGIL_RETENTION_TRACES_DAYS/],
    [{ VIGIL_RETENTION_LOGS_DAYS: '1.5' }, /VIGIL_RETENTION_LOGS_DAYS/],
    [{ VIGIL_RETENTION_METRICS_DAYS: '30d' }, /VIGIL_RETENTION_METRICS_DAYS/],
    [{ CLICKHOUSE_DATABASE: 'otel; DROP TABLE x' }, /CLICKHOUSE_DATABASE/],
    [{ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: "main' --" }, /CLICKHOUSE_CLUSTER/],
    [{ CLICKHOUSE_CLUSTER: 'main' }, /CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL/],
    [{ CLICKHOUSE_URL: 'localhost:8123' }, /CLICKHOUSE_URL/],
  ])('rejects %o naming the variable', (env, message) => {
    expect(() => storeConfigFromEnv(env)).toThrow(message);
  });
});

describe('DDL rendering', () => {
  const files = loadMigrations();
  const single: DdlTarget = { database: 'otel', retention };
  const cluster: DdlTarget = { database: 'otel', cluster: 'main', retention };
  const all = (target: DdlTarget): string[] => files.flatMap((m) => renderMigration(m.sql, target));

  it('splits at statement ends only, keeping semicolons in quotes and comments', () => {
    expect(splitStatements("-- a; comment\nSELECT 'x;y';\n/* b; */ SELECT `c;d`;\n-- trailing only\n")).toEqual([
      "-- a; comment\nSELECT 'x;y'",
      '/* b; */ SELECT `c;d`',
    ]);
  });

  it('renders plain MergeTree tables and no cluster objects on a single node', () => {
    const statements = all(single);
    // Every statement of every file but the cluster-only ones, in file order.
    const created = statements.map((st) => /^(?:CREATE (?:TABLE|MATERIALIZED VIEW) IF NOT EXISTS|ALTER TABLE) (\w+)/m.exec(st)?.[1]);
    expect(created.slice(0, 14)).toEqual([
      'otel_traces', 'otel_traces_trace_id_ts', 'otel_traces_trace_id_ts_mv', 'otel_logs',
      'otel_metrics_gauge', 'otel_metrics_sum', 'otel_metrics_histogram', 'otel_metrics_exponential_histogram', 'otel_metrics_summary',
      'vigil_span_red_1m', 'vigil_span_red_1m_mv', 'vigil_service_edges_1m', 'vigil_service_edges_1m_mv', 'vigil_service_edges_1m_peer_mv',
    ]);
    expect(created.slice(14, 22)).toEqual([
      'vigil_traces_by_id', 'vigil_traces_by_id_mv', 'vigil_trace_summaries', 'vigil_trace_summaries_mv',
      'vigil_span_red_1h', 'vigil_span_red_1h_mv', 'otel_logs', 'otel_logs',
    ]);
    expect(statements.join('\n')).not.toMatch(/ON CLUSTER|Replicated|Distributed|_local|\{\{/);
    expect(statements[0]).toMatch(/^CREATE TABLE IF NOT EXISTS otel_traces\n\(/);
    expect(statements[0]).toContain('ENGINE = MergeTree\n');
    expect(statements[0]).toContain('TTL greatest(toDateTime(Timestamp), IngestTime) + toIntervalDay(7)');
  });

  it('renders ReplicatedMergeTree local tables, Distributed tables and ON CLUSTER for a cluster', () => {
    const statements = all(cluster);
    for (const statement of statements) expect(statement).toContain(" ON CLUSTER 'main'");
    const sql = statements.join('\n');
    expect(sql).not.toContain('{{');
    for (const table of ['otel_traces', 'otel_traces_trace_id_ts', 'otel_logs', 'otel_metrics_gauge', 'otel_metrics_sum', 'otel_metrics_histogram', 'otel_metrics_exponential_histogram', 'otel_metrics_summary']) {
      expect(sql).toContain(`CREATE TABLE IF NOT EXISTS ${table}_local ON CLUSTER 'main'`);
      expect(sql).toContain(`ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/${table}_local', '{replica}')`);
      expect(sql).toMatch(new RegExp(`CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER 'main' AS ${table}_local\\nENGINE = Distributed\\('main', 'otel', '${table}_local', `));
    }
    expect(sql).toContain("Distributed('main', 'otel', 'otel_traces_local', cityHash64(TraceId))");
    expect(sql).toContain("Distributed('main', 'otel', 'otel_traces_trace_id_ts_local', cityHash64(TraceId))");
    expect(sql).toContain("Distributed('main', 'otel', 'otel_logs_local', rand())");
    expect(sql).toContain("Distributed('main', 'otel', 'otel_metrics_sum_local', rand())");
    const view = statements.find((s) => s.startsWith('CREATE MATERIALIZED VIEW'))!;
    expect(view).toMatch(/^CREATE MATERIALIZED VIEW IF NOT EXISTS otel_traces_trace_id_ts_mv ON CLUSTER 'main'\nTO otel_traces_trace_id_ts_local\n/);
    expect(view).toContain('FROM otel_traces_local\n');
    for (const table of ['vigil_span_red_1m', 'vigil_service_edges_1m']) {
      expect(sql).toContain(`CREATE TABLE IF NOT EXISTS ${table}_local ON CLUSTER 'main'`);
      expect(sql).toContain(`ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/${table}_local', '{replica}')`);
      expect(sql).toContain(`CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER 'main' AS ${table}_local\nENGINE = Distributed('main', 'otel', '${table}_local', rand())`);
    }
  });

  it('renders {{aggregating_engine:X}} as AggregatingMergeTree, replicated on a cluster', () => {
    const sql = 'CREATE TABLE IF NOT EXISTS {{table:t}} {{on_cluster}} (x UInt8) ENGINE = {{aggregating_engine:t}} ORDER BY x';
    expect(renderMigration(sql, single)).toEqual(['CREATE TABLE IF NOT EXISTS t (x UInt8) ENGINE = AggregatingMergeTree ORDER BY x']);
    expect(renderMigration(sql, cluster)).toEqual([
      "CREATE TABLE IF NOT EXISTS t_local ON CLUSTER 'main' (x UInt8) ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/t_local', '{replica}') ORDER BY x",
    ]);
    expect(() => renderMigration('ENGINE = {{aggregating_engine}}', single)).toThrow(/needs a table name/);
    expect(() => renderMigration('ENGINE = {{aggregating_engine:1t}}', cluster)).toThrow(/table name must be an identifier/);
  });

  it.each(["main'; DROP TABLE otel_traces; --", 'my-cluster', '1cluster', ''])('rejects the cluster name %j', (name) => {
    expect(() => all({ ...cluster, cluster: name })).toThrow(/CLICKHOUSE_CLUSTER must be an identifier/);
  });

  it('fills retention only with positive integers and knows every placeholder', () => {
    expect(() => all({ ...single, retention: { ...retention, logsDays: 0 } })).toThrow(/positive whole number/);
    expect(() => all({ ...single, retention: { ...retention, metricsDays: 1.5 } })).toThrow(/positive whole number/);
    expect(() => renderMigration('SELECT {{nope}}', single)).toThrow(/unknown placeholder/);
    expect(() => renderMigration('SELECT {{ttl_days:spans}}', single)).toThrow(/unknown retention class/);
  });
});

describe('embedded store', () => {
  let store: Store;

  beforeAll(async () => {
    store = await openStore(embedded);
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies each migration once and is idempotent', async () => {
    const ledger = await rows<{ version: number; name: string; checksum: string }>(
      store,
      `SELECT version, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`,
    );
    expect(ledger).toEqual(loadMigrations().map(({ version, name, checksum }) => ({ version, name, checksum })));
    expect(ledger.map((m) => m.name).slice(0, 5)).toEqual(['0001_traces.sql', '0002_logs.sql', '0003_metrics.sql', '0004_span_metrics.sql', '0005_query_speed.sql']);

    expect(await migrate(store.write, { database, retention })).toEqual({ applied: [], retentionChanged: [] });
    expect(await rows(store, `SELECT * FROM ${MIGRATIONS_TABLE}`)).toHaveLength(ledger.length);
  });

  it('applies only a missing migration, and refuses an applied one that changed', async () => {
    const extra: Migration = {
      version: 9999,
      name: '9999_extra.sql',
      sql: 'CREATE TABLE IF NOT EXISTS {{table:vigil_extra}} {{on_cluster}} (x UInt8) ENGINE = {{engine:vigil_extra}} ORDER BY x;',
      checksum: 'extra-v1',
    };
    const files = loadMigrations();
    expect((await migrate(store.write, { database, retention, migrations: [...files, extra] })).applied).toEqual(['9999_extra.sql']);
    expect(await rows(store, "SELECT name FROM system.tables WHERE database = {db:String} AND name = 'vigil_extra'", { db: database })).toHaveLength(1);

    const edited = files.map((m) => (m.version === 1 ? { ...m, checksum: 'edited' } : m));
    await expect(migrate(store.write, { database, retention, migrations: edited })).rejects.toThrow(/0001_traces\.sql was changed after it was applied/);
  });

  it.each(Object.keys(EXPECTED_COLUMNS))('%s has exactly the expected columns and types', async (table) => {
    const columns = await rows<{ name: string; type: string }>(
      store,
      'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {table:String} ORDER BY position',
      { db: database, table },
    );
    const expected = EXPECTED_COLUMNS[table]!.trim()
      .split('\n')
      .map((line) => {
        const space = line.indexOf(' ');
        return { name: line.slice(0, space), type: line.slice(space + 1) };
      });
    expect(columns).toEqual(expected);
  });

  it('fills IngestTime and TimestampTime by default', async () => {
    const defaults = await rows(
      store,
      "SELECT table, name, default_expression FROM system.columns WHERE database = {db:String} AND default_kind = 'DEFAULT' ORDER BY table, name",
      { db: database },
    );
    expect(defaults).toEqual([
      { table: 'otel_logs', name: 'IngestTime', default_expression: 'now()' },
      { table: 'otel_logs', name: 'RowId', default_expression: 'rand64()' },
      { table: 'otel_logs', name: 'TimestampTime', default_expression: 'toDateTime(Timestamp)' },
      ...['exponential_histogram', 'gauge', 'histogram', 'sum', 'summary'].map((t) => ({ table: `otel_metrics_${t}`, name: 'IngestTime', default_expression: 'now()' })),
      { table: 'otel_traces', name: 'IngestTime', default_expression: 'now()' },
      { table: MIGRATIONS_TABLE, name: 'applied_at', default_expression: 'now64(3)' },
    ]);
  });

  it('indexes trace ids with their time range through the materialized view', async () => {
    await store.write.insert({
      table: 'otel_traces',
      format: 'JSONEachRow',
      values: [
        { Timestamp: '2024-05-01 10:00:00.000000000', TraceId: 'trace-mv', SpanId: 'a', ServiceName: 'svc', SpanName: 'root' },
        { Timestamp: '2024-05-01 10:00:02.500000000', TraceId: 'trace-mv', SpanId: 'b', ServiceName: 'svc', SpanName: 'child' },
        { Timestamp: '2024-05-01 10:00:01.000000000', TraceId: '', SpanId: 'c', ServiceName: 'svc', SpanName: 'orphan' },
      ],
    });
    const lookup = await rows<{ TraceId: string; Start: string; End: string; fresh: number }>(
      store,
      "SELECT TraceId, Start, End, IngestTime > now() - 60 AS fresh FROM otel_traces_trace_id_ts WHERE TraceId IN ('trace-mv', '')",
    );
    expect(lookup).toEqual([{ TraceId: 'trace-mv', Start: '2024-05-01 10:00:00', End: '2024-05-01 10:00:02', fresh: 1 }]);
  });

  it('inserts a Native block produced by the engine (Map, DateTime64(9), Nested)', async () => {
    const columns = ['Timestamp', 'TraceId', 'SpanId', 'ServiceName', 'SpanName', 'SpanAttributes', 'Duration', 'Events.Timestamp', 'Events.Name', 'Events.Attributes'];
    const block = await nativeBlock(
      store,
      `SELECT
         toDateTime64('2024-05-01 10:00:00.123456789', 9) AS Timestamp, 'trace-native' AS TraceId, 'span-1' AS SpanId,
         'checkout' AS ServiceName, 'GET /cart' AS SpanName, map('http.method', 'GET', 'http.status_code', '200') AS SpanAttributes,
         toUInt64(1500000) AS Duration, [toDateTime64('2024-05-01 10:00:00.2', 9)] AS \`Events.Timestamp\`,
         ['exception'] AS \`Events.Name\`, [map('exception.type', 'Error')] AS \`Events.Attributes\``,
    );
    await store.insertNative('otel_traces', columns, block);
    expect(await rows(store, `SELECT ${columns.map((c) => `\`${c}\``).join(', ')} FROM otel_traces WHERE TraceId = 'trace-native'`)).toEqual([
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
    expect(await rows(store, "SELECT TraceId FROM otel_traces_trace_id_ts WHERE TraceId = 'trace-native'")).toHaveLength(1);
  });

  it('inserts a block from schemas/native.ts: Map(String, String) into LowCardinality maps, Bool as 0/1', async () => {
    const block = sumPointBlock();
    // Columns in an order different from the block's: they are matched by name.
    await store.insertNative('otel_metrics_sum', [...block.names].reverse(), block.encode());
    expect(await rows(store, "SELECT MetricName, Attributes, TimeUnix, Value, AggregationTemporality, IsMonotonic FROM otel_metrics_sum WHERE ServiceName = 'checkout'")).toEqual([
      { MetricName: 'http.server.requests', Attributes: { 'http.route': '/cart' }, TimeUnix: '2024-05-01 10:00:00.000000000', Value: 42, AggregationTemporality: 2, IsMonotonic: true },
    ]);
  });

  it('rejects bad names before SQL and storage errors after, leaving no temp files', async () => {
    const block = await nativeBlock(store, "SELECT 'x' AS TraceId");
    await expect(store.insertNative('otel_traces; DROP TABLE otel_logs', ['TraceId'], block)).rejects.toThrow(/must be an identifier/);
    await expect(store.insertNative('otel_traces', ['TraceId`) --'], block)).rejects.toThrow(/column name/);
    await expect(store.insertNative('otel_traces', ['NoSuchColumn'], block)).rejects.toThrow();
    await expect(store.insertNative('no_such_table', ['TraceId'], block)).rejects.toThrow();
    const leftovers = ['/dev/shm', tmpdir()].filter(existsSync).flatMap((dir) => readdirSync(dir)).filter((f) => f.startsWith(`vigil-${process.pid}-`));
    expect(leftovers).toEqual([]);
  });

  it('modifies the TTL when the configured retention changes, and only then', async () => {
    const traceTables = ['otel_traces', 'otel_traces_trace_id_ts', 'vigil_service_edges_1m', 'vigil_span_red_1h', 'vigil_span_red_1m', 'vigil_trace_summaries', 'vigil_traces_by_id'];
    const changed = await migrate(store.write, { database, retention: { ...retention, tracesDays: 3 } });
    expect(changed.applied).toEqual([]);
    expect(changed.retentionChanged).toEqual(expect.arrayContaining(traceTables));
    expect(changed.retentionChanged).not.toContain('otel_logs');
    const engines = await rows<{ name: string; engine_full: string }>(
      store,
      "SELECT name, engine_full FROM system.tables WHERE database = {db:String} AND name LIKE 'otel_traces%' AND engine = 'MergeTree' ORDER BY name",
      { db: database },
    );
    expect(engines.map((e) => e.engine_full.match(/TTL .*\) SETTINGS/)?.[0])).toEqual([
      'TTL greatest(toDateTime(Timestamp), IngestTime) + toIntervalDay(3) SETTINGS',
      'TTL greatest(End, IngestTime) + toIntervalDay(3) SETTINGS',
    ]);
    expect((await migrate(store.write, { database, retention: { ...retention, tracesDays: 3 } })).retentionChanged).toEqual([]);
    expect((await migrate(store.write, { database, retention })).retentionChanged).toEqual(changed.retentionChanged);
  });

  it('keeps a 2018 event that was ingested now, and drops one whose event and ingest time are both past retention', async () => {
    await store.write.insert({
      table: 'otel_logs',
      format: 'JSONEachRow',
      values: [
        { Timestamp: '2018-12-13 14:51:00.000000000', ServiceName: 'ttl-test', Body: 'spec example' },
        { Timestamp: '2019-03-01 00:00:00.000000000', IngestTime: '2019-03-01 00:00:00', ServiceName: 'ttl-test', Body: 'long expired' },
      ],
    });
    await store.write.command({ query: 'OPTIMIZE TABLE otel_logs FINAL' });
    expect(await rows(store, "SELECT Body FROM otel_logs WHERE ServiceName = 'ttl-test'")).toEqual([{ Body: 'spec example' }]);
  });

  it('keeps data and applied migrations across close and reopen', async () => {
    expect(await store.ping()).toBe(true);
    await store.close();
    expect(await store.ping()).toBe(false);
    store = await openStore(embedded);
    expect(store.kind).toBe('embedded');
    expect(await rows(store, "SELECT SpanId FROM otel_traces WHERE TraceId = 'trace-native'")).toEqual([{ SpanId: 'span-1' }]);
    expect(await rows(store, "SELECT Body FROM otel_logs WHERE ServiceName = 'ttl-test'")).toEqual([{ Body: 'spec example' }]);
    expect(await rows(store, `SELECT version FROM ${MIGRATIONS_TABLE} GROUP BY version HAVING count() > 1`)).toEqual([]);
  });
});

describe('server mode (against a fake ClickHouse HTTP endpoint)', () => {
  interface Request {
    query: string;
    database: string | null;
    settings: URLSearchParams;
    body: Buffer;
  }
  const OLD_LOGS_ENGINE =
    "ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/otel_logs_local', '{replica}') PARTITION BY toDate(TimestampTime) " +
    'TTL greatest(toDateTime(Timestamp), IngestTime) + toIntervalDay(30) SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1';
  const requests: Request[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = Buffer.concat(chunks);
      // The client sends the statement in the body, or in ?query= when the body carries data.
      const query = url.searchParams.get('query') ?? body.toString('utf8');
      requests.push({ query, database: url.searchParams.get('database'), settings: url.searchParams, body });
      // One table still carries an older retention: migrate must alter it.
      const answer = query.includes('FROM system.tables') ? `${JSON.stringify({ name: 'otel_logs_local', engine_full: OLD_LOGS_ENGINE })}\n` : '';
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(answer);
    });
  });
  let url: string;

  beforeAll(async () => {
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it('creates the database, runs ON CLUSTER DDL and sends Native blocks as the request body', async () => {
    const store = await openStore({ url, user: 'vigil', password: 'pw', database: 'otel', cluster: 'main', dataDir: 'unused', retention });
    expect(store.kind).toBe('server');
    const block = Buffer.from([1, 1, 7, ...Buffer.from('TraceId'), 6, ...Buffer.from('String'), 2, 0xff, 0x00]);
    await store.insertNative('otel_traces', ['TraceId'], block);
    await store.close();

    const createDatabase = requests.find((r) => r.query.startsWith('CREATE DATABASE'))!;
    // Sent without a database: the client bound to `otel` could not run before `otel` exists.
    expect(createDatabase).toMatchObject({ query: "CREATE DATABASE IF NOT EXISTS `otel` ON CLUSTER 'main'", database: null });
    const ddl = requests.filter((r) => /^CREATE (TABLE|MATERIALIZED VIEW)/.test(r.query));
    // The ledger, then per file its local tables, Distributed tables and views.
    const expected = loadMigrations().flatMap((m) => renderMigration(m.sql, { database: 'otel', cluster: 'main', retention }));
    expect(ddl.length).toBe(1 + expected.filter((st) => /^CREATE (TABLE|MATERIALIZED VIEW)/m.test(st.replace(/^--.*\n/gm, ''))).length);
    expect(ddl.length).toBeGreaterThanOrEqual(1 + 24 + 9); // 0001-0004: 10 local + 10 Distributed tables, 4 views; 0005: 3 + 3, 3
    for (const r of ddl) expect(r).toMatchObject({ query: expect.stringContaining(" ON CLUSTER 'main'"), database: 'otel' });
    expect(ddl[0]!.query).toContain("ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/vigil_schema_migrations', '{replica}')");
    const alters = requests.filter((r) => r.query.includes('MODIFY TTL'));
    expect(alters.map((r) => r.query)).toEqual([
      "ALTER TABLE `otel_logs_local` ON CLUSTER 'main' MODIFY TTL greatest(toDateTime(Timestamp), IngestTime) + toIntervalDay(7)",
    ]);
    expect(alters[0]!.settings.get('materialize_ttl_after_modify')).toBe('0');
    const insert = requests.find((r) => r.query.includes('FORMAT Native'))!;
    expect(insert.query.trim()).toBe('INSERT INTO `otel_traces` (`TraceId`) FORMAT Native');
    expect(insert.body.equals(block)).toBe(true);
    expect(insert.settings.get('insert_distributed_sync')).toBe('1');
  });
});

describe('migration files', () => {
  // What users create (canary configs and judgements, alert rules and state, dashboards) is
  // kept until deleted; every table of telemetry expires by the retention rule.
  const KEPT = /^vigil_(canary|alert|dashboard)/;

  it('give every telemetry table a TTL from the later of event and ingest time', () => {
    for (const migration of loadMigrations()) {
      for (const statement of splitStatements(migration.sql)) {
        const table = /CREATE TABLE IF NOT EXISTS \{\{table:(\w+)\}\}/.exec(statement)?.[1];
        if (table === undefined || /\nENGINE = Null/.test(statement)) continue;
        if (KEPT.test(table)) {
          expect(statement, table).not.toMatch(/\nTTL /);
          continue;
        }
        expect(statement, table).toMatch(
          /\nTTL greatest\([\w()]+, IngestTime\) \+ toIntervalDay\(\{\{ttl_days:(traces|logs|metrics)\}\}\)\nSETTINGS index_granularity = \d+(, ttl_only_drop_parts = 1)?$/,
        );
      }
    }
  });
});
