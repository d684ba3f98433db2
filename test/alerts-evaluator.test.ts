// The pure parts of alerting, driven with explicit times: the state machine per instance
// (Prometheus `for` / `keep_firing_for`, Grafana no-data and error behaviours), which receivers
// are owed a payload and the retry backoff, the Alertmanager v4 payload and fingerprints, label
// and annotation templates, rule validation.
import { describe, expect, it } from 'vitest';
import { EMPTY_STATE, type Outcome, type RuleState, type Transition, advance } from '../query/alerts/evaluator.ts';
import { dueDeliveries, markDelivered, markFailed } from '../query/alerts/notifier.ts';
import { fingerprint, webhookPayload } from '../query/alerts/payload.ts';
import { type AlertRule, holds, parseRule } from '../query/alerts/rules.ts';
import { expand } from '../query/alerts/templates.ts';
import { evaluationWindow, observe } from '../query/alerts/engine.ts';
import { evaluate } from '../query/asl/evaluator.ts';
import type { DataRequest, Series, SeriesSource, Window } from '../query/asl/types.ts';

const S = 1000;
const M = 60 * S;
const T0 = Date.UTC(2026, 0, 2, 3, 4, 0);

function rule(fields: Record<string, unknown> = {}): AlertRule {
  return parseRule({ name: 'HighCpu', expr: 'name,cpu,:eq,:max,(,host,),:by', condition: { op: '>', threshold: 80 }, ...fields });
}

const series = (...points: Array<[string, number]>): Outcome => ({ kind: 'series', series: points.map(([host, value]) => ({ tags: { name: 'cpu', host }, value })) });

/** Runs evaluations at the given times; returns every state and the transitions as `host:from->to@seconds`. */
function run(r: AlertRule, steps: Array<[number, Outcome]>, start: RuleState = EMPTY_STATE): { states: RuleState[]; log: string[] } {
  let state = start;
  const states: RuleState[] = [];
  const log: string[] = [];
  for (const [at, outcome] of steps) {
    const next = advance(r, state, outcome, T0 + at);
    state = next.state;
    states.push(state);
    log.push(...next.transitions.map((t: Transition) => `${t.labels.host ?? '-'}:${t.from}->${t.to}@${(t.at - T0) / S}`));
  }
  return { states, log };
}

const only = (state: RuleState) => {
  const instances = Object.values(state.instances);
  expect(instances).toHaveLength(1);
  return instances[0]!;
};

