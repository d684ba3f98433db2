// Stored canary configs and judgements in ClickHouse (SQL in sql.ts, tables in 0007_canary.sql).
import type { ClickHouseClient } from '@clickhouse/client';
import { CONFIGS_TABLE, GET_CONFIG, GET_JUDGEMENT, JUDGEMENTS_TABLE, LIST_CONFIGS, LIST_JUDGEMENTS } from './sql.ts';

export interface ConfigSummary {
  id: string;
  name: string;
  createdTimestamp: number; // unix ms
  updatedTimestamp: number; // unix ms
}

export interface StoredConfig extends ConfigSummary {
  /** The canary config as it was stored (Kayenta's JSON shape, already validated). */
  config: Record<string, unknown>;
}

export interface JudgementSummary {
  id: string;
  createdAtMs: number;
  configId: string;
  configName: string;
  score: number;
  classification: string;
}

export interface JudgementPage {
  limit: number;
  /** '' for every config. */
  configId: string;
  after: { ms: number; id: string } | undefined;
}

/**
 * Canary configs and judgements.
 *
 * Contract: failures reject with the client's error (the error mapper answers 500). Returned
 * objects belong to the caller. A write is visible to the next read once it resolves.
 * - putConfig writes a new version of the config `id` (a deletion when `config` is null).
 * - getConfig / getJudgement: undefined when the id is unknown (or the config deleted).
 * - listJudgements: newest first, ties by id descending, strictly after `after`.
 */
export interface CanaryStore {
  listConfigs(): Promise<ConfigSummary[]>;
  getConfig(id: string): Promise<StoredConfig | undefined>;
  putConfig(id: string, name: string, config: Record<string, unknown> | null): Promise<void>;
  saveJudgement(summary: JudgementSummary, judgement: unknown): Promise<void>;
  listJudgements(page: JudgementPage): Promise<JudgementSummary[]>;
  getJudgement(id: string): Promise<unknown | undefined>;
}

interface ConfigRow {
  id: string;
  name: string;
  createdVersion: string;
  version: string;
  config?: string;
}

const summaryOf = (row: ConfigRow): ConfigSummary => ({
  id: row.id,
  name: row.name,
  createdTimestamp: Math.floor(Number(row.createdVersion) / 1000),
  updatedTimestamp: Math.floor(Number(row.version) / 1000),
});

export class ClickHouseCanaryStore implements CanaryStore {
  private lastVersion = 0;

  /** `read` for queries, `write` for inserts (they may be the same client). */
  constructor(
    private readonly read: ClickHouseClient,
    private readonly write: ClickHouseClient,
  ) {}

  /** Unix microseconds, strictly increasing in this process, so a quick update-then-delete keeps its order. */
  private nextVersion(): number {
    this.lastVersion = Math.max(Date.now() * 1000, this.lastVersion + 1);
    return this.lastVersion;
  }

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const result = await this.read.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  async listConfigs(): Promise<ConfigSummary[]> {
    return (await this.rows<ConfigRow>(LIST_CONFIGS, {})).map(summaryOf);
  }

  async getConfig(id: string): Promise<StoredConfig | undefined> {
    const row = (await this.rows<ConfigRow>(GET_CONFIG, { id }))[0];
    if (row === undefined) return undefined;
    return { ...summaryOf(row), config: JSON.parse(row.config ?? '{}') as Record<string, unknown> };
  }

  async putConfig(id: string, name: string, config: Record<string, unknown> | null): Promise<void> {
    await this.write.insert({
      table: CONFIGS_TABLE,
      values: [{ Id: id, Version: this.nextVersion(), Name: name, Config: config === null ? '' : JSON.stringify(config), Deleted: config === null ? 1 : 0 }],
      format: 'JSONEachRow',
    });
  }

  async saveJudgement(summary: JudgementSummary, judgement: unknown): Promise<void> {
    await this.write.insert({
      table: JUDGEMENTS_TABLE,
      values: [
        {
          Id: summary.id,
          CreatedAt: summary.createdAtMs,
          ConfigId: summary.configId,
          ConfigName: summary.configName,
          Score: summary.score,
          Classification: summary.classification,
          Judgement: JSON.stringify(judgement),
        },
      ],
      // An integer for a DateTime64(3) column is read as milliseconds (ticks of its precision).
      format: 'JSONEachRow',
    });
  }

  async listJudgements(page: JudgementPage): Promise<JudgementSummary[]> {
    const rows = await this.rows<Omit<JudgementSummary, 'createdAtMs'> & { createdAtMs: string }>(LIST_JUDGEMENTS, {
      limit: page.limit,
      configId: page.configId,
      hasCursor: page.after === undefined ? 0 : 1,
      afterMs: page.after?.ms ?? 0,
      afterId: page.after?.id ?? '',
    });
    return rows.map((r) => ({ ...r, createdAtMs: Number(r.createdAtMs) }));
  }

  async getJudgement(id: string): Promise<unknown | undefined> {
    const row = (await this.rows<{ judgement: string }>(GET_JUDGEMENT, { id }))[0];
    return row === undefined ? undefined : JSON.parse(row.judgement);
  }
}
