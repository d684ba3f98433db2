// The dashboard endpoints (/api/v1/dashboards...), as a Fastify plugin: thin handlers over the
// DashboardService; failures go to the query service's error mapper (query/errors.ts).
import type { FastifyPluginAsync } from 'fastify';
import { type RawQuery, onlyKnown } from '../params.ts';
import type { DashboardService } from './service.ts';
import type { StoredDashboard } from './store.ts';

export interface DashboardRoutesOptions {
  service: DashboardService;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A stored dashboard as the UI's model has it, with its id and times. */
function dashboardView({ id, dashboard, createdAtMs, updatedAtMs }: StoredDashboard): Record<string, unknown> {
  return { id, ...dashboard, createdAt: iso(createdAtMs), updatedAt: iso(updatedAtMs) };
}

type Id = { Params: { id: string }; Querystring: RawQuery };

export const dashboardRoutes: FastifyPluginAsync<DashboardRoutesOptions> = async (app, { service }) => {
  app.get<{ Querystring: RawQuery }>('/api/v1/dashboards', async (req) => {
    onlyKnown(req.query, []);
    return { dashboards: (await service.list()).map(dashboardView) };
  });
  app.post<{ Querystring: RawQuery }>('/api/v1/dashboards', async (req, reply) => {
    onlyKnown(req.query, []);
    return reply.code(201).send(dashboardView(await service.create(req.body)));
  });
  app.get<Id>('/api/v1/dashboards/:id', async (req) => {
    onlyKnown(req.query, []);
    return dashboardView(await service.get(req.params.id));
  });
  app.put<Id>('/api/v1/dashboards/:id', async (req) => {
    onlyKnown(req.query, []);
    return dashboardView(await service.update(req.params.id, req.body));
  });
  app.delete<Id>('/api/v1/dashboards/:id', async (req, reply) => {
    onlyKnown(req.query, []);
    await service.remove(req.params.id);
    return reply.code(204).send();
  });
};
