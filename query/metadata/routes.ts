// The metadata endpoints (autocomplete), as a Fastify plugin (thin handlers; errors to query/errors.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { RawQuery } from '../params.ts';
import { parseAttributeKeys, parseAttributeValues } from './params.ts';
import type { MetadataReader } from './reader.ts';

export interface MetadataRoutesOptions {
  reader: MetadataReader;
  /** Unix milliseconds; tests may fix it. */
  now?: () => number;
}

export const metadataRoutes: FastifyPluginAsync<MetadataRoutesOptions> = async (app, options) => {
  const { reader } = options;
  const now = options.now ?? Date.now;

  app.get<{ Querystring: RawQuery }>('/api/v1/metadata/attributes', async (req) => ({
    keys: await reader.keys(parseAttributeKeys(req.query, now())),
  }));
  app.get<{ Querystring: RawQuery }>('/api/v1/metadata/attributes/values', async (req) => ({
    values: await reader.values(parseAttributeValues(req.query, now())),
  }));
};