describe('alert state machine', () => {
  it('fires on the first true evaluation without `for`, and resolves on the first false one', () => {
    const { states, log } = run(rule(), [
      [0, series(['a', 50])],
      [M, series(['a', 90])],
      [2 * M, series(['a', 95])],
      [3 * M, series(['a', 10])],
    ]);
    expect(log).toEqual(['a:inactive->firing@60', 'a:firing->resolved@180']);
    expect(only(states[1]!)).toMatchObject({ state: 'firing', activeAt: T0 + M, firedAt: T0 + M, value: 90 });
    // No receivers: nobody is owed the resolve, so the resolved instance is dropped.
    expect(states[3]!.instances).toEqual({});
  });

  it('holds an instance pending for `for`, counting from when the condition started', () => {
    const { states, log } = run(rule({ for: '2m' }), [
      [0, series(['a', 90])],
      [M, series(['a', 91])],
      [2 * M - S, series(['a', 92])],
      [2 * M, series(['a', 93])],
      [3 * M, series(['a', 94])],
    ]);
    expect(log).toEqual(['a:inactive->pending@0', 'a:pending->firing@120']);
    expect(only(states[2]!)).toMatchObject({ state: 'pending', activeAt: T0, value: 90 });
    expect(only(states[4]!)).toMatchObject({ state: 'firing', activeAt: T0, firedAt: T0 + 2 * M, value: 93 });
  });

  it('drops a pending instance whose condition clears, and restarts its timer when it returns', () => {
    const { states, log } = run(rule({ for: '2m' }), [
      [0, series(['a', 90])],
      [M, series(['a', 50])],
      [2 * M, series(['a', 90])],
      [3 * M, series(['a', 90])],
      [4 * M, series(['a', 90])],
    ]);
    expect(log).toEqual(['a:inactive->pending@0', 'a:pending->inactive@60', 'a:inactive->pending@120', 'a:pending->firing@240']);
    expect(states[1]!.instances).toEqual({});
  });

  it('keeps firing through gaps shorter than keep_firing_for (counted from the first false evaluation)', () => {
    const { log } = run(rule({ keep_firing_for: '3m' }), [
      [0, series(['a', 90])],
      [M, series(['a', 50])], // keep firing since 60
      [2 * M, series(['a', 90])], // true again: the keep timer is reset
      [3 * M, series(['a', 50])], // since 180
      [4 * M, series(['b', 10])], // a vanished (b did not): also not holding
      [5 * M, series(['a', 50])],
      [6 * M - S, series(['a', 50])],
      [6 * M, series(['a', 50])], // 180 s after 180
    ]);
    expect(log).toEqual(['a:inactive->firing@0', 'a:firing->resolved@360']);
  });

  it('treats every output series as its own instance with rule labels over series tags', () => {
    const r = rule({ labels: { severity: 'page', host: 'override-$labels.host', summary_value: '$value' }, annotations: { summary: '{{ $labels.host }} at $value' } });
    const { states, log } = run(r, [
      [0, series(['a', 90], ['b', 10], ['c', Number.NaN])],
      [M, series(['a', 10], ['b', 95])],
    ]);
    expect(log).toEqual(['override-a:inactive->firing@0', 'override-b:inactive->firing@60', 'override-a:firing->resolved@60']);
    const firing = only(states[1]!);
    expect(firing.labels).toEqual({ alertname: 'HighCpu', name: 'cpu', host: 'override-b', severity: 'page', summary_value: '95' });
    // Annotations see the instance's labels (after the rule labels), as Prometheus's do.
    expect(firing.annotations).toEqual({ summary: 'override-b at 95' });
    expect(firing.fingerprint).toBe(fingerprint(firing.labels));
  });

  it('evaluates a signal line: non-zero holds, zero and NaN do not', () => {
    const signal = parseRule({ name: 'Signal', expr: 'name,cpu,:eq,:sum,80,:gt' });
    expect([1, -1, 0.5, 0, Number.NaN].map((v) => holds(signal, v))).toEqual([true, true, true, false, false]);
    const ops = ['>', '>=', '<', '<=', '==', '!='].map((op) => [79, 80, 81].map((v) => holds(rule({ condition: { op, threshold: 80 } }), v)));
    expect(ops).toEqual([
      [false, false, true],
      [false, true, true],
      [true, false, false],
      [true, true, false],
      [false, true, false],
      [true, false, true],
    ]);
  });

  describe('no data (no line with a value at the last step)', () => {
    const firingA = run(rule(), [[0, series(['a', 90])]]).states[0]!;
    const noData: Outcome = { kind: 'series', series: [{ tags: { name: 'cpu', host: 'a' }, value: Number.NaN }] };

    it('ok: every instance stops holding', () => {
      const { states, log } = run(rule({ no_data: 'ok' }), [[M, noData]], firingA);
      expect(log).toEqual(['a:firing->resolved@60']);
      expect(states[0]!.instances).toEqual({});
    });

    it('alerting: the rule itself alerts (through `for`), series instances resolve', () => {
      const { states, log } = run(rule({ no_data: 'alerting', for: '1m' }), [[M, noData], [2 * M, { kind: 'series', series: [] }]], firingA);
      expect(log).toEqual(['-:inactive->pending@60', 'a:firing->resolved@60', '-:pending->firing@120']);
      expect(only(states[1]!).labels).toEqual({ alertname: 'HighCpu' });
    });

    it('nodata: the rule shows the NoData state at once, and resolves when data returns', () => {
      const { states, log } = run(rule({ no_data: 'nodata', for: '5m' }), [[M, noData], [2 * M, noData], [3 * M, series(['a', 10])]], firingA);
      expect(log).toEqual(['-:inactive->nodata@60', 'a:firing->resolved@60', '-:nodata->resolved@180']);
      expect(only(states[1]!)).toMatchObject({ state: 'nodata', labels: { alertname: 'HighCpu' }, activeAt: T0 + M, firedAt: T0 + M, value: null });
    });

    it('keep-last: nothing changes, timers included', () => {
      const pending = run(rule({ for: '2m' }), [[0, series(['a', 90])]]).states[0]!;
      const { states, log } = run(rule({ no_data: 'keep-last', for: '2m' }), [[M, noData], [3 * M, noData], [4 * M, series(['a', 90])]], pending);
      expect(states[1]).toBe(pending);
      // The condition held at 0 and holds at 240: the timer from 0 has run out.
      expect(log).toEqual(['a:pending->firing@240']);
    });
  });

  describe('evaluation errors', () => {
    const failed: Outcome = { kind: 'error', message: 'the store is unavailable' };
    const firingA = run(rule(), [[0, series(['a', 90])]]).states[0]!;

    it('error: the rule shows the Error state with the message; series instances resolve', () => {
      const { states, log } = run(rule(), [[M, failed]], firingA);
      expect(log).toEqual(['-:inactive->error@60', 'a:firing->resolved@60']);
      expect(only(states[0]!)).toMatchObject({ state: 'error', annotations: { error: 'the store is unavailable' } });
    });

    it('alerting, ok and keep-last', () => {
      expect(run(rule({ on_error: 'alerting' }), [[M, failed]], firingA).log).toEqual(['-:inactive->firing@60', 'a:firing->resolved@60']);
      expect(run(rule({ on_error: 'ok' }), [[M, failed]], firingA).log).toEqual(['a:firing->resolved@60']);
      const kept = run(rule({ on_error: 'keep-last' }), [[M, failed]], firingA);
      expect(kept.log).toEqual([]);
      expect(kept.states[0]).toBe(firingA);
    });
  });
});

