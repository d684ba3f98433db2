import { integer, readSettings } from '../schemas/settings.ts';

export const querySettings = {
  port: integer('VIGIL_QUERY_PORT', 8080, 'Query API and UI port.'),
};

export type QuerySettings = ReturnType<typeof readQuerySettings>;

export function readQuerySettings(env: NodeJS.ProcessEnv = process.env) {
  return readSettings(querySettings, env);
}
