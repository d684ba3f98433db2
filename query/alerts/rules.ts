// Alert rules: the JSON shape users send to /api/v1/alerts/rules and its validation. Field
// names follow Prometheus's rule files (`for`, `keep_firing_for`, `labels`, `annotations`);
// no-data and error behaviours follow Grafana's noDataState / execErrState.
import { compile } from '../asl/evaluator.ts';
import { formatDuration, parseDuration } from '../asl/duration.ts';
import { bad } from '../params.ts';

export const CONDITION_OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];
export const NO_DATA = ['ok', 'alerting', 'nodata', 'keep-last'] as const;
export type NoDataBehaviour = (typeof NO_DATA)[number];
export const ON_ERROR = ['error', 'alerting', 'ok', 'keep-last'] as const;
export type ErrorBehaviour = (typeof ON_ERROR)[number];

export interface Receiver {
  /** Shown as the payload's `receiver`; unique within the rule. */
  readonly name: string;
  /** http(s) URL the Alertmanager v4 payload is POSTed to. */
  readonly url: string;
}

/** A validated rule, durations in milliseconds. */
export interface AlertRule {
  readonly name: string;
  /** ASL program; each line it leaves is evaluated per output series (its tags). */
  readonly expr: string;
  /** Absent: the line is a signal (non-zero = condition holds), as Atlas alerts are. */
  readonly condition?: { readonly op: ConditionOp; readonly threshold: number };
  readonly for: number;
  readonly keepFiringFor: number;
  readonly interval: number;
  readonly step: number;
  /** How far back the expression is evaluated (stateful words like :rolling-count need history). */
  readonly lookback: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly noData: NoDataBehaviour;
  readonly onError: ErrorBehaviour;
  readonly receivers: readonly Receiver[];
  readonly repeatInterval: number;
}

export const RULE_DEFAULTS = {
  interval: 60_000,
  step: 60_000,
  /** Steps evaluated when `lookback` is not given. */
  lookbackSteps: 10,
  repeatInterval: 4 * 3_600_000, // Alertmanager's default
  noData: 'nodata' as NoDataBehaviour, // Grafana's default
  onError: 'error' as ErrorBehaviour,
};
const MINUTE = 60_000;
const MAX_LOOKBACK_STEPS = 1440;
const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_.\-]*$/;
/** Labels the evaluator sets itself. */
const RESERVED_LABELS = ['alertname'];

const FIELDS = [
  'name', 'expr', 'condition', 'for', 'keep_firing_for', 'interval', 'step', 'lookback',
  'labels', 'annotations', 'no_data', 'on_error', 'receivers', 'repeat_interval',
];

type Body = Record<string, unknown>;

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function only(value: Body, known: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw bad(`${where}${key}`, `unknown field; ${where === '' ? 'a rule' : where.slice(0, -1)} takes ${known.join(', ')}`);
  }
}

function str(body: Body, key: string, max: number): string {
  const v = body[key];
  if (typeof v !== 'string' || v.trim() === '') throw bad(key, 'required: a non-empty string');
  if (v.length > max) throw bad(key, `longer than ${max} characters`);
  return v;
}

/** A duration such as `30s`, `5m`, `1h`, `PT5M`, or `0s`; `def` when absent. */
function duration(body: Body, key: string, def: number): number {
  const v = body[key];
  if (v === undefined) return def;
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) throw bad(key, `${JSON.stringify(v)} is not a duration such as 30s, 5m or 1h`);
  return ms;
}

function oneOf<T extends string>(body: Body, key: string, allowed: readonly T[], def: T): T {
  const v = body[key];
  if (v === undefined) return def;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw bad(key, `${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
  return v as T;
}

function stringMap(body: Body, key: string, checkKeys: boolean): Record<string, string> {
  const v = body[key];
  if (v === undefined) return {};
  if (!isObject(v)) throw bad(key, 'must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') throw bad(`${key}.${k}`, 'must be a string');
    if (checkKeys && !LABEL_KEY.test(k)) throw bad(`${key}.${k}`, 'a label name starts with a letter or _ and holds letters, digits, _ . -');
    if (checkKeys && RESERVED_LABELS.includes(k)) throw bad(`${key}.${k}`, 'set by the evaluator (the rule name)');
    out[k] = value;
  }
  return out;
}

function condition(body: Body): AlertRule['condition'] {
  const v = body.condition;
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw bad('condition', 'must be an object {op, threshold}');
  only(v, ['op', 'threshold'], 'condition.');
  if (typeof v.op !== 'string' || !(CONDITION_OPS as readonly string[]).includes(v.op)) {
    throw bad('condition.op', `${JSON.stringify(v.op)} is not one of ${CONDITION_OPS.join(' ')}`);
  }
  if (typeof v.threshold !== 'number' || !Number.isFinite(v.threshold)) throw bad('condition.threshold', 'must be a finite number');
  return { op: v.op as ConditionOp, threshold: v.threshold };
}

function receivers(body: Body): Receiver[] {
  const v = body.receivers;
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw bad('receivers', 'must be a list of {name, url}');
  const names = new Set<string>();
  return v.map((r: unknown, i) => {
    const where = `receivers[${i}]`;
    if (!isObject(r)) throw bad(where, 'must be an object {name, url}');
    only(r, ['name', 'url'], `${where}.`);
    let url: URL;
    try {
      url = new URL(String(r.url));
    } catch {
      throw bad(`${where}.url`, `${JSON.stringify(r.url)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`${where}.url`, 'must be an http or https URL');
    const name = r.name === undefined ? `webhook-${i}` : r.name;
    if (typeof name !== 'string' || name === '') throw bad(`${where}.name`, 'must be a non-empty string');
    if (names.has(name)) throw bad(`${where}.name`, `${JSON.stringify(name)} is used twice`);
    names.add(name);
    return { name, url: url.toString() };
  });
}

