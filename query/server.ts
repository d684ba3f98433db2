// The query service (port 8080): HTTP API for the UI and for Grafana, on the read connection.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Store } from '../schemas/store.ts';
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

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = !closing && (await store.ping());
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable' });
  });

  await app.listen({ port: settings.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    app,
    url,
    async close() {
      closing = true;
      await app.close();
    },
  };
}
