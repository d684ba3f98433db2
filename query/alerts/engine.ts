// The alert engine of a query process: every tick it claims (or renews) the evaluator lease;
// while it holds it, it evaluates each rule whose interval is due, persists transitions and
// state, then sends what receivers are owed and persists that too. State is loaded from
// ClickHouse when the lease is won, so a restart or another process resumes `for` timers and
// knows what was already notified.
//
// A tick may outlast the lease it checked at its start (slow webhooks, one rule after another),
// so each step that acts on the holding (a webhook send, a state write) first makes sure the
// holding outlasts the step: a send is cut off after `stepMs`, and a state write is assumed to
// take less, so no step can still be running when another process may claim the lease. Close
// to that point the engine renews the lease mid-tick; once a step no longer fits (the process
// stalled, or the lease was lost) the tick ends there and what it remembers is forgotten, as on
// a lost lease: the next tick claims the lease again and reloads the state.
import type { Logger } from 'pino';
import type { Evaluate, GraphResult, SeriesSource, Window } from '../asl/types.ts';
import { EMPTY_STATE, type Outcome, type RuleState, advance } from './evaluator.ts';
import type { Lease } from './lease.ts';
import { type Backoff, dueDeliveries, markDelivered, markFailed } from './notifier.ts';
import { webhookPayload } from './payload.ts';
import type { AlertRule } from './rules.ts';
import type { AlertStore, StoredRule } from './store.ts';

export interface EngineOptions {
  readonly tickMs: number;
  readonly backoff: Backoff;
  readonly webhookTimeoutMs: number;
  /** Vigil's URL as receivers reach it (payload externalURL and generatorURL). */
  readonly externalURL: string;
}

export interface EngineDeps {
  readonly store: AlertStore;
  readonly source: SeriesSource;
  readonly evaluate: Evaluate;
  readonly lease: Lease;
  /** POSTs a payload; rejects on failure, or when `abort` fires (the engine stops). */
  readonly send: (url: string, payload: unknown, timeoutMs: number, abort: AbortSignal) => Promise<void>;
  readonly log: Logger;
  readonly now?: () => number;
}

/** Ends a tick whose holding may lapse before its next step would end. */
class HoldingLapsed extends Error {}

/** The window whose last step is the last complete one at `now`. */
export function evaluationWindow(rule: AlertRule, now: number): Window {
  const end = Math.floor(now / rule.step) * rule.step;
  return { start: end - Math.ceil(rule.lookback / rule.step) * rule.step, end, step: rule.step };
}

/**
 * Evaluates the rule's expression: the last complete step of every line. Two lines with the same
 * tags would be one alert instance, so that is an evaluation error (as in Prometheus).
 */
