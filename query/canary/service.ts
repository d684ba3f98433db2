// What the canary endpoints do: resolve the config (inline, stored, or a template), fetch every
// metric in the control and experiment scopes through the stack-language evaluator, pair the
// lines into metric set pairs, judge, and store the judgement.
import { randomUUID } from 'node:crypto';
import { VigilError, vigilError } from '../../schemas/errors.ts';
import type { Evaluate, SeriesSource, StyledLine } from '../asl/types.ts';
import { bad } from '../params.ts';
import {
  type CanaryConfig,
  type CanaryMetric,
  type ExecutionRequest,
  type ScopeWindow,
  parseCanaryConfig,
  parseExecutionRequest,
} from './config.ts';
import { type CanaryJudgeResult, type MetricSetPair, judge } from './judge.ts';
import type { CanaryStore, ConfigSummary, JudgementPage, JudgementSummary, StoredConfig } from './store.ts';
import { templateConfig, versionScope } from './template.ts';

/** Kayenta's MetricSetPair as stored with a judgement: the samples behind each result row. */
export interface StoredMetricSetPair {
  id: string;
  name: string;
  tags: Record<string, string>;
  values: { control: Array<number | null>; experiment: Array<number | null> };
  attributes: { control: { query: string }; experiment: { query: string } };
  scopes: { control: { startTimeMillis: number; stepMillis: number }; experiment: { startTimeMillis: number; stepMillis: number } };
}

export interface Judgement extends CanaryJudgeResult {
  id: string;
  createdAtMs: number;
  createdAt: string;
  canaryConfigId: string | null;
  canaryConfig: Record<string, unknown>;
  executionRequest: ExecutionRequest;
  metricSetPairs: StoredMetricSetPair[];
}

type Body = Record<string, unknown>;

const BOOKKEEPING = ['id', 'createdTimestamp', 'updatedTimestamp', 'createdTimestampIso', 'updatedTimestampIso'];

const JUDGE_FIELDS = ['canaryConfig', 'canaryConfigId', 'executionRequest'];
const TEMPLATE_FIELDS = ['template', 'service', 'controlVersion', 'experimentVersion', 'start', 'end', 'step', 'thresholds'];

function body(value: unknown, known: readonly string[]): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('body', 'must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw bad(key, `unknown field; the body takes ${known.join(', ')}`);
  }
  return value as Body;
}

/**
 * The program of a metric in a scope: Kayenta's Atlas form, the scope ANDed into every
 * expression the query leaves on the stack.
 */
export function scopedProgram(q: string, scope: string): string {
  return scope === '' ? q : `${q},:list,(,${scope},:cq,),:each`;
}

/** The tags that tell a metric's lines apart: the group-by keys, and the percentile of a :percentiles line. */
function identity(line: StyledLine): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const key of [...line.groupByKeys, 'percentile']) {
    const value = line.tags[key];
    if (value !== undefined) tags[key] = value;
  }
  return tags;
}

/**
 * Pairs control and experiment lines with equal identity tags (lines sharing them pair in
 * order); a line without a partner pairs with no data. No lines at all: one empty pair.
 */
export function pairLines(control: readonly StyledLine[], experiment: readonly StyledLine[]): Array<{ tags: Record<string, string>; control: Float64Array; experiment: Float64Array }> {
  const groups = new Map<string, { tags: Record<string, string>; control: Float64Array[]; experiment: Float64Array[] }>();
  const add = (line: StyledLine, side: 'control' | 'experiment') => {
    const tags = identity(line);
    const key = JSON.stringify(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1)));
    const group = groups.get(key) ?? { tags, control: [], experiment: [] };
    group[side].push(line.values);
    groups.set(key, group);
  };
  for (const line of control) add(line, 'control');
  for (const line of experiment) add(line, 'experiment');
  const empty = new Float64Array(0);
  const pairs = [...groups.values()].flatMap((g) =>
    Array.from({ length: Math.max(g.control.length, g.experiment.length) }, (_, i) => ({ tags: g.tags, control: g.control[i] ?? empty, experiment: g.experiment[i] ?? empty })),
  );
  return pairs.length > 0 ? pairs : [{ tags: {}, control: empty, experiment: empty }];
}

const jsonValues = (values: Float64Array) => Array.from(values, (v) => (Number.isFinite(v) ? v : null));

export class CanaryService {
  constructor(
    private readonly store: CanaryStore,
    private readonly source: SeriesSource,
    private readonly evaluate: Evaluate,
    private readonly now: () => number = Date.now,
  ) {}

  // --- configs

  listConfigs(): Promise<ConfigSummary[]> {
    return this.store.listConfigs();
  }

  async getConfig(id: string): Promise<StoredConfig> {
    const stored = await this.store.getConfig(id);
    if (stored === undefined) throw vigilError('VIGIL_ERR_NOT_FOUND', `canary config ${id}`);
    return stored;
  }

  async createConfig(value: unknown): Promise<StoredConfig> {
    const id = randomUUID();
    await this.writeConfig(id, value);
    return this.getConfig(id);
  }

  async updateConfig(id: string, value: unknown): Promise<StoredConfig> {
    await this.getConfig(id);
    await this.writeConfig(id, value);
    return this.getConfig(id);
  }

