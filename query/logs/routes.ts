// The native log endpoints, as a Fastify plugin (thin handlers; errors to query/errors.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { RawQuery } from '../params.ts';
import { parseLogSearch, parseLogVolume } from './params.ts';
import type { LogService } from './service.ts';

export interface LogRoutesOptions {
  service: LogService;
  /** Unix milliseconds; tests may fix it. */
  now?: () => number;
}

export const logRoutes: FastifyPluginAsync<LogRoutesOptions> = async (app, options) => {
  const { service } = options;
  const now = options.now ?? Date.now;

  app.get<{ Querystring: RawQuery }>('/api/v1/logs', async (req) => service.search(parseLogSearch(req.query, now())));
  app.get<{ Querystring: RawQuery }>('/api/v1/logs/volume', async (req) => service.volume(parseLogVolume(req.query, now())));
};