export async function observe(rule: AlertRule, now: number, source: SeriesSource, evaluate: Evaluate): Promise<Outcome> {
  let lines: GraphResult['lines'];
  try {
    lines = (await evaluate(rule.expr, evaluationWindow(rule, now), source)).lines;
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  const seen = new Set<string>();
  for (const line of lines) {
    const key = JSON.stringify(Object.entries(line.tags).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (seen.has(key)) return { kind: 'error', message: `the expression leaves two lines with the tags ${JSON.stringify(line.tags)}; group them apart (:by) or keep one` };
    seen.add(key);
  }
  return { kind: 'series', series: lines.map((line) => ({ tags: line.tags, value: line.values[line.values.length - 1] ?? Number.NaN })) };
}

export class AlertEngine {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Aborts webhook requests in flight when the engine stops (they are retried by the next holder). */
  private readonly aborter = new AbortController();
  /** Rule states while this process holds the lease; undefined otherwise (reloaded on each win). */
  private states: Map<string, RuleState> | undefined;
  /** When each rule was last evaluated by this holder. */
  private readonly lastEval = new Map<string, number>();
  /** The rules this holder evaluated, so a deleted one's alerts can still be resolved to its receivers. */
  private readonly known = new Map<string, StoredRule>();
  private readonly now: () => number;
  /**
   * The longest a step acting on the holding may take: a webhook send is abandoned after it. The
   * webhook timeout, at most a quarter of the lease, so a renewal at twice this left (within the
   * half of the lease where acquire renews) leaves room for the step.
   */
  private readonly stepMs: number;

  constructor(
    private readonly deps: EngineDeps,
    private readonly options: EngineOptions,
  ) {
    this.now = deps.now ?? Date.now;
    this.stepMs = Math.min(options.webhookTimeoutMs, deps.lease.durationMs / 4);
    if (this.stepMs < options.webhookTimeoutMs) {
      deps.log.warn(
        { webhookTimeoutMs: options.webhookTimeoutMs, leaseMs: deps.lease.durationMs, usedMs: this.stepMs },
        'VIGIL_ALERTS_WEBHOOK_TIMEOUT is longer than a quarter of VIGIL_ALERTS_LEASE: webhooks are cut off after a quarter of the lease',
      );
    }
  }

  start(): void {
    const loop = () => {
      this.running = this.tick()
        .catch((error: unknown) => this.deps.log.error({ err: error }, 'alert evaluation failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.options.tickMs);
        });
    };
    loop();
  }

  /** Stops the loop, waits for the tick in flight, and gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.aborter.abort();
    await this.running;
    await this.deps.lease.release(this.now()).catch((error: unknown) => this.deps.log.warn({ err: error }, 'alert lease release failed'));
  }

  /** One round: lease, due evaluations, notifications. */
  async tick(): Promise<void> {
    const holding = await this.deps.lease.acquire(this.now());
    // What this process remembers from an earlier holding is stale once another may have held
    // the lease (its transitions and notifications are only in the store): forget it.
    if (holding !== 'kept') this.forget();
    if (holding === 'lost') return;
    try {
      await this.evaluateAll();
    } catch (error) {
      if (!(error instanceof HoldingLapsed)) throw error;
      this.deps.log.warn('alert lease may lapse before the next step ends; the tick stops and the next one claims it again');
      this.forget();
    }
  }

  private forget(): void {
    this.states = undefined;
    this.lastEval.clear();
    this.known.clear();
  }

  /**
   * Before each step that acts on the holding: throws HoldingLapsed unless the holding outlasts
   * a step starting now, renewing the lease once no more than two steps fit.
   */
  private async ensureHeld(): Promise<void> {
    const { lease } = this.deps;
    const left = lease.heldUntil - this.now();
    const holding = left > this.stepMs && left <= 2 * this.stepMs ? await lease.acquire(this.now()) : 'kept';
    if (holding !== 'kept' || lease.heldUntil - this.now() <= this.stepMs) throw new HoldingLapsed();
  }

  /** Every rule whose interval is due, then the retired ones, under a holding checked at each step. */
  private async evaluateAll(): Promise<void> {
    const { store } = this.deps;
    this.states ??= await store.states();
    const rules = await store.listRules();
    const live = new Set(rules.map((r) => r.id));
    for (const stored of rules) {
      if (this.stopped) return;
      this.known.set(stored.id, stored);
      await this.runRule(stored.id, stored.rule, this.states);
    }
    for (const [id, stored] of this.known) {
      if (this.stopped || live.has(id)) continue;
      await this.retire(stored, this.states);
      if (Object.keys(this.states.get(id)?.instances ?? {}).length === 0) this.known.delete(id);
    }
  }

  /**
   * A deleted rule: its instances stop at once (no keep_firing_for, no no-data instance) and the
   * receivers that saw them firing are told they resolved (retried like any notification).
   */
  private retire({ id, rule }: StoredRule, states: Map<string, RuleState>): Promise<void> {
    return this.runRule(id, { ...rule, keepFiringFor: 0, noData: 'ok' }, states, { kind: 'series', series: [] });
  }

  /** Evaluates the rule when its interval is due (or applies `outcome`), then sends what is owed. */
  private async runRule(id: string, rule: AlertRule, states: Map<string, RuleState>, outcome?: Outcome): Promise<void> {
    const { store, source, evaluate } = this.deps;
    const before = states.get(id) ?? EMPTY_STATE;
    let state = before;
    const last = this.lastEval.get(id);
    // Half a tick of slack, so a rule whose interval is a multiple of the tick is not a tick late.
    if (outcome !== undefined || last === undefined || this.now() - last >= rule.interval - this.options.tickMs / 2) {
      const at = this.now();
      this.lastEval.set(id, at);
      const observed = outcome ?? (await observe(rule, at, source, evaluate));
      if (observed.kind === 'error') this.deps.log.warn({ rule: id, error: observed.message }, 'alert rule evaluation failed');
      const next = advance(rule, state, observed, at);
      await this.ensureHeld();
      await store.saveTransitions(id, rule.name, next.transitions);
      state = next.state;
      await this.save(id, before, state, states);
    }
    const sentFrom = state;
    for (const delivery of dueDeliveries(rule, state, this.now())) {
      const at = this.now();
      const payload = webhookPayload({ ruleId: id, ruleName: rule.name, expr: rule.expr, receiver: delivery.receiver.name, externalURL: this.options.externalURL }, delivery.instances);
      await this.ensureHeld();
      try {
        await this.deps.send(delivery.receiver.url, payload, this.stepMs, this.aborter.signal);
        state = markDelivered(rule, state, delivery.receiver.name, delivery.instances, at);
      } catch (error) {
        state = markFailed(state, delivery.receiver.name, at, this.options.backoff);
        this.deps.log.warn({ rule: id, receiver: delivery.receiver.name, err: error }, 'alert notification failed; will retry');
      }
    }
    await this.save(id, sentFrom, state, states);
  }

  /** Persists the state when it changed (transitions, timers, notifications), then keeps it. */
  private async save(id: string, before: RuleState, after: RuleState, states: Map<string, RuleState>): Promise<void> {
    if (after !== before && JSON.stringify(after) !== JSON.stringify(before)) {
      await this.ensureHeld();
      await this.deps.store.saveState(id, after);
    }
    states.set(id, after);
  }
}
