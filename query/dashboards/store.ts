// Stored custom dashboards in ClickHouse (table in 0009_dashboards.sql).
import type { ClickHouseClient } from '@clickhouse/client';
import { type StoredDocument, VersionedDocuments } from '../versioned-documents.ts';
import type { DashboardBody } from './params.ts';
import { DASHBOARDS } from './sql.ts';

export interface StoredDashboard {
  readonly id: string;
  readonly dashboard: DashboardBody;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/**
 * Custom dashboards.
 *
 * Contract: failures reject with the client's error (the error mapper answers 500). Returned
 * objects belong to the caller. A write is visible to the next read once it resolves (on one
 * server; replicas may lag).
 * - put writes a new version of dashboard `id` (a deletion when `dashboard` is null).
 * - get: undefined when the id is unknown or the dashboard deleted.
 * - list: every live dashboard, by title then id.
 */
export interface DashboardStore {
  list(): Promise<StoredDashboard[]>;
  get(id: string): Promise<StoredDashboard | undefined>;
  put(id: string, dashboard: DashboardBody | null): Promise<void>;
}

const storedDashboard = (doc: StoredDocument): StoredDashboard => ({
  id: doc.id,
  dashboard: doc.body as DashboardBody,
  createdAtMs: doc.createdAtMs,
  updatedAtMs: doc.updatedAtMs,
});

export class ClickHouseDashboardStore implements DashboardStore {
  private readonly documents: VersionedDocuments;

  /** `read` for queries, `write` for inserts (they may be the same client). */
  constructor(read: ClickHouseClient, write: ClickHouseClient) {
    this.documents = new VersionedDocuments(read, write, DASHBOARDS);
  }

  async list(): Promise<StoredDashboard[]> {
    return (await this.documents.list()).map(storedDashboard);
  }

  async get(id: string): Promise<StoredDashboard | undefined> {
    const doc = await this.documents.get(id);
    return doc === undefined ? undefined : storedDashboard(doc);
  }

  put(id: string, dashboard: DashboardBody | null): Promise<void> {
    return this.documents.put(id, dashboard?.title ?? '', dashboard);
  }
}