describe('notifications', () => {
  const hook = { name: 'hook', url: 'http://127.0.0.1:9/hook' };
  const r = rule({ receivers: [hook], repeat_interval: '10m', keep_firing_for: '0s' });
  const backoff = { initial: S, max: 5 * S };

  it('owes a receiver the new firing, then the resolve, each once; repeats a still-firing group', () => {
    let state = advance(r, EMPTY_STATE, series(['a', 90]), T0).state;
    const first = dueDeliveries(r, state, T0);
    expect(first.map((d) => [d.receiver.name, d.instances.map((i) => i.state)])).toEqual([['hook', ['firing']]]);
    state = markDelivered(r, state, 'hook', first[0]!.instances, T0);
    expect(dueDeliveries(r, state, T0 + 9 * M)).toEqual([]);

    // b joins: the whole group (a and b) is sent again.
    state = advance(r, state, series(['a', 90], ['b', 90]), T0 + M).state;
    const second = dueDeliveries(r, state, T0 + M);
    expect(second[0]!.instances.map((i) => i.labels.host).sort()).toEqual(['a', 'b']);
    state = markDelivered(r, state, 'hook', second[0]!.instances, T0 + M);

    // a resolves: owed once; once told, it is dropped.
    state = advance(r, state, series(['b', 90]), T0 + 2 * M).state;
    const third = dueDeliveries(r, state, T0 + 2 * M);
    expect(third[0]!.instances.map((i) => [i.labels.host, i.state]).sort()).toEqual([['a', 'resolved'], ['b', 'firing']]);
    state = markDelivered(r, state, 'hook', third[0]!.instances, T0 + 2 * M);
    expect(Object.values(state.instances).map((i) => i.labels.host)).toEqual(['b']);
    expect(dueDeliveries(r, state, T0 + 12 * M - 1)).toEqual([]);
    // repeat_interval (10m) after the last delivery.
    expect(dueDeliveries(r, state, T0 + 12 * M)).toHaveLength(1);
  });

  it('does not notify an instance that resolves before it was ever sent, nor a pending one', () => {
    const slow = rule({ receivers: [hook], for: '5m' });
    const pending = advance(slow, EMPTY_STATE, series(['a', 90]), T0).state;
    expect(dueDeliveries(slow, pending, T0)).toEqual([]);
    const failing = markFailed(advance(r, EMPTY_STATE, series(['a', 90]), T0).state, 'hook', T0, backoff);
    const resolved = advance(r, failing, series(['a', 10]), T0 + M).state;
    expect(resolved.instances).toEqual({});
    expect(dueDeliveries(r, resolved, T0 + M)).toEqual([]);
  });

  it('retries after a failure with doubling backoff up to the maximum', () => {
    let state = advance(r, EMPTY_STATE, series(['a', 90]), T0).state;
    const waits: number[] = [];
    let now = T0;
    for (let attempt = 0; attempt < 5; attempt++) {
      state = markFailed(state, 'hook', now, backoff);
      const nextAt = state.retry.hook!.nextAt;
      expect(dueDeliveries(r, state, nextAt - 1)).toEqual([]);
      expect(dueDeliveries(r, state, nextAt)).toHaveLength(1);
      waits.push(nextAt - now);
      now = nextAt;
    }
    expect(waits).toEqual([S, 2 * S, 4 * S, 5 * S, 5 * S]);
    state = markDelivered(r, state, 'hook', Object.values(state.instances), now);
    expect(state.retry).toEqual({});
  });

  it('keeps what receivers were told when an instance returns, so a quick return is not sent again', () => {
    let state = advance(r, EMPTY_STATE, series(['a', 90]), T0).state;
    state = markDelivered(r, state, 'hook', Object.values(state.instances), T0);
    state = advance(r, state, series(['a', 10]), T0 + M).state; // resolved, the resolve not yet sent
    state = advance(r, state, series(['a', 90]), T0 + 2 * M).state; // firing again
    expect(dueDeliveries(r, state, T0 + 2 * M)).toEqual([]);
  });
});

