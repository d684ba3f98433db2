// The scale-out shape against one ClickHouse over HTTP: two `vigil ingest` processes and one
// `vigil query` process share a store (the ClickHouse HTTP fixture, in its own process, since a
// chDB data directory belongs to one process). Data sent to either ingest process lands exactly
// once; each role opens only its own port.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VigilProcess, startVigilProcess } from '../bench/vigil-process.ts';
import { loadMigrations } from '../schemas/migrate.ts';
import { logsJson, post, spansJson, traceId } from './helpers/otlp.ts';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'vigil-scale-out-'));
const children: ChildProcess[] = [];
let fixture: ChildProcess;
let fixtureUrl: string;
let ingestA: VigilProcess;
let ingestB: VigilProcess;
let query: VigilProcess;
let clickhouse: ClickHouseClient;
/** Ports nobody listens on: the ingest processes' query port, the query process's OTLP ports. */
let unusedQueryPort: number;
let unusedOtlpPort: number;
let unusedGrpcPort: number;

/** Starts the fixture as its own process (with an IPC channel: it stops when this process goes away). */
function startFixtureProcess(dataDir: string): Promise<string> {
  fixture = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/clickhouse-http.ts', dataDir, '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.push(fixture);
  return new Promise((resolve, reject) => {
    fixture.once('exit', (code) => reject(new Error(`the ClickHouse HTTP fixture exited with ${code} before printing its URL`)));
    createInterface({ input: fixture.stdout! }).once('line', (line) => resolve(line.trim()));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** Resolves with the connect error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
  });
}

beforeAll(async () => {
  fixtureUrl = await startFixtureProcess(join(work, 'clickhouse'));
  expect(fixtureUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  [unusedQueryPort, unusedOtlpPort, unusedGrpcPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const env = {
    CLICKHOUSE_URL: fixtureUrl,
    CLICKHOUSE_DATABASE: 'scaleout',
    // Server mode must not touch an embedded data directory.
    VIGIL_DATA_DIR: join(work, 'must-not-exist'),
    VIGIL_BATCH_MAX_AGE: '20ms',
    VIGIL_LOG_LEVEL: 'info',
    // Two ingest processes on one host: every listening port must be its own.
    VIGIL_OTLP_GRPC_PORT: '0',
  };
  // All three start at once: their migrations race on the shared store.
  const started = [
    startVigilProcess({ ...env, VIGIL_QUERY_PORT: String(unusedQueryPort) }, ['ingest']),
    startVigilProcess({ ...env, VIGIL_QUERY_PORT: String(unusedQueryPort) }, ['ingest']),
    startVigilProcess({ ...env, VIGIL_OTLP_HTTP_PORT: String(unusedOtlpPort), VIGIL_OTLP_GRPC_PORT: String(unusedGrpcPort) }, ['query']),
  ];
  // Register every child for afterAll even when another one fails to start.
  const settled = await Promise.allSettled(started);
  for (const s of settled) if (s.status === 'fulfilled') children.push(s.value.child);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  [ingestA, ingestB, query] = settled.map((s) => (s as PromiseFulfilledResult<VigilProcess>).value) as [VigilProcess, VigilProcess, VigilProcess];
  clickhouse = createClient({ url: fixtureUrl, database: 'scaleout', log: { level: ClickHouseLogLevel.OFF } });
});

afterAll(async () => {
  await clickhouse?.close();
  const exits = children.map(
    (child) => new Promise<void>((done) => (child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done()))),
  );
  for (const child of children) if (child !== fixture) child.kill('SIGKILL');
  fixture?.kill('SIGTERM');
  const timer = setTimeout(() => fixture?.kill('SIGKILL'), 5000);
  await Promise.all(exits);
  clearTimeout(timer);
  rmSync(work, { recursive: true, force: true });
});

describe('scale-out: two ingest processes and one query process on one ClickHouse (HTTP)', () => {
  it('each role opens only its own port, and server mode uses no local data directory', async () => {
    expect(ingestA.otlpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ingestB.otlpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ingestA.queryUrl).toBeUndefined();
    expect(query.otlpUrl).toBe('');
    expect(query.queryUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const ready = await fetch(`${query.queryUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
    // The ingest processes were given a query port and did not open it; the query process was
    // given an OTLP port and did not open it.
    expect(await tryConnect(unusedQueryPort)).toBe('ECONNREFUSED');
    expect(await tryConnect(unusedOtlpPort)).toBe('ECONNREFUSED');
    expect(await tryConnect(unusedGrpcPort)).toBe('ECONNREFUSED');
    expect(ingestA.lines.some((l) => l.includes('query API at'))).toBe(false);
    expect(query.lines.some((l) => /send OTLP\/(HTTP|gRPC) to/.test(l))).toBe(false);
    expect(existsSync(join(work, 'must-not-exist'))).toBe(false);
  });

  it('stores every span and log record sent to either ingest process exactly once', async () => {
    const requests = 24;
    const perRequest = 10;
    const spans: Array<{ traceId: string; spanId: string }> = [];
    const bodies: string[] = [];
    const sends: Array<Promise<{ status: number; what: string }>> = [];
    for (let r = 0; r < requests; r++) {
      const target = r % 2 === 0 ? ingestA : ingestB;
      const t = traceId();
      const batch = Array.from({ length: perRequest }, (_, i) => ({ traceId: t, spanId: (r * 1000 + i + 1).toString(16).padStart(16, '0') }));
      spans.push(...batch);
      const logBatch = Array.from({ length: perRequest }, (_, i) => `scale-out log ${r}-${i}`);
      bodies.push(...logBatch);
      sends.push(post(`${target.otlpUrl}/v1/traces`, spansJson('scale-out', batch)).then((a) => ({ status: a.status, what: `traces ${r}` })));
      // Logs go to the other process than this round's traces.
      const other = target === ingestA ? ingestB : ingestA;
      sends.push(post(`${other.otlpUrl}/v1/logs`, logsJson('scale-out', logBatch)).then((a) => ({ status: a.status, what: `logs ${r}` })));
    }
    const answers = await Promise.all(sends);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);

    // Acknowledged means stored: read straight away through the fixture.
    const spanRows = await (
      await clickhouse.query({
        query: "SELECT TraceId, SpanId, count() AS n FROM otel_traces WHERE ServiceName = 'scale-out' GROUP BY TraceId, SpanId",
        format: 'JSONEachRow',
      })
    ).json<{ TraceId: string; SpanId: string; n: number | string }>();
    expect(spanRows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(spanRows.map((r) => `${r.TraceId}/${r.SpanId}`).sort()).toEqual(spans.map((s) => `${s.traceId}/${s.spanId}`).sort());

    const logRows = await (
      await clickhouse.query({
        query: "SELECT Body, count() AS n FROM otel_logs WHERE ServiceName = 'scale-out' GROUP BY Body",
        format: 'JSONEachRow',
      })
    ).json<{ Body: string; n: number | string }>();
    expect(logRows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(logRows.map((r) => r.Body).sort()).toEqual([...bodies].sort());

    // Both ingest processes wrote (each got half of the requests).
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(requests);
    const ledger = await (
      await clickhouse.query({ query: 'SELECT version, count() AS n FROM vigil_schema_migrations GROUP BY version ORDER BY version', format: 'JSONEachRow' })
    ).json<{ version: number; n: number | string }>();
    expect(ledger.map((l) => l.version)).toEqual(loadMigrations().map((m) => m.version));
  });
});
