// The native trace endpoints, as a Fastify plugin. Handlers only parse parameters and call the
// service; failures go to the query service's error mapper (query/errors.ts).
import type { FastifyPluginAsync } from 'fastify';
import { type RawQuery, onlyKnown, parseTraceId } from '../params.ts';
import { parseTraceSearch } from './params.ts';
import type { TraceService } from './service.ts';

export interface TraceRoutesOptions {
  service: TraceService;
  /** Unix milliseconds; tests may fix it. */
  now?: () => number;
}

export const traceRoutes: FastifyPluginAsync<TraceRoutesOptions> = async (app, options) => {
  const { service } = options;
  const now = options.now ?? Date.now;

  app.get<{ Querystring: RawQuery }>('/api/v1/traces', async (req) => service.search(parseTraceSearch(req.query, now())));

  app.get<{ Querystring: RawQuery; Params: { traceId: string } }>('/api/v1/traces/:traceId', async (req) => {
    onlyKnown(req.query, []);
    return service.trace(parseTraceId(req.params.traceId));
  });
};
