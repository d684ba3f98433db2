// The canary endpoints (/api/v1/canary/...), as a Fastify plugin: thin handlers over the
// CanaryService; failures go to the query service's error mapper (query/errors.ts).
import type { FastifyPluginAsync } from 'fastify';
import { type RawQuery, onlyKnown, text } from '../params.ts';
import { nextJudgementCursor, parseJudgementPage } from './params.ts';
import type { CanaryService } from './service.ts';
import type { StoredConfig } from './store.ts';

export interface CanaryRoutesOptions {
  service: CanaryService;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A stored config as Kayenta answers it: the config with its id and timestamps. */
function configView(stored: StoredConfig): Record<string, unknown> {
  return {
    ...stored.config,
    id: stored.id,
    createdTimestamp: stored.createdTimestamp,
    createdTimestampIso: iso(stored.createdTimestamp),
    updatedTimestamp: stored.updatedTimestamp,
    updatedTimestampIso: iso(stored.updatedTimestamp),
  };
}

type Id = { Params: { id: string }; Querystring: RawQuery };

export const canaryRoutes: FastifyPluginAsync<CanaryRoutesOptions> = async (app, { service }) => {
  app.post<{ Querystring: RawQuery }>('/api/v1/canary/judge', async (req) => {
    onlyKnown(req.query, []);
    return service.judge(req.body);
  });

  app.get<{ Querystring: RawQuery }>('/api/v1/canary/judgements', async (req) => {
    const page = parseJudgementPage(req.query);
    const rows = await service.listJudgements(page);
    return { judgements: rows.map((r) => ({ ...r, createdAt: iso(r.createdAtMs) })), nextCursor: nextJudgementCursor(page, rows) };
  });
  app.get<Id>('/api/v1/canary/judgements/:id', async (req) => {
    onlyKnown(req.query, []);
    return service.getJudgement(req.params.id);
  });

  app.get<{ Querystring: RawQuery }>('/api/v1/canary/configs', async (req) => {
    onlyKnown(req.query, []);
    const configs = await service.listConfigs();
    return { configs: configs.map((c) => ({ ...c, createdTimestampIso: iso(c.createdTimestamp), updatedTimestampIso: iso(c.updatedTimestamp) })) };
  });
  app.post<{ Querystring: RawQuery }>('/api/v1/canary/configs', async (req, reply) => {
    onlyKnown(req.query, []);
    return reply.code(201).send(configView(await service.createConfig(req.body)));
  });
  app.get<Id>('/api/v1/canary/configs/:id', async (req) => {
    onlyKnown(req.query, []);
    return configView(await service.getConfig(req.params.id));
  });
  app.put<Id>('/api/v1/canary/configs/:id', async (req) => {
    onlyKnown(req.query, []);
    return configView(await service.updateConfig(req.params.id, req.body));
  });
  app.delete<Id>('/api/v1/canary/configs/:id', async (req, reply) => {
    onlyKnown(req.query, []);
    await service.deleteConfig(req.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: { name: string }; Querystring: RawQuery }>('/api/v1/canary/templates/:name', async (req) => {
    onlyKnown(req.query, ['service']);
    return service.templateConfig(req.params.name, text(req.query, 'service'));
  });
};
