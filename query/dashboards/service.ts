// What the dashboard endpoints do: validated CRUD of custom dashboards, ids assigned here.
import { randomUUID } from 'node:crypto';
import { vigilError } from '../../schemas/errors.ts';
import { parseDashboard } from './params.ts';
import type { DashboardStore, StoredDashboard } from './store.ts';

export class DashboardService {
  constructor(private readonly store: DashboardStore) {}

  list(): Promise<StoredDashboard[]> {
    return this.store.list();
  }

  async get(id: string): Promise<StoredDashboard> {
    const stored = await this.store.get(id);
    if (stored === undefined) throw vigilError('VIGIL_ERR_NOT_FOUND', `dashboard ${id}`);
    return stored;
  }

  async create(body: unknown): Promise<StoredDashboard> {
    const id = randomUUID();
    await this.store.put(id, parseDashboard(body, undefined));
    return this.get(id);
  }

  async update(id: string, body: unknown): Promise<StoredDashboard> {
    const dashboard = parseDashboard(body, id);
    await this.get(id);
    await this.store.put(id, dashboard);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.store.put(id, null);
  }
}