  async deleteConfig(id: string): Promise<void> {
    const stored = await this.getConfig(id);
    await this.store.putConfig(id, stored.name, null);
  }

  private async writeConfig(id: string, value: unknown): Promise<void> {
    const config = parseCanaryConfig(value);
    // Kayenta's bookkeeping fields are the store's, not part of the stored body.
    const stored = Object.fromEntries(Object.entries(value as Body).filter(([key]) => !BOOKKEEPING.includes(key)));
    await this.store.putConfig(id, config.name, stored);
  }

  // --- judgements

  listJudgements(page: JudgementPage): Promise<JudgementSummary[]> {
    return this.store.listJudgements(page);
  }

  async getJudgement(id: string): Promise<unknown> {
    const judgement = await this.store.getJudgement(id);
    if (judgement === undefined) throw vigilError('VIGIL_ERR_NOT_FOUND', `canary judgement ${id}`);
    return judgement;
  }

  /** POST /api/v1/canary/judge: a Kayenta request, or a template request (`template` set). */
  async judge(value: unknown): Promise<Judgement> {
    const raw = value as Body | null;
    if (typeof raw === 'object' && raw !== null && 'template' in raw) return this.judgeTemplate(body(value, TEMPLATE_FIELDS));
    const b = body(value, JUDGE_FIELDS);
    if ((b.canaryConfig === undefined) === (b.canaryConfigId === undefined)) throw bad('body', 'give exactly one of canaryConfig (inline) and canaryConfigId (stored)');
    let configJson: Record<string, unknown>;
    let configId: string | null = null;
    if (b.canaryConfigId !== undefined) {
      if (typeof b.canaryConfigId !== 'string') throw bad('canaryConfigId', 'must be a string');
      configId = b.canaryConfigId;
      configJson = (await this.getConfig(configId)).config;
    } else {
      configJson = b.canaryConfig as Record<string, unknown>;
    }
    const config = parseCanaryConfig(configJson);
    return this.run(config, configJson, configId, parseExecutionRequest(b.executionRequest, config));
  }

  private judgeTemplate(b: Body): Promise<Judgement> {
    const configJson = templateConfig(b.template, b.service);
    const config = parseCanaryConfig(configJson);
    const scope = (key: 'controlVersion' | 'experimentVersion') => ({ scope: versionScope(b[key], key), start: b.start, end: b.end, step: b.step });
    const request = parseExecutionRequest(
      { scopes: { default: { controlScope: scope('controlVersion'), experimentScope: scope('experimentVersion') } }, thresholds: b.thresholds },
      config,
    );
    return this.run(config, configJson, null, request);
  }

  /** The template's config, for GET /api/v1/canary/templates/{name}. */
  templateConfig(name: string, service: unknown): Record<string, unknown> {
    return templateConfig(name, service);
  }

  private async fetch(metric: CanaryMetric, index: number, scopeName: string, side: 'control' | 'experiment', window: ScopeWindow): Promise<readonly StyledLine[]> {
    const program = scopedProgram(metric.q, window.scope);
    try {
      return (await this.evaluate(program, window, this.source)).lines;
    } catch (error) {
      if (error instanceof VigilError && error.status === 400) {
        throw bad(`canaryConfig.metrics[${index}] (${JSON.stringify(metric.name)}) in scope ${scopeName}.${side}`, `${program}: ${error.message}`);
      }
      throw error;
    }
  }

  private async run(config: CanaryConfig, configJson: Record<string, unknown>, configId: string | null, request: ExecutionRequest): Promise<Judgement> {
    const fetched = await Promise.all(
      config.metrics.map(async (metric, i) => {
        const scope = request.scopes[metric.scopeName]!;
        const [control, experiment] = await Promise.all([
          this.fetch(metric, i, metric.scopeName, 'control', scope.control),
          this.fetch(metric, i, metric.scopeName, 'experiment', scope.experiment),
        ]);
        return pairLines(control, experiment).map((p) => ({ metric, scope, ...p, id: randomUUID() }));
      }),
    );
    const pairs: Array<MetricSetPair & { scope: { control: ScopeWindow; experiment: ScopeWindow } }> = fetched.flat();
    const result = judge(config, pairs, request.thresholds);
    const createdAtMs = this.now();
    const judgement: Judgement = {
      id: randomUUID(),
      createdAtMs,
      createdAt: new Date(createdAtMs).toISOString(),
      canaryConfigId: configId,
      ...result,
      canaryConfig: configJson,
      executionRequest: request,
      metricSetPairs: pairs.map((p) => ({
        id: p.id,
        name: p.metric.name,
        tags: p.tags,
        values: { control: jsonValues(p.control), experiment: jsonValues(p.experiment) },
        attributes: { control: { query: scopedProgram(p.metric.q, p.scope.control.scope) }, experiment: { query: scopedProgram(p.metric.q, p.scope.experiment.scope) } },
        scopes: {
          control: { startTimeMillis: p.scope.control.start, stepMillis: p.scope.control.step },
          experiment: { startTimeMillis: p.scope.experiment.start, stepMillis: p.scope.experiment.step },
        },
      })),
    };
    await this.store.saveJudgement(
      { id: judgement.id, createdAtMs, configId: configId ?? '', configName: config.name, score: result.score.score, classification: result.score.classification },
      judgement,
    );
    return judgement;
  }
}
