// Ready-made canary configs: `span-red` compares two service.version values of one service on
// the span RED series every traced service has (vigil.span.*, docs/metrics.md), so a canary
// needs no setup beyond sending spans with service.version.
import { bad } from '../params.ts';

export const TEMPLATE_NAMES = ['span-red'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/**
 * A tag value the stack language can carry as one token: no comma (the separator), no
 * surrounding spaces (trimmed), not a word (`:x`) or a parenthesis.
 */
export function aslValue(raw: unknown, name: string): string {
  if (typeof raw !== 'string' || raw === '') throw bad(name, 'must be a non-empty string');
  if (raw.includes(',') || raw.trim() !== raw || raw.startsWith(':') || raw === '(' || raw === ')') {
    throw bad(name, `${JSON.stringify(raw)} cannot be written in the stack language (a comma, surrounding spaces, a leading colon or a lone parenthesis)`);
  }
  return raw;
}

const canary = (direction: string, nanStrategy: string, effectSize: Record<string, number>, outliers = true) => ({
  canary: {
    direction,
    nanStrategy,
    critical: false,
    mustHaveData: false,
    muted: false,
    effectSize: { measure: 'meanRatio', ...effectSize },
    outliers: outliers ? { strategy: 'remove', outlierFactor: 3.0 } : { strategy: 'keep' },
  },
});

/**
 * The span-red config for `service`: latency p50/p90/p99 (seconds; High when the canary is at
 * least 10% slower), error ratio (errors / requests; High at +20%), request rate (Low at -20%:
 * a canary losing traffic). Weights: latency 50, errors 30, traffic 20.
 */
export function spanRedConfig(service: string): Record<string, unknown> {
  const svc = `service.name,${aslValue(service, 'service')},:eq`;
  const latency = (p: number) => ({
    name: `Latency p${p}`,
    groups: ['latency'],
    scopeName: 'default',
    query: { type: 'atlas', q: `name,vigil.span.duration,:eq,${svc},:and,(,${p},),:percentiles` },
    analysisConfigurations: canary('increase', 'remove', { allowedIncrease: 1.1, criticalIncrease: 2.0 }),
  });
  return {
    name: `span-red ${service}`,
    description: `Span RED metrics of ${service}: latency percentiles, error ratio and request rate of the canary version against the baseline version`,
    configVersion: '1',
    applications: [service],
    judge: { name: 'NetflixACAJudge-v1.0', judgeConfigurations: {} },
    metrics: [
      latency(50),
      latency(90),
      latency(99),
      {
        name: 'Error ratio',
        groups: ['errors'],
        scopeName: 'default',
        query: { type: 'atlas', q: `name,vigil.span.errors,:eq,${svc},:and,:sum,name,vigil.span.requests,:eq,${svc},:and,:sum,:div` },
        analysisConfigurations: canary('increase', 'remove', { allowedIncrease: 1.2, criticalIncrease: 5.0 }, false),
      },
      {
        name: 'Request rate',
        groups: ['traffic'],
        scopeName: 'default',
        query: { type: 'atlas', q: `name,vigil.span.requests,:eq,${svc},:and,:sum` },
        // A step without spans had no requests: 0, not missing.
        analysisConfigurations: canary('decrease', 'replace', { allowedDecrease: 0.8, criticalDecrease: 0.5 }, false),
      },
    ],
    templates: {},
    classifier: { groupWeights: { latency: 50, errors: 30, traffic: 20 } },
  };
}

/** The scope fragment selecting one version of the service. */
export function versionScope(version: unknown, name: string): string {
  return `service.version,${aslValue(version, name)},:eq`;
}

export function templateConfig(name: unknown, service: unknown): Record<string, unknown> {
  if (!TEMPLATE_NAMES.includes(name as TemplateName)) throw bad('template', `${JSON.stringify(name)} is not a template; there is ${TEMPLATE_NAMES.join(', ')}`);
  return spanRedConfig(aslValue(service, 'service'));
}
