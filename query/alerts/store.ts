// Stored alert rules, evaluator states and transition history in ClickHouse (SQL in sql.ts,
// tables in 0008_alerts.sql).
import type { ClickHouseClient } from '@clickhouse/client';
import type { RuleState, Transition } from './evaluator.ts';
import type { AlertRule } from './rules.ts';
import { GET_RULE, HISTORY, HISTORY_TABLE, LATEST_STATES, LIST_RULES, RULES_TABLE, STATE_TABLE } from './sql.ts';

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

interface RuleRow {
  id: string;
  createdVersion: string;
  version: string;
  rule: string;
}

const storedRule = (row: RuleRow): StoredRule => ({
  id: row.id,
  rule: JSON.parse(row.rule) as AlertRule,
  createdAtMs: Math.floor(Number(row.createdVersion) / 1000),
  updatedAtMs: Math.floor(Number(row.version) / 1000),
});

export class ClickHouseAlertStore implements AlertStore {
  private lastVersion = 0;

  /** `read` for queries, `write` for inserts (they may be the same client). */
  constructor(
    private readonly read: ClickHouseClient,
    private readonly write: ClickHouseClient,
  ) {}

  /** Unix microseconds, strictly increasing in this process, so quick successive writes keep their order. */
  private nextVersion(): number {
    this.lastVersion = Math.max(Date.now() * 1000, this.lastVersion + 1);
    return this.lastVersion;
  }

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const result = await this.read.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  private async insert(table: string, values: unknown[]): Promise<void> {
    if (values.length > 0) await this.write.insert({ table, values, format: 'JSONEachRow' });
  }

  async listRules(): Promise<StoredRule[]> {
    return (await this.rows<RuleRow>(LIST_RULES, {})).map(storedRule);
  }

  async getRule(id: string): Promise<StoredRule | undefined> {
    const row = (await this.rows<RuleRow>(GET_RULE, { id }))[0];
    return row === undefined ? undefined : storedRule(row);
  }

  async putRule(id: string, rule: AlertRule | null): Promise<void> {
    await this.insert(RULES_TABLE, [{ Id: id, Version: this.nextVersion(), Name: rule?.name ?? '', Rule: rule === null ? '' : JSON.stringify(rule), Deleted: rule === null ? 1 : 0 }]);
  }

  async states(): Promise<Map<string, RuleState>> {
    const rows = await this.rows<{ ruleId: string; state: string }>(LATEST_STATES, {});
    return new Map(rows.map((r) => [r.ruleId, JSON.parse(r.state) as RuleState]));
  }

  async saveState(ruleId: string, state: RuleState): Promise<void> {
    await this.insert(STATE_TABLE, [{ RuleId: ruleId, Version: this.nextVersion(), State: JSON.stringify(state) }]);
  }

  async saveTransitions(ruleId: string, ruleName: string, transitions: readonly Transition[]): Promise<void> {
    await this.insert(
      HISTORY_TABLE,
      // An integer for a DateTime64(3) column is read as milliseconds; NaN is stored for no data.
      transitions.map((t) => ({ At: t.at, RuleId: ruleId, RuleName: ruleName, Fingerprint: t.fingerprint, Labels: t.labels, FromState: t.from, ToState: t.to, Value: t.value ?? 'nan' })),
    );
  }

  async history(query: HistoryQuery): Promise<HistoryEntry[]> {
    const rows = await this.rows<Omit<HistoryEntry, 'at' | 'value'> & { at: string; value: number | string }>(HISTORY, { ...query });
    return rows.map((r) => ({ ...r, at: Number(r.at), value: typeof r.value === 'number' && Number.isFinite(r.value) ? r.value : null }));
  }
}