describe('Alertmanager webhook payload', () => {
  it('fingerprints label sets as Alertmanager does (prometheus/common model tests)', () => {
    expect(fingerprint({})).toBe((14695981039346656037n).toString(16));
    expect(fingerprint({ name: 'garland, briggs', fear: 'love is not enough' })).toBe((5799056148416392346n).toString(16));
  });

  it('groups the rule instances of one receiver in a version 4 payload', () => {
    const r = rule({ receivers: [{ name: 'ops', url: 'http://x/' }], annotations: { runbook: 'http://wiki/cpu', summary: '$labels.host hot' } });
    let state = advance(r, EMPTY_STATE, series(['a', 90], ['b', 95]), T0).state;
    state = markDelivered(r, state, 'ops', Object.values(state.instances), T0);
    state = advance(r, state, series(['b', 95]), T0 + M).state;
    const [delivery] = dueDeliveries(r, state, T0 + M);
    const payload = webhookPayload({ ruleId: 'r1', ruleName: 'HighCpu', expr: 'a,b,:eq', receiver: 'ops', externalURL: 'http://vigil:8080' }, delivery!.instances);
    const byHost = Object.fromEntries(payload.alerts.map((a) => [a.labels.host, a]));
    expect(payload).toMatchObject({
      version: '4',
      groupKey: '{}/{vigil_rule_id="r1"}:{alertname="HighCpu"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'ops',
      groupLabels: { alertname: 'HighCpu' },
      commonLabels: { alertname: 'HighCpu', name: 'cpu' },
      commonAnnotations: { runbook: 'http://wiki/cpu' },
      externalURL: 'http://vigil:8080',
    });
    expect(byHost.a).toEqual({
      status: 'resolved',
      labels: { alertname: 'HighCpu', name: 'cpu', host: 'a' },
      annotations: { runbook: 'http://wiki/cpu', summary: 'a hot' },
      startsAt: '2026-01-02T03:04:00.000Z',
      endsAt: '2026-01-02T03:05:00.000Z',
      generatorURL: 'http://vigil:8080/api/v1/graph?q=a%2Cb%2C%3Aeq',
      fingerprint: fingerprint({ alertname: 'HighCpu', name: 'cpu', host: 'a' }),
    });
    expect(byHost.b).toMatchObject({ status: 'firing', endsAt: '0001-01-01T00:00:00Z', startsAt: '2026-01-02T03:04:00.000Z' });
    // Only resolved alerts: the group is resolved.
    const resolvedOnly = webhookPayload({ ruleId: 'r1', ruleName: 'HighCpu', expr: 'a', receiver: 'ops', externalURL: '' }, [state.instances[byHost.a!.fingerprint]!]);
    expect(resolvedOnly.status).toBe('resolved');
  });
});

describe('templates', () => {
  it('expands $labels.<key> and $value, bare and in {{ }}', () => {
    const labels = { host: 'web-1', 'service.name': 'cart' };
    expect(expand('CPU of $labels.host is $value.', labels, 93.5)).toBe('CPU of web-1 is 93.5.');
    expect(expand('{{ $labels.service.name }}/{{$value}}', labels, 0.25)).toBe('cart/0.25');
    expect(expand('$labels.service.name: $labels.missing|$value', labels, Number.NaN)).toBe('cart: |NaN');
    expect(expand('no $templates here, $5', labels, 1)).toBe('no $templates here, $5');
  });
});

