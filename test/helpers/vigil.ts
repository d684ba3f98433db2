// Starts a real Vigil (embedded ClickHouse, real HTTP ports) for a test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll } from 'vitest';
import { type Vigil, startVigil } from '../../query/vigil.ts';

export interface TestVigil extends Vigil {
  readonly otlpUrl: string;
  /** host:port of the OTLP/gRPC receiver. */
  readonly grpcAddress: string;
  readonly dataDir: string;
  /** Runs a read query and returns the rows (64-bit integers as strings). */
  rows<T = Record<string, unknown>>(query: string, params?: Record<string, unknown>): Promise<T[]>;
}

const dataDirs: string[] = [];

/** A new data directory, removed when the test file ends (after its own afterAll hooks). */
export function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-test-'));
  dataDirs.push(dir);
  return dir;
}

// Registered when a test file imports this module, before the file's own hooks: hooks run in
// reverse order (vitest's "stack"), so the servers are stopped before their directories go.
afterAll(() => {
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export async function startTestVigil(env: Record<string, string> = {}, dataDir = freshDataDir()): Promise<TestVigil> {
  const vigil = await startVigil(
    'all',
    {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_OTLP_HTTP_PORT: '0',
      VIGIL_OTLP_GRPC_PORT: '0',
      VIGIL_QUERY_PORT: '0',
      VIGIL_BATCH_MAX_AGE: '20ms',
      ...env,
    },
    pino({ level: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent' }),
  );
  return Object.assign(vigil, {
    otlpUrl: vigil.ingest!.httpUrl,
    grpcAddress: vigil.ingest!.grpcAddress,
    dataDir,
    async rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
      const result = await vigil.store.read.query({
        query,
        query_params: params,
        format: 'JSONEachRow',
        clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
      });
      return result.json<T>();
    },
  });
}

/** Nanoseconds since the epoch as ClickHouse prints DateTime64(9) in UTC. */
export function nanosToClickHouse(nanos: bigint): string {
  const ms = Number(nanos / 1_000_000n);
  const iso = new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  return `${iso}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}`;
}
