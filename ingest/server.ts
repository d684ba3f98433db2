// The ingest service: the batcher over the store, and the OTLP transports in front of it.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { isLoopback } from '../schemas/auth.ts';
import type { Store } from '../schemas/store.ts';
import { Batcher } from './batcher.ts';
import { createIngestGrpcServer } from './grpc.ts';
import { createIngestHttpServer } from './http.ts';
import { startSelfMetrics } from './selfmetrics.ts';
import type { IngestSettings } from './settings.ts';

export interface IngestService {
  readonly batcher: Batcher;
  /** Base URL of the OTLP/HTTP receiver, e.g. http://127.0.0.1:4318 */
  readonly httpUrl: string;
  /** Address of the OTLP/gRPC receiver, e.g. 127.0.0.1:4317 */
  readonly grpcAddress: string;
  /** Stops accepting, answers what is in flight once it is stored, then resolves. */
  close(): Promise<void>;
}

export async function startIngest(store: Store, settings: IngestSettings, host: string, log: Logger): Promise<IngestService> {
  const batcher = new Batcher(
    store,
    {
      maxRows: settings.batchMaxRows,
      maxBytes: settings.batchMaxBytes,
      maxAgeMs: settings.batchMaxAgeMs,
      maxPendingBytes: settings.maxPendingBytes,
      flushConcurrency: settings.flushConcurrency,
      retryAfterSeconds: 1,
    },
    log.child({ component: 'batcher' }),
  );
  let closing = false;
  const health = { ready: async () => !closing && (await store.ping()) };
  const otlpHttp = createIngestHttpServer(
    batcher,
    health,
    { maxBodyBytes: settings.maxBodyBytes, tokens: settings.tokens },
    log.child({ component: 'otlp-http' }),
  );
  const http = otlpHttp.server;
  if (!settings.tokens.enabled && !isLoopback(host)) {
    log.warn({ host }, 'OTLP ingest listens beyond loopback without authentication: set VIGIL_INGEST_TOKENS');
  }
  const httpUrl = await listen(http, settings.httpPort, host);
  const grpc = createIngestGrpcServer(
    batcher,
    { maxMessageBytes: settings.grpcMaxMessageBytes, tokens: settings.tokens },
    log.child({ component: 'otlp-grpc' }),
  );
  const grpcAddress = await grpc.start(host, settings.grpcPort);
  const stopSelfMetrics = startSelfMetrics(batcher, settings.selfMetricsIntervalMs, log.child({ component: 'self-metrics' }));

  return {
    batcher,
    httpUrl,
    grpcAddress,
    async close() {
      closing = true;
      stopSelfMetrics();
      const closed = new Promise((resolve) => http.close(resolve));
      http.closeIdleConnections();
      // Stop taking gRPC calls before the batcher closes; the calls in flight finish once
      // batcher.close() has stored their rows.
      const grpcClosed = grpc.close();
      await batcher.close();
      await grpcClosed;
      await otlpHttp.drained();
      http.closeAllConnections();
      await closed;
    },
  };
}

export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const h = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${h}:${address.port}`);
    });
  });
}
