// Wires Vigil's native query API (/api/v1/...) and its OpenAPI document onto the query service:
// readers over the read connection, services, and one plugin per concept.
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyPluginAsync } from 'fastify';
import { alertRoutes } from './alerts/routes.ts';
import { AlertService } from './alerts/service.ts';
import { ClickHouseAlertStore } from './alerts/store.ts';
import { evaluate } from './asl/evaluator.ts';
import { canaryRoutes } from './canary/routes.ts';
import { CanaryService } from './canary/service.ts';
import { ClickHouseCanaryStore } from './canary/store.ts';
import { dashboardRoutes } from './dashboards/routes.ts';
import { DashboardService } from './dashboards/service.ts';
import { ClickHouseDashboardStore } from './dashboards/store.ts';
import { ClickHouseTraceReader } from './jaeger/reader.ts';
import { ClickHouseLogReader } from './logs/reader.ts';
import { logRoutes } from './logs/routes.ts';
import { LogService } from './logs/service.ts';
import { ClickHouseMetadataReader } from './metadata/reader.ts';
import { metadataRoutes } from './metadata/routes.ts';
import { ClickHouseSeriesSource } from './metrics/source.ts';
import { openApiRoutes } from './openapi.ts';
import { ClickHouseRegexChecker } from './regex.ts';
import { ClickHouseTraceSummaryReader } from './traces/reader.ts';
import { traceRoutes } from './traces/routes.ts';
import { TraceService } from './traces/service.ts';

export interface ApiV1Options {
  client: ClickHouseClient;
  /** Inserts (stored canary configs and judgements, alert rules, dashboards); default: `client`. */
  write?: ClickHouseClient;
  /** Unix milliseconds; tests may fix it. */
  now?: () => number;
}

export const apiV1: FastifyPluginAsync<ApiV1Options> = async (app, { client, write, now }) => {
  const regex = new ClickHouseRegexChecker(client);
  const logs = new ClickHouseLogReader(client);
  const traces = new TraceService(new ClickHouseTraceSummaryReader(client), new ClickHouseTraceReader(client), logs, regex);
  await app.register(traceRoutes, { service: traces, ...(now ? { now } : {}) });
  await app.register(logRoutes, { service: new LogService(logs, regex), ...(now ? { now } : {}) });
  await app.register(metadataRoutes, { reader: new ClickHouseMetadataReader(client), ...(now ? { now } : {}) });
  const canary = new CanaryService(new ClickHouseCanaryStore(client, write ?? client), new ClickHouseSeriesSource(client), evaluate, now);
  await app.register(canaryRoutes, { service: canary });
  await app.register(dashboardRoutes, { service: new DashboardService(new ClickHouseDashboardStore(client, write ?? client)) });
  await app.register(alertRoutes, { service: new AlertService(new ClickHouseAlertStore(client, write ?? client)), ...(now ? { now } : {}) });
  await app.register(openApiRoutes);
};
