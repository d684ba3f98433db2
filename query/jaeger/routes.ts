// Jaeger's v1 HTTP API (the one Grafana's Jaeger data source calls), as a Fastify plugin.
// Handlers only parse parameters (params.ts), call the service and wrap the answer in
// Jaeger's envelope; failures go to the query service's error mapper (query/errors.ts),
// which answers them in the same envelope because of `config.errorBody`.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { envelope, errorEnvelope } from './model.ts';
import {
  METADATA_LOOKBACK_US,
  type RawQuery,
  parseDependencies,
  parseOptionalTimeRange,
  parseRequiredService,
  parseSpanKind,
  parseTimeRange,
  parseTraceId,
  parseTraceIdList,
  parseTraceSearch,
} from './params.ts';
import type { JaegerService } from './service.ts';

export interface JaegerRoutesOptions {
  service: JaegerService;
  /** Unix milliseconds; tests may fix it. */
  now?: () => number;
}

export const jaegerRoutes: FastifyPluginAsync<JaegerRoutesOptions> = async (app: FastifyInstance, options) => {
  const { service } = options;
  const nowMs = options.now ?? Date.now;
  const nowUs = () => nowMs() * 1000;
  const config = { errorBody: errorEnvelope };

  app.get<{ Querystring: RawQuery }>('/api/services', { config }, async (req) => {
    const services = await service.services(parseTimeRange(req.query, nowUs(), METADATA_LOOKBACK_US));
    return envelope(services, { total: services.length });
  });

  app.get<{ Querystring: RawQuery; Params: { service: string } }>('/api/services/:service/operations', { config }, async (req) => {
    const names = await service.operationNames(req.params.service, parseTimeRange(req.query, nowUs(), METADATA_LOOKBACK_US));
    return envelope(names, { total: names.length });
  });

  app.get<{ Querystring: RawQuery }>('/api/operations', { config }, async (req) => {
    const name = parseRequiredService(req.query);
    const kind = parseSpanKind(req.query);
    const operations = await service.operations(name, kind, parseTimeRange(req.query, nowUs(), METADATA_LOOKBACK_US));
    return envelope(operations, { total: operations.length });
  });

  app.get<{ Querystring: RawQuery }>('/api/traces', { config }, async (req) => {
    const ids = parseTraceIdList(req.query);
    if (ids !== undefined) {
      const { traces, errors } = await service.traceList(ids);
      return envelope(traces, { errors });
    }
    return envelope(await service.search(parseTraceSearch(req.query, nowUs())));
  });

  app.get<{ Querystring: RawQuery; Params: { traceID: string } }>('/api/traces/:traceID', { config }, async (req) => {
    const id = parseTraceId(req.params.traceID, 'traceID');
    return envelope([await service.trace(id, parseOptionalTimeRange(req.query))]);
  });

  app.get<{ Querystring: RawQuery }>('/api/dependencies', { config }, async (req) => {
    return envelope(await service.dependencies(parseDependencies(req.query, nowMs())));
  });
};
