// Stored alert rules, evaluator states and transition history in ClickHouse (SQL in sql.ts,
// tables in 0008_alerts.sql).
import type { ClickHouseClient } from '@clickhouse/client';
import { type StoredDocument, VersionClock, VersionedDocuments, selectRows } from '../versioned-documents.ts';
import type { RuleState, Transition } from './evaluator.ts';
import type { AlertRule } from './rules.ts';
import { HISTORY, HISTORY_TABLE, LATEST_STATES, RULES, STATE_TABLE } from './sql.ts';

export interface StoredRule {
  readonly id: string;
  readonly rule: AlertRule;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface HistoryQuery {
  /** '' for every rule. */
  readonly ruleId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly limit: number;
}

export interface HistoryEntry {
  readonly at: number;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly fingerprint: string;
  readonly labels: Record<string, string>;
  readonly from: string;
  readonly to: string;
  /** null for no data. */
  readonly value: number | null;
}

/**
 * Alert rules, states and history.
 *
 * Contract: failures reject with the client's error. Returned objects belong to the caller. A
 * write is visible to the next read once it resolves (on one server; replicas may lag).
 * - putRule writes a new version of rule `id` (a deletion when `rule` is null).
 * - getRule: undefined when the id is unknown or deleted.
 * - states: the latest saved state per rule id (also of deleted rules).
 */
export interface AlertStore {
  listRules(): Promise<StoredRule[]>;
  getRule(id: string): Promise<StoredRule | undefined>;
  putRule(id: string, rule: AlertRule | null): Promise<void>;
  states(): Promise<Map<string, RuleState>>;
  saveState(ruleId: string, state: RuleState): Promise<void>;
  saveTransitions(ruleId: string, ruleName: string, transitions: readonly Transition[]): Promise<void>;
  history(query: HistoryQuery): Promise<HistoryEntry[]>;
}

const storedRule = (doc: StoredDocument): StoredRule => ({
  id: doc.id,
  rule: doc.body as AlertRule,
  createdAtMs: doc.createdAtMs,
  updatedAtMs: doc.updatedAtMs,
});

export class ClickHouseAlertStore implements AlertStore {
  private readonly rules: VersionedDocuments;
  private readonly stateVersions = new VersionClock();

  /** `read` for queries, `write` for inserts (they may be the same client). */
  constructor(
    private readonly read: ClickHouseClient,
    private readonly write: ClickHouseClient,
  ) {
    this.rules = new VersionedDocuments(read, write, RULES);
  }

  private async insert(table: string, values: unknown[]): Promise<void> {
    if (values.length > 0) await this.write.insert({ table, values, format: 'JSONEachRow' });
  }

  async listRules(): Promise<StoredRule[]> {
    return (await this.rules.list()).map(storedRule);
  }

  async getRule(id: string): Promise<StoredRule | undefined> {
    const doc = await this.rules.get(id);
    return doc === undefined ? undefined : storedRule(doc);
  }

  putRule(id: string, rule: AlertRule | null): Promise<void> {
    return this.rules.put(id, rule?.name ?? '', rule);
  }

  async states(): Promise<Map<string, RuleState>> {
    const rows = await selectRows<{ ruleId: string; state: string }>(this.read, LATEST_STATES, {});
    return new Map(rows.map((r) => [r.ruleId, JSON.parse(r.state) as RuleState]));
  }

  async saveState(ruleId: string, state: RuleState): Promise<void> {
    await this.insert(STATE_TABLE, [{ RuleId: ruleId, Version: this.stateVersions.next(), State: JSON.stringify(state) }]);
  }

  async saveTransitions(ruleId: string, ruleName: string, transitions: readonly Transition[]): Promise<void> {
    await this.insert(
      HISTORY_TABLE,
      // An integer for a DateTime64(3) column is read as milliseconds; NaN is stored for no data.
      transitions.map((t) => ({ At: t.at, RuleId: ruleId, RuleName: ruleName, Fingerprint: t.fingerprint, Labels: t.labels, FromState: t.from, ToState: t.to, Value: t.value ?? 'nan' })),
    );
  }

  async history(query: HistoryQuery): Promise<HistoryEntry[]> {
    const rows = await selectRows<Omit<HistoryEntry, 'at' | 'value'> & { at: string; value: number | string }>(this.read, HISTORY, { ...query });
    return rows.map((r) => ({ ...r, at: Number(r.at), value: typeof r.value === 'number' && Number.isFinite(r.value) ? r.value : null }));
  }
}
