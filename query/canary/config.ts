// The Kayenta canary config and execution request: validation of the JSON a client sends
// (Kayenta's shapes, docs/canary.md) into typed objects with Kayenta's defaults filled in.
// Every mistake is a VIGIL_ERR_BAD_PARAMETER naming the JSON path, e.g.
// `canaryConfig.metrics[2].analysisConfigurations.canary.direction`.
import { bad } from '../params.ts';

export const JUDGE_NAME = 'NetflixACAJudge-v1.0';

export type Direction = 'increase' | 'decrease' | 'either';
export type NanStrategy = 'remove' | 'replace';
export type EffectSizeMeasure = 'meanRatio' | 'cles';

export interface EffectSizeConfig {
  measure: EffectSizeMeasure;
  allowedIncrease: number;
  allowedDecrease: number;
  criticalIncrease: number;
  criticalDecrease: number;
}

export interface MetricAnalysis {
  direction: Direction;
  nanStrategy: NanStrategy;
  critical: boolean;
  mustHaveData: boolean;
  muted: boolean;
  effectSize: EffectSizeConfig;
  /** null: keep every point; else the IQR detector's factor. */
  outlierFactor: number | null;
}

export interface CanaryMetric {
  name: string;
  groups: string[];
  scopeName: string;
  /** The ASL program (`query.q`). */
  q: string;
  analysis: MetricAnalysis;
}

export interface CanaryConfig {
  name: string;
  metrics: CanaryMetric[];
  groupWeights: Record<string, number>;
}

export interface ScopeWindow {
  /** The ASL query fragment ANDed into every metric query (`q,scope,:cq`); '' for none. */
  scope: string;
  start: number; // unix ms, aligned to step (inclusive)
  end: number; // unix ms, aligned to step (exclusive)
  step: number; // ms
}

export interface ExecutionRequest {
  scopes: Record<string, { control: ScopeWindow; experiment: ScopeWindow }>;
  thresholds: { pass: number; marginal: number };
}

/** Most points one line may have per scope (Atlas's default line limit). */
export const MAX_POINTS = 1440;
export const DEFAULT_STEP_SECONDS = 60;
export const DEFAULT_THRESHOLDS = { pass: 95, marginal: 75 } as const;

type Json = unknown;
type JsonObject = Record<string, Json>;

function object(value: Json, path: string, known: readonly string[]): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(path, 'must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw bad(`${path}.${key}`, `unknown field; ${path} takes ${known.join(', ')}`);
  }
  return value as JsonObject;
}

function optional<T>(obj: JsonObject, key: string, path: string, read: (v: Json, p: string) => T, def: T): T {
  const value = obj[key];
  return value === undefined || value === null ? def : read(value, `${path}.${key}`);
}

function string(value: Json, path: string): string {
  if (typeof value !== 'string') throw bad(path, 'must be a string');
  return value;
}

function nonEmpty(value: Json, path: string): string {
  const s = string(value, path).trim();
  if (s === '') throw bad(path, 'must not be empty');
  return s;
}

function boolean(value: Json, path: string): boolean {
  if (typeof value !== 'boolean') throw bad(path, 'must be true or false');
  return value;
}

function number(value: Json, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(path, 'must be a finite number');
  return value;
}

function positive(value: Json, path: string): number {
  const n = number(value, path);
  if (n <= 0) throw bad(path, `must be greater than 0, got ${n}`);
  return n;
}

