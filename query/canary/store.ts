// Stored canary configs and judgements in ClickHouse (SQL in sql.ts, tables in 0007_canary.sql).
import type { ClickHouseClient } from '@clickhouse/client';
import { type StoredDocument, VersionedDocuments, selectRows } from '../versioned-documents.ts';
import { CONFIGS, GET_JUDGEMENT, JUDGEMENTS_TABLE, LIST_JUDGEMENTS } from './sql.ts';

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

const summaryOf = (doc: StoredDocument): ConfigSummary => ({
  id: doc.id,
  name: doc.name,
  createdTimestamp: doc.createdAtMs,
  updatedTimestamp: doc.updatedAtMs,
});

export class ClickHouseCanaryStore implements CanaryStore {
  private readonly configs: VersionedDocuments;

  /** `read` for queries, `write` for inserts (they may be the same client). */
  constructor(
    private readonly read: ClickHouseClient,
    private readonly write: ClickHouseClient,
  ) {
    this.configs = new VersionedDocuments(read, write, CONFIGS);
  }

  async listConfigs(): Promise<ConfigSummary[]> {
    return (await this.configs.list()).map(summaryOf);
  }

  async getConfig(id: string): Promise<StoredConfig | undefined> {
    const doc = await this.configs.get(id);
    return doc === undefined ? undefined : { ...summaryOf(doc), config: doc.body as Record<string, unknown> };
  }

  putConfig(id: string, name: string, config: Record<string, unknown> | null): Promise<void> {
    return this.configs.put(id, name, config);
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
    const rows = await selectRows<Omit<JudgementSummary, 'createdAtMs'> & { createdAtMs: string }>(this.read, LIST_JUDGEMENTS, {
      limit: page.limit,
      configId: page.configId,
      hasCursor: page.after === undefined ? 0 : 1,
      afterMs: page.after?.ms ?? 0,
      afterId: page.after?.id ?? '',
    });
    return rows.map((r) => ({ ...r, createdAtMs: Number(r.createdAtMs) }));
  }

  async getJudgement(id: string): Promise<unknown | undefined> {
    const row = (await selectRows<{ judgement: string }>(this.read, GET_JUDGEMENT, { id }))[0];
    return row === undefined ? undefined : JSON.parse(row.judgement);
  }
}