describe('rules', () => {
  it('fills defaults: 1m interval and step, 10 steps of lookback, nodata, error, 4h repeat', () => {
    expect(parseRule({ name: 'x', expr: 'name,cpu,:eq' })).toEqual({
      name: 'x',
      expr: 'name,cpu,:eq',
      for: 0,
      keepFiringFor: 0,
      interval: M,
      step: M,
      lookback: 10 * M,
      labels: {},
      annotations: {},
      noData: 'nodata',
      onError: 'error',
      receivers: [],
      repeatInterval: 4 * 60 * M,
    });
  });

  it('evaluates the window ending at the last complete step', () => {
    const r = rule({ step: '1m', lookback: '5m' });
    expect(evaluationWindow(r, T0 + 90 * S)).toEqual({ start: T0 + M - 5 * M, end: T0 + M, step: M });
    expect(evaluationWindow(rule({ step: '10s', lookback: '1m' }), T0 + 25 * S)).toEqual({ start: T0 + 20 * S - M, end: T0 + 20 * S, step: 10 * S });
  });
});

describe('observing a rule through the stack-language evaluator', () => {
  /** An in-memory store: per host, value(t) for every step start t; remembers the windows asked for. */
  class FakeSource implements SeriesSource {
    readonly windows: Window[] = [];
    constructor(private readonly hosts: Record<string, (t: number) => number>) {}
    async fetch(request: DataRequest, window: Window): Promise<Series[]> {
      this.windows.push(window);
      const n = (window.end - window.start) / window.step;
      return Object.entries(this.hosts).map(([host, value]) => ({
        tags: { name: 'cpu', ...(request.groupBy.includes('host') ? { host } : {}) },
        values: Float64Array.from({ length: n }, (_, i) => value(window.start + i * window.step)),
      }));
    }
    async percentiles(): Promise<Series[]> {
      return [];
    }
  }

  it('takes each line at the last complete step of the window', async () => {
    const source = new FakeSource({ a: (t) => (t - T0) / S, b: () => Number.NaN });
    const r = rule({ step: '10s', lookback: '1m' });
    const outcome = await observe(r, T0 + 65 * S, source, evaluate);
    expect(source.windows).toEqual([{ start: T0, end: T0 + M, step: 10 * S }]);
    expect(outcome).toEqual({ kind: 'series', series: [{ tags: { name: 'cpu', host: 'a' }, value: 50 }, { tags: { name: 'cpu', host: 'b' }, value: Number.NaN }] });
  });

  it('runs stateful words over the lookback: CPU > 80 in more than 2 of the last 3 steps', async () => {
    const values = [90, 90, 10, 90, 90, 90];
    const source = new FakeSource({ a: (t) => values[(t - T0) / M] ?? Number.NaN });
    const r = parseRule({ name: 'Sustained', expr: 'name,cpu,:eq,:max,80,:gt,3,:rolling-count,2,:gt', lookback: '6m' });
    const outcome = await observe(r, T0 + 6 * M, source, evaluate);
    expect(outcome).toEqual({ kind: 'series', series: [{ tags: { name: 'cpu' }, value: 1 }] });
    const earlier = await observe(r, T0 + 6 * M, new FakeSource({ a: (t) => [90, 90, 10, 90, 10, 90][(t - T0) / M] ?? Number.NaN }), evaluate);
    expect(earlier).toEqual({ kind: 'series', series: [{ tags: { name: 'cpu' }, value: 0 }] });
  });

  it('reports store failures and lines that would be one instance as evaluation errors', async () => {
    const failing: SeriesSource = {
      fetch: () => Promise.reject(new Error('connection refused')),
      percentiles: () => Promise.reject(new Error('connection refused')),
    };
    expect(await observe(rule(), T0, failing, evaluate)).toEqual({ kind: 'error', message: 'connection refused' });
    const twice = parseRule({ name: 'Twice', expr: 'name,cpu,:eq,:max,:dup' });
    const outcome = await observe(twice, T0, new FakeSource({ a: () => 1 }), evaluate);
    expect(outcome.kind).toBe('error');
    expect(outcome.kind === 'error' && outcome.message).toContain('the expression leaves two lines with the tags {"name":"cpu"}');
  });
});