function oneOf<T extends string>(values: readonly T[]) {
  return (value: Json, path: string): T => {
    if (!values.includes(value as T)) throw bad(path, `must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  };
}

function strings(value: Json, path: string): string[] {
  if (!Array.isArray(value)) throw bad(path, 'must be an array of strings');
  return value.map((v, i) => nonEmpty(v, `${path}[${i}]`));
}

const CONFIG_FIELDS = [
  'name', 'description', 'configVersion', 'applications', 'judge', 'metrics', 'templates', 'classifier',
  // Kayenta's stored configs carry these; accepted and ignored so they can be pasted as they are.
  'id', 'createdTimestamp', 'updatedTimestamp', 'createdTimestampIso', 'updatedTimestampIso',
];
const METRIC_FIELDS = ['name', 'groups', 'scopeName', 'query', 'analysisConfigurations'];
const CANARY_FIELDS = ['direction', 'nanStrategy', 'critical', 'mustHaveData', 'muted', 'effectSize', 'outliers'];
const EFFECT_FIELDS = ['measure', 'allowedIncrease', 'allowedDecrease', 'criticalIncrease', 'criticalDecrease'];

function effectSize(value: Json, path: string): EffectSizeConfig {
  const o = object(value, path, EFFECT_FIELDS);
  const measure = optional(o, 'measure', path, oneOf(['meanRatio', 'cles'] as const), 'meanRatio');
  // Kayenta's defaults: no effect-size gate beyond "any increase" / "any decrease".
  const def = measure === 'meanRatio' ? 1.0 : 0.5;
  const threshold = (key: string) => optional(o, key, path, measure === 'meanRatio' ? positive : number, def);
  return {
    measure,
    allowedIncrease: threshold('allowedIncrease'),
    allowedDecrease: threshold('allowedDecrease'),
    criticalIncrease: threshold('criticalIncrease'),
    criticalDecrease: threshold('criticalDecrease'),
  };
}

function outlierFactor(value: Json, path: string): number | null {
  const o = object(value, path, ['strategy', 'outlierFactor']);
  const strategy = optional(o, 'strategy', path, oneOf(['keep', 'remove'] as const), 'keep');
  const factor = optional(o, 'outlierFactor', path, positive, 3.0);
  return strategy === 'remove' ? factor : null;
}

function analysis(value: Json, path: string): MetricAnalysis {
  const configs = object(value, path, ['canary']);
  const p = `${path}.canary`;
  const o = configs.canary === undefined ? {} : object(configs.canary, p, CANARY_FIELDS);
  return {
    direction: optional(o, 'direction', p, oneOf(['increase', 'decrease', 'either'] as const), 'either'),
    // Kayenta: `replace` turns NaN into 0; anything else removes NaN.
    nanStrategy: optional(o, 'nanStrategy', p, (v, q) => (string(v, q) === 'replace' ? 'replace' : 'remove'), 'remove'),
    critical: optional(o, 'critical', p, boolean, false),
    mustHaveData: optional(o, 'mustHaveData', p, boolean, false),
    muted: optional(o, 'muted', p, boolean, false),
    effectSize: optional(o, 'effectSize', p, effectSize, effectSize({}, `${p}.effectSize`)),
    outlierFactor: optional(o, 'outliers', p, outlierFactor, null),
  };
}

function metric(value: Json, path: string): CanaryMetric {
  const o = object(value, path, METRIC_FIELDS);
  const query = object(o.query ?? null, `${path}.query`, ['type', 'q']);
  oneOf(['atlas'] as const)(query.type, `${path}.query.type`);
  return {
    name: nonEmpty(o.name, `${path}.name`),
    groups: optional(o, 'groups', path, strings, []),
    scopeName: optional(o, 'scopeName', path, nonEmpty, 'default'),
    q: nonEmpty(query.q, `${path}.query.q`),
    analysis: optional(o, 'analysisConfigurations', path, analysis, analysis({}, `${path}.analysisConfigurations`)),
  };
}

function groupWeights(value: Json, path: string): Record<string, number> {
  const o = object(value, path, ['groupWeights', 'scoreThresholds']);
  const weights = optional(o, 'groupWeights', path, (v, p) => object(v, p, Object.keys(v as object)), {});
  const out: Record<string, number> = {};
  let sum = 0;
  for (const [group, weight] of Object.entries(weights)) {
    const w = number(weight, `${path}.groupWeights.${group}`);
    if (w < 0) throw bad(`${path}.groupWeights.${group}`, `must not be negative, got ${w}`);
    out[group] = w;
    sum += w;
  }
  if (sum > 100 + 1e-9) throw bad(`${path}.groupWeights`, `the weights add up to ${sum}; at most 100`);
  return out;
}

/** A canary config as stored and judged; `path` names it in errors (e.g. `canaryConfig`). */
export function parseCanaryConfig(value: Json, path = 'canaryConfig'): CanaryConfig {
  const o = object(value, path, CONFIG_FIELDS);
  if (o.judge !== undefined && o.judge !== null) {
    const judge = object(o.judge, `${path}.judge`, ['name', 'judgeConfigurations']);
    if (judge.name !== undefined && judge.name !== JUDGE_NAME) throw bad(`${path}.judge.name`, `the only judge is ${JUDGE_NAME}, got ${JSON.stringify(judge.name)}`);
  }
  if (!Array.isArray(o.metrics) || o.metrics.length === 0) throw bad(`${path}.metrics`, 'must be a non-empty array');
  const metrics = o.metrics.map((m, i) => metric(m, `${path}.metrics[${i}]`));
  const names = new Set<string>();
  metrics.forEach((m, i) => {
    if (names.has(m.name)) throw bad(`${path}.metrics[${i}].name`, `${JSON.stringify(m.name)} is used by an earlier metric; names must be unique`);
    names.add(m.name);
  });
  return {
    name: nonEmpty(o.name, `${path}.name`),
    metrics,
    groupWeights: optional(o, 'classifier', path, groupWeights, {}),
  };
}

/** A time: unix milliseconds (a number) or an ISO 8601 / RFC 3339 string, as Kayenta's Instant. */
export function parseTime(value: Json, path: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  throw bad(path, `${JSON.stringify(value)} is neither unix milliseconds nor an ISO 8601 time such as 2026-01-02T03:04:05Z`);
}

/** Kayenta's `step` in seconds; default 60. */
export function parseStepMs(value: Json, path: string): number {
  if (value === undefined || value === null) return DEFAULT_STEP_SECONDS * 1000;
  const seconds = positive(value, path);
  if (!Number.isInteger(seconds * 1000)) throw bad(path, `must be whole milliseconds, got ${seconds} s`);
  return seconds * 1000;
}

/**
 * start and end aligned inwards to the step, so every sample covers a whole step (a partial
 * first or last bucket would bias rates low).
 */
export function scopeWindow(scope: string, startMs: number, endMs: number, stepMs: number, path: string): ScopeWindow {
  const start = Math.ceil(startMs / stepMs) * stepMs;
  const end = Math.floor(endMs / stepMs) * stepMs;
  if (end <= start) throw bad(path, `the range ${new Date(startMs).toISOString()} .. ${new Date(endMs).toISOString()} holds no whole step of ${stepMs / 1000} s`);
  const points = (end - start) / stepMs;
  if (points > MAX_POINTS) throw bad(path, `${points} steps of ${stepMs / 1000} s; at most ${MAX_POINTS}: use a larger step or a shorter range`);
  return { scope, start, end, step: stepMs };
}

const SCOPE_FIELDS = ['scope', 'location', 'start', 'end', 'step', 'extendedScopeParams'];

function scope(value: Json, path: string): ScopeWindow {
  const o = object(value, path, SCOPE_FIELDS);
  const text = optional(o, 'scope', path, string, '').trim();
  return scopeWindow(text, parseTime(o.start, `${path}.start`), parseTime(o.end, `${path}.end`), parseStepMs(o.step, `${path}.step`), path);
}

function thresholds(value: Json, path: string): { pass: number; marginal: number } {
  const o = object(value, path, ['pass', 'marginal']);
  const pass = number(o.pass, `${path}.pass`);
  const marginal = number(o.marginal, `${path}.marginal`);
  if (!(marginal >= 0 && marginal <= pass && pass <= 100)) throw bad(path, `needs 0 <= marginal <= pass <= 100, got marginal ${marginal} and pass ${pass}`);
  return { pass, marginal };
}

/** The execution request: every scope name a metric of `config` uses must be present. */
export function parseExecutionRequest(value: Json, config: CanaryConfig, path = 'executionRequest'): ExecutionRequest {
  const o = object(value, path, ['scopes', 'thresholds', 'siteLocal']);
  const raw = object(o.scopes ?? null, `${path}.scopes`, Object.keys((o.scopes as object | null) ?? {}));
  const scopes: ExecutionRequest['scopes'] = {};
  for (const [name, pair] of Object.entries(raw)) {
    const p = `${path}.scopes.${name}`;
    const sides = object(pair, p, ['controlScope', 'experimentScope']);
    scopes[name] = { control: scope(sides.controlScope ?? null, `${p}.controlScope`), experiment: scope(sides.experimentScope ?? null, `${p}.experimentScope`) };
  }
  for (const m of config.metrics) {
    if (scopes[m.scopeName] === undefined) throw bad(`${path}.scopes`, `metric ${JSON.stringify(m.name)} uses scope ${JSON.stringify(m.scopeName)}, which is missing`);
  }
  return { scopes, thresholds: optional(o, 'thresholds', path, thresholds, { ...DEFAULT_THRESHOLDS }) };
}