/** The store reads sub-minute steps from minute values, so a step divides a minute or is whole minutes. */
function step(body: Body): number {
  const ms = duration(body, 'step', RULE_DEFAULTS.step);
  if (ms <= 0 || (ms < MINUTE ? MINUTE % ms !== 0 : ms % MINUTE !== 0)) {
    throw bad('step', `${formatDuration(ms)}: a step must divide a minute (1s, 5s, 10s, 30s, ...) or be whole minutes`);
  }
  return ms;
}

/**
 * Validates a rule body; the expression is compiled by the stack-language evaluator, whose
 * catalogued errors (with the position) are answered as they are. Throws 400s.
 */
export function parseRule(value: unknown): AlertRule {
  if (!isObject(value)) throw bad('body', 'must be a JSON object');
  only(value, FIELDS, '');
  const name = str(value, 'name', 200);
  const expr = str(value, 'expr', 10_000);
  compile(expr);
  const ruleStep = step(value);
  const lookback = duration(value, 'lookback', ruleStep * RULE_DEFAULTS.lookbackSteps);
  if (lookback < ruleStep || lookback > ruleStep * MAX_LOOKBACK_STEPS) {
    throw bad('lookback', `must be between one step (${formatDuration(ruleStep)}) and ${MAX_LOOKBACK_STEPS} steps`);
  }
  const interval = duration(value, 'interval', RULE_DEFAULTS.interval);
  if (interval < 1000) throw bad('interval', 'must be at least 1s');
  const repeatInterval = duration(value, 'repeat_interval', RULE_DEFAULTS.repeatInterval);
  if (repeatInterval < interval) throw bad('repeat_interval', 'must be at least the evaluation interval');
  const rule: AlertRule = {
    name,
    expr,
    for: duration(value, 'for', 0),
    keepFiringFor: duration(value, 'keep_firing_for', 0),
    interval,
    step: ruleStep,
    lookback,
    labels: stringMap(value, 'labels', true),
    annotations: stringMap(value, 'annotations', false),
    noData: oneOf(value, 'no_data', NO_DATA, RULE_DEFAULTS.noData),
    onError: oneOf(value, 'on_error', ON_ERROR, RULE_DEFAULTS.onError),
    receivers: receivers(value),
    repeatInterval,
  };
  const cond = condition(value);
  return cond === undefined ? rule : { ...rule, condition: cond };
}

/** The rule in its JSON shape (what parseRule takes), durations spelled as Atlas does. */
export function ruleJson(rule: AlertRule): Record<string, unknown> {
  return {
    name: rule.name,
    expr: rule.expr,
    ...(rule.condition ? { condition: rule.condition } : {}),
    for: formatDuration(rule.for),
    keep_firing_for: formatDuration(rule.keepFiringFor),
    interval: formatDuration(rule.interval),
    step: formatDuration(rule.step),
    lookback: formatDuration(rule.lookback),
    labels: rule.labels,
    annotations: rule.annotations,
    no_data: rule.noData,
    on_error: rule.onError,
    receivers: rule.receivers,
    repeat_interval: formatDuration(rule.repeatInterval),
  };
}

/** Whether one value meets the rule's condition (NaN never does: it is no data). */
export function holds(rule: AlertRule, value: number): boolean {
  if (Number.isNaN(value)) return false;
  const c = rule.condition;
  if (c === undefined) return value !== 0;
  switch (c.op) {
    case '>': return value > c.threshold;
    case '>=': return value >= c.threshold;
    case '<': return value < c.threshold;
    case '<=': return value <= c.threshold;
    case '==': return value === c.threshold;
    case '!=': return value !== c.threshold;
  }
}
