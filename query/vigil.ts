// The `vigil` command. `vigil` runs everything in one process (what `npm start` does);
// `vigil ingest` and `vigil query` run one side each, for scaling out against a
// ClickHouse server (CLICKHOUSE_URL).
import { pathToFileURL } from 'node:url';
import pino, { type Logger } from 'pino';
import { startIngest, type IngestService } from '../ingest/server.ts';
import { readIngestSettings } from '../ingest/settings.ts';
import { readSettings, text } from '../schemas/settings.ts';
import { openStore, storeConfigFromEnv, type Store } from '../schemas/store.ts';
import { startMetricRollup } from './metrics/rollup.ts';
import { startQuery, type QueryService } from './server.ts';
import { readQuerySettings } from './settings.ts';

export const processSettings = {
  host: text('VIGIL_HOST', '127.0.0.1', 'Address the OTLP and query ports listen on; 0.0.0.0 for all interfaces.'),
  logLevel: text('VIGIL_LOG_LEVEL', 'info', 'pino log level: trace, debug, info, warn, error, fatal or silent.'),
};

export type Role = 'all' | 'ingest' | 'query';

export interface Vigil {
  readonly store: Store;
  readonly ingest: IngestService | undefined;
  readonly query: QueryService | undefined;
  /** Graceful stop: refuse new data, store what was accepted, close the store. */
  stop(): Promise<void>;
}

/** Starts the parts of Vigil for `role`, configured from `env`. */
export async function startVigil(role: Role, env: NodeJS.ProcessEnv = process.env, log?: Logger): Promise<Vigil> {
  const settings = readSettings(processSettings, env);
  const logger = log ?? pino({ level: settings.logLevel, base: { service: 'vigil' } });
  const store = await openStore(storeConfigFromEnv(env), logger.child({ component: 'store' }));
  const ingest =
    role === 'query' ? undefined : await startIngest(store, readIngestSettings(env), settings.host, logger.child({ component: 'ingest' }));
  const query =
    role === 'ingest' ? undefined : await startQuery(store, readQuerySettings(env), settings.host, logger.child({ component: 'query' }));
  // Closed metric hours rolled up for graph queries (any number of query processes may run it).
  const rollup = query ? startMetricRollup(store.write, readQuerySettings(env), logger.child({ component: 'metric-rollup' })) : undefined;
  if (ingest) {
    logger.info(`send OTLP/HTTP to ${ingest.httpUrl} (POST /v1/traces, /v1/metrics, /v1/logs; protobuf or JSON, gzip ok)`);
    logger.info(`send OTLP/gRPC to ${ingest.grpcAddress} (TraceService, MetricsService, LogsService Export; gzip ok)`);
  }
  if (query) logger.info(`UI and query API at ${query.url}/ (Jaeger API for Grafana, /api/v1, Atlas /api/v1/graph, OpenAPI at /api/openapi.json)`);
  return {
    store,
    ingest,
    query,
    async stop() {
      await ingest?.close();
      await query?.close();
      await rollup?.stop();
      await store.close();
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const arg = argv[0] ?? 'all';
  if (arg !== 'all' && arg !== 'ingest' && arg !== 'query') {
    process.stderr.write(`usage: vigil [ingest|query]\n  unknown command ${JSON.stringify(arg)}\n`);
    process.exit(2);
  }
  const log = pino({ level: readSettings(processSettings).logLevel, base: { service: 'vigil' } });
  let vigil: Vigil;
  try {
    vigil = await startVigil(arg, process.env, log);
  } catch (error) {
    log.fatal({ err: error }, 'vigil failed to start');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: refusing new data, storing what was accepted');
    vigil.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main(process.argv.slice(2));
