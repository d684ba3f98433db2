// The alert state machine, one instance per output series (its labels), as a pure function of
// the previous state, one evaluation's outcome and the time. Prometheus semantics for `for` and
// `keep_firing_for`; Grafana's for no data and errors. No I/O: the engine (engine.ts) feeds it
// and persists what it returns.
//
//   inactive --true--> pending --true for `for`--> firing --false beyond keep_firing_for--> resolved
//   (`for` 0: inactive --true--> firing; pending --false--> inactive)
import type { AlertRule } from './rules.ts';
import { holds } from './rules.ts';
import { expandAll } from './templates.ts';
import { fingerprint } from './payload.ts';

/** `nodata` and `error`: the rule's own instance when no data / an error is set to show as such. */
export const INSTANCE_STATES = ['pending', 'firing', 'nodata', 'error', 'resolved'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export interface Sent {
  readonly state: 'firing' | 'resolved';
  readonly at: number;
}

export interface Instance {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: InstanceState;
  /** The value at the last state change (annotations are expanded with it); null for no data. */
  readonly value: number | null;
  /** When the condition started holding (the `for` timer counts from here). */
  readonly activeAt: number;
  /** When it started firing (Alertmanager's startsAt). */
  readonly firedAt?: number;
  /** First evaluation with the condition false while firing (keep_firing_for counts from here). */
  readonly keepFiringSince?: number;
  readonly resolvedAt?: number;
  /** Per receiver name: the last notification delivered for this instance. */
  readonly sent: Readonly<Record<string, Sent>>;
}

export interface RuleState {
  readonly instances: Readonly<Record<string, Instance>>;
  /** Per receiver name: failed deliveries in a row and when to try again. */
  readonly retry: Readonly<Record<string, { readonly attempts: number; readonly nextAt: number }>>;
}

export const EMPTY_STATE: RuleState = { instances: {}, retry: {} };

/** One evaluation of the rule's expression: the last complete step of each line, or an error. */
export type Outcome =
  | { readonly kind: 'series'; readonly series: ReadonlyArray<{ readonly tags: Readonly<Record<string, string>>; readonly value: number }> }
  | { readonly kind: 'error'; readonly message: string };

export interface Transition {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly from: InstanceState | 'inactive';
  readonly to: InstanceState | 'inactive';
  readonly at: number;
  readonly value: number | null;
}

/** What one evaluation says about one instance: its condition holds, or it is forced into a state. */
interface Observation {
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly holds: boolean;
  readonly forced?: 'nodata' | 'error';
  /** The evaluation error, shown as the annotation `error` (as Grafana does). */
  readonly error?: string;
}

const FIRING_STATES: readonly InstanceState[] = ['firing', 'nodata', 'error'];
export const isFiring = (instance: Instance): boolean => FIRING_STATES.includes(instance.state);

function alertLabels(rule: AlertRule, tags: Readonly<Record<string, string>>, value: number): Record<string, string> {
  // Rule labels override the series' on conflict; alertname is the rule's name (Prometheus).
  return { ...tags, ...expandAll(rule.labels, tags, value), alertname: rule.name };
}

/** The observations of one outcome; undefined: keep the last state (keep-last). */
function observe(rule: AlertRule, outcome: Outcome): Observation[] | undefined {
  const ruleInstance = (forced: 'nodata' | 'error' | undefined, cond: boolean, error?: string): Observation[] => [
    { labels: alertLabels(rule, {}, Number.NaN), value: Number.NaN, holds: cond, ...(forced ? { forced } : {}), ...(error === undefined ? {} : { error }) },
  ];
  if (outcome.kind === 'error') {
    switch (rule.onError) {
      case 'keep-last': return undefined;
      case 'ok': return [];
      case 'alerting': return ruleInstance(undefined, true, outcome.message);
      case 'error': return ruleInstance('error', false, outcome.message);
    }
  }
  const present = outcome.series.filter((s) => !Number.isNaN(s.value));
  if (present.length === 0) {
    switch (rule.noData) {
      case 'keep-last': return undefined;
      case 'ok': return [];
      case 'alerting': return ruleInstance(undefined, true);
      case 'nodata': return ruleInstance('nodata', false);
    }
  }
  return present.map((s) => ({ labels: alertLabels(rule, s.tags, s.value), value: s.value, holds: holds(rule, s.value) }));
}

const jsonValue = (value: number): number | null => (Number.isFinite(value) ? value : null);

/**
 * One evaluation at `now`: the next state and the transitions it made. Instances the outcome
 * does not show (or shows with the condition false) are treated as no longer holding.
 */
export function advance(rule: AlertRule, prev: RuleState, outcome: Outcome, now: number): { state: RuleState; transitions: Transition[] } {
  const observations = observe(rule, outcome);
  if (observations === undefined) return { state: prev, transitions: [] };
  const transitions: Transition[] = [];
  const next: Record<string, Instance> = {};
  const move = (from: Instance | undefined, to: Instance | undefined, fp: string, labels: Readonly<Record<string, string>>, value: number | null) => {
    const fromState = from === undefined || from.state === 'resolved' ? 'inactive' : from.state;
    const toState = to === undefined ? 'inactive' : to.state;
    if (fromState !== toState) transitions.push({ fingerprint: fp, labels, from: fromState, to: toState, at: now, value });
    if (to !== undefined) next[fp] = to;
  };

  for (const obs of observations) {
    const fp = fingerprint(obs.labels);
    const old = prev.instances[fp];
    const live = old !== undefined && old.state !== 'resolved' ? old : undefined;
    const value = jsonValue(obs.value);
    const base = {
      fingerprint: fp,
      labels: obs.labels,
      annotations: { ...expandAll(rule.annotations, obs.labels, obs.value), ...(obs.error === undefined ? {} : { error: obs.error }) },
      // A returning instance keeps what receivers were told, so a quick return is not re-sent.
      sent: old?.sent ?? {},
    };
    if (obs.forced !== undefined) {
      move(live, live?.state === obs.forced ? live : { ...base, state: obs.forced, value, activeAt: now, firedAt: now }, fp, obs.labels, value);
    } else if (!obs.holds) {
      continue; // handled with the instances the outcome does not show
    } else if (live?.state === 'pending') {
      const fire = now - live.activeAt >= rule.for;
      move(live, fire ? { ...base, state: 'firing', value, activeAt: live.activeAt, firedAt: now } : live, fp, obs.labels, value);
    } else if (live?.state === 'firing') {
      const { keepFiringSince: _cleared, ...rest } = live;
      next[fp] = rest;
    } else {
      move(live, rule.for > 0 ? { ...base, state: 'pending', value, activeAt: now } : { ...base, state: 'firing', value, activeAt: now, firedAt: now }, fp, obs.labels, value);
    }
  }

  for (const [fp, old] of Object.entries(prev.instances)) {
    if (fp in next) continue;
    if (old.state === 'resolved') {
      next[fp] = old;
    } else if (old.state === 'pending') {
      move(old, undefined, fp, old.labels, old.value);
    } else {
      const since = old.keepFiringSince ?? now;
      const keep = old.state === 'firing' && now - since < rule.keepFiringFor;
      move(old, keep ? { ...old, keepFiringSince: since } : { ...old, state: 'resolved', resolvedAt: now }, fp, old.labels, old.value);
    }
  }
  return { state: prune(rule, { instances: next, retry: prev.retry }), transitions };
}

/** Drops resolved instances none of the rule's receivers still has to be told about. */
export function prune(rule: AlertRule, state: RuleState): RuleState {
  const owed = (i: Instance) => rule.receivers.some((r) => i.sent[r.name]?.state === 'firing');
  const instances = Object.fromEntries(Object.entries(state.instances).filter(([, i]) => i.state !== 'resolved' || owed(i)));
  return { instances, retry: state.retry };
}
