// The alert endpoints (/api/v1/alerts...), as a Fastify plugin: thin handlers over the
// AlertService; failures go to the query service's error mapper (query/errors.ts).
import type { FastifyPluginAsync } from 'fastify';
import { type RawQuery, onlyKnown } from '../params.ts';
import { parseActiveFilter, parseHistoryQuery } from './params.ts';
import { ruleJson } from './rules.ts';
import type { AlertService } from './service.ts';
import type { StoredRule } from './store.ts';

export interface AlertRoutesOptions {
  service: AlertService;
  now?: () => number;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function ruleView(stored: StoredRule): Record<string, unknown> {
  return { id: stored.id, ...ruleJson(stored.rule), createdAt: iso(stored.createdAtMs), updatedAt: iso(stored.updatedAtMs) };
}

type Id = { Params: { id: string }; Querystring: RawQuery };

export const alertRoutes: FastifyPluginAsync<AlertRoutesOptions> = async (app, { service, now = Date.now }) => {
  app.get<{ Querystring: RawQuery }>('/api/v1/alerts', async (req) => {
    const alerts = await service.activeAlerts(parseActiveFilter(req.query));
    return {
      alerts: alerts.map(({ ruleId, ruleName, instance: i }) => ({
        ruleId,
        ruleName,
        fingerprint: i.fingerprint,
        state: i.state,
        labels: i.labels,
        annotations: i.annotations,
        value: i.value,
        activeAt: iso(i.activeAt),
        firedAt: iso(i.firedAt),
      })),
    };
  });

  app.get<{ Querystring: RawQuery }>('/api/v1/alerts/history', async (req) => {
    const entries = await service.history(parseHistoryQuery(req.query, now()));
    return { history: entries.map((e) => ({ ...e, atIso: iso(e.at) })) };
  });

  app.get<{ Querystring: RawQuery }>('/api/v1/alerts/rules', async (req) => {
    onlyKnown(req.query, []);
    return { rules: (await service.listRules()).map(ruleView) };
  });
  app.post<{ Querystring: RawQuery }>('/api/v1/alerts/rules', async (req, reply) => {
    onlyKnown(req.query, []);
    return reply.code(201).send(ruleView(await service.createRule(req.body)));
  });
  app.get<Id>('/api/v1/alerts/rules/:id', async (req) => {
    onlyKnown(req.query, []);
    return ruleView(await service.getRule(req.params.id));
  });
  app.put<Id>('/api/v1/alerts/rules/:id', async (req) => {
    onlyKnown(req.query, []);
    return ruleView(await service.updateRule(req.params.id, req.body));
  });
  app.delete<Id>('/api/v1/alerts/rules/:id', async (req, reply) => {
    onlyKnown(req.query, []);
    await service.deleteRule(req.params.id);
    return reply.code(204).send();
  });
};
