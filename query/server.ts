// The query service (port 8080): HTTP API for the UI and for Grafana, on the read connection.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { isLoopback } from '../schemas/auth.ts';
import { vigilError } from '../schemas/errors.ts';
import type { Store } from '../schemas/store.ts';
import { startAlertEngine } from './alerts/alerting.ts';
import { apiV1 } from './api-v1.ts';
import { handleError } from './errors.ts';
import { ClickHouseTraceReader } from './jaeger/reader.ts';
import { jaegerRoutes } from './jaeger/routes.ts';
import { JaegerService } from './jaeger/service.ts';
import { atlasRoutes } from './metrics/routes.ts';
import { ClickHouseServiceMetricsReader, RollupDependencyReader } from './services/reader.ts';
import { servicesRoutes } from './services/routes.ts';
import { isPublicRoute, uiRoutes } from './ui.ts';
import type { QuerySettings } from './settings.ts';

export interface QueryService {
  readonly app: FastifyInstance;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  close(): Promise<void>;
}

export async function startQuery(store: Store, settings: QuerySettings, host: string, log: Logger): Promise<QueryService> {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  let closing = false;
  if (!settings.tokens.enabled && !isLoopback(host)) {
    log.warn({ host }, 'the query API listens beyond loopback without authentication: set VIGIL_QUERY_TOKENS');
  }
  app.addHook('onRequest', async (req, reply) => {
    if (req.url === '/healthz' || req.url === '/readyz' || isPublicRoute(req) || settings.tokens.allows(req.headers.authorization)) return;
    const error = vigilError('VIGIL_ERR_UNAUTHENTICATED');
    return reply.code(error.status).header('WWW-Authenticate', 'Bearer').send({ code: error.code, message: error.message });
  });

  // Set before any plugin is registered, so every route (plugins included) inherits it.
  app.setErrorHandler(handleError);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = !closing && (await store.ping());
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable' });
  });

  // Jaeger's v1 HTTP API, for Grafana's Jaeger data source.
  // Service RED metrics and dependencies come from the rollups the ingest views keep.
  const serviceMetrics = new ClickHouseServiceMetricsReader(store.read);
  await app.register(jaegerRoutes, {
    service: new JaegerService(new ClickHouseTraceReader(store.read), new RollupDependencyReader(serviceMetrics)),
  });
  await app.register(servicesRoutes, { reader: serviceMetrics });
  // Vigil's native API for the UI (/api/v1/...) and its OpenAPI document.
  await app.register(apiV1, { client: store.read, write: store.write });
  // Atlas's metrics API: graph, fetch and tags read; publish writes (a 200 means stored).
  await app.register(atlasRoutes, { read: store.read, write: store.write, hourCacheBytes: settings.metricCacheSize });
  // The UI (ui/dist) at / with client routes; its API calls carry the token like any client.
  await app.register(uiRoutes);

  await app.listen({ port: settings.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // Alert rules are evaluated by one query process at a time (a lease in ClickHouse).
  const alerts = startAlertEngine(store, settings, url, log);
  return {
    app,
    url,
    async close() {
      closing = true;
      await alerts.stop();
      await app.close();
    },
  };
}
