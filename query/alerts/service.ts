// What the alert endpoints do: rule CRUD (validated, stored in ClickHouse), the active alerts
// of the evaluator's latest persisted state, and the transition history.
import { randomUUID } from 'node:crypto';
import { vigilError } from '../../schemas/errors.ts';
import type { Instance, InstanceState } from './evaluator.ts';
import { type AlertRule, parseRule } from './rules.ts';
import type { AlertStore, HistoryEntry, HistoryQuery, StoredRule } from './store.ts';

export interface ActiveAlert {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly instance: Instance;
}

export interface ActiveFilter {
  /** '' for every rule. */
  readonly ruleId: string;
  readonly states: readonly InstanceState[];
}

export class AlertService {
  constructor(private readonly store: AlertStore) {}

  listRules(): Promise<StoredRule[]> {
    return this.store.listRules();
  }

  async getRule(id: string): Promise<StoredRule> {
    const stored = await this.store.getRule(id);
    if (stored === undefined) throw vigilError('VIGIL_ERR_NOT_FOUND', `alert rule ${id}`);
    return stored;
  }

  async createRule(body: unknown): Promise<StoredRule> {
    const id = randomUUID();
    await this.store.putRule(id, parseRule(body));
    return this.getRule(id);
  }

  async updateRule(id: string, body: unknown): Promise<StoredRule> {
    const rule: AlertRule = parseRule(body);
    await this.getRule(id);
    await this.store.putRule(id, rule);
    return this.getRule(id);
  }

  async deleteRule(id: string): Promise<void> {
    await this.getRule(id);
    await this.store.putRule(id, null);
  }

  /** Pending, firing, nodata and error instances of live rules, as last persisted by the evaluator. */
  async activeAlerts(filter: ActiveFilter): Promise<ActiveAlert[]> {
    const [rules, states] = await Promise.all([this.store.listRules(), this.store.states()]);
    return rules
      .filter((r) => filter.ruleId === '' || r.id === filter.ruleId)
      .flatMap((r) =>
        Object.values(states.get(r.id)?.instances ?? {})
          .filter((i) => i.state !== 'resolved' && (filter.states.length === 0 || filter.states.includes(i.state)))
          .map((instance) => ({ ruleId: r.id, ruleName: r.rule.name, instance })),
      );
  }

  history(query: HistoryQuery): Promise<HistoryEntry[]> {
    return this.store.history(query);
  }
}
