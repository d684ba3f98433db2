import { tokens } from '../schemas/auth.ts';
import { integer, readSettings } from '../schemas/settings.ts';
import { alertSettings } from './alerts/settings.ts';
import { metricCacheSettings } from './metrics/hour-cache.ts';
import { metricRollupSettings } from './metrics/rollup.ts';

export const querySettings = {
  port: integer('VIGIL_QUERY_PORT', 8080, 'Query API and UI port.'),
  tokens: tokens('VIGIL_QUERY_TOKENS', 'Comma-separated bearer tokens for the query API and UI; empty: no authentication.'),
  ...alertSettings,
  ...metricRollupSettings,
  ...metricCacheSettings,
};

export type QuerySettings = ReturnType<typeof readQuerySettings>;

export function readQuerySettings(env: NodeJS.ProcessEnv = process.env) {
  return readSettings(querySettings, env);
}
