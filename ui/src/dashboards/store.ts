// Where custom dashboards are kept. Vigil's query API has no dashboards endpoint yet, so this
// store keeps them in the browser (localStorage); an HTTP store over ClickHouse would replace
// it behind the same interface.
import type { Dashboard } from './model.ts';

export interface DashboardStore {
  list(): Promise<Dashboard[]>;
  get(id: string): Promise<Dashboard | undefined>;
  save(d: Dashboard): Promise<void>;
  remove(id: string): Promise<void>;
}

const KEY = 'vigil.dashboards';

function readAll(): Record<string, Dashboard> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, Dashboard>;
  } catch {
    return {};
  }
}

export const browserDashboards: DashboardStore = {
  async list() {
    return Object.values(readAll()).sort((a, b) => a.title.localeCompare(b.title));
  },
  async get(id) {
    return readAll()[id];
  },
  async save(d) {
    localStorage.setItem(KEY, JSON.stringify({ ...readAll(), [d.id]: d }));
  },
  async remove(id) {
    const all = readAll();
    delete all[id];
    localStorage.setItem(KEY, JSON.stringify(all));
  },
};
