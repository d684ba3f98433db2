// Where custom dashboards are kept: in ClickHouse, through the query API's /api/v1/dashboards
// (query/dashboards/). The server assigns ids and validates; its messages reach the editor.
import { ApiError, apiGet, apiSend } from '../api.ts';
import type { Dashboard } from './model.ts';

export interface DashboardStore {
  list(): Promise<Dashboard[]>;
  /** undefined when there is no such dashboard. */
  get(id: string): Promise<Dashboard | undefined>;
  /** Stores a new dashboard; answers it with its id. */
  create(d: Omit<Dashboard, 'id'>): Promise<Dashboard>;
  /** Replaces a stored dashboard. */
  save(d: Dashboard): Promise<void>;
  remove(id: string): Promise<void>;
}

/** The model's fields of what the API answers (it adds createdAt and updatedAt). */
const dashboardOf = ({ id, title, variables, panels }: Dashboard): Dashboard => ({ id, title, variables, panels });

const path = (id: string) => `/api/v1/dashboards/${encodeURIComponent(id)}`;

export const serverDashboards: DashboardStore = {
  async list() {
    return (await apiGet<{ dashboards: Dashboard[] }>('/api/v1/dashboards')).dashboards.map(dashboardOf);
  },
  async get(id) {
    try {
      return dashboardOf(await apiGet<Dashboard>(path(id)));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  },
  async create(d) {
    return dashboardOf(await apiSend<Dashboard>('POST', '/api/v1/dashboards', d));
  },
  async save(d) {
    await apiSend('PUT', path(d.id), dashboardOf(d));
  },
  async remove(id) {
    await apiSend('DELETE', path(id));
  },
};
