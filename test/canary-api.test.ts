// Canary analysis end to end: spans of one service in three versions go through the real
// OpenTelemetry SDK into a started Vigil; the span-red template judges a version that really
// is slower as Fail and a version with the same behaviour as Pass. Plus stored configs and
// judgements over HTTP, and 400s for bad requests.
import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

let vigil: TestVigil;
const MINUTE = 60_000;
const MINUTES = 20;
const PER_MINUTE = 20;
// A window of whole minutes well in the past (spans carry explicit times).
const start = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * 60 * MINUTE;
const end = start + MINUTES * MINUTE;

/**
 * Spans of `checkout` at `version`: PER_MINUTE per minute, one in 20 an error, durations
 * 20..58 ms (ms = 20 + 2*(i % 20)) scaled by `factor(i)`.
 */
async function sendSpans(version: string, factor: (i: number) => number): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.version': version }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${vigil.otlpUrl}/v1/traces` }), { scheduledDelayMillis: 60_000, maxExportBatchSize: 1000, maxQueueSize: 10_000 }),
    ],
  });
  const tracer = provider.getTracer('canary-test');
  for (let m = 0; m < MINUTES; m++) {
    for (let i = 0; i < PER_MINUTE; i++) {
      const begin = start + m * MINUTE + i * 2000;
      const span = tracer.startSpan('GET /cart', { startTime: begin });
      if (i === 7) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(begin + (20 + 2 * (i % 20)) * factor(m * PER_MINUTE + i));
    }
  }
  await provider.forceFlush();
  await provider.shutdown();
}

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${vigil.query!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: res.status === 204 ? null : await res.json() };
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${vigil.query!.url}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: res.status === 204 ? null : await res.json() };
}

const template = (experimentVersion: string) => ({
  template: 'span-red',
  service: 'checkout',
  controlVersion: '1.0',
  experimentVersion,
  start: new Date(start).toISOString(),
  end: new Date(end).toISOString(),
  step: 60,
});

beforeAll(async () => {
  vigil = await startTestVigil();
  await sendSpans('1.0', () => 1);
  // 1.1 is really slower: every request takes twice as long.
  await sendSpans('1.1', () => 2);
  // 1.2 behaves the same: durations wobble by up to +-3% around 1.0's.
  await sendSpans('1.2', (i) => 1 + 0.03 * Math.sin(i * 1.7));
}, 120_000);

afterAll(async () => {
  await vigil.stop();
});

describe('span-red canary from traces', () => {
  it('a slower version fails on latency', async () => {
    const { status, json } = await post('/api/v1/canary/judge', template('1.1'));
    expect(status).toBe(200);
    expect(json.judgeName).toBe('NetflixACAJudge-v1.0');
    const byName = Object.fromEntries(json.results.map((r: any) => [r.name, r]));
    for (const p of ['Latency p50', 'Latency p90', 'Latency p99']) {
      expect(byName[p].classification, p).toBe('High');
      expect(byName[p].controlMetadata.stats.count, p).toBe(MINUTES);
      // Twice as slow, up to the latency estimate's error.
      expect(byName[p].resultMetadata.ratio, p).toBeGreaterThan(1.8);
      expect(byName[p].resultMetadata.ratio, p).toBeLessThan(2.2);
    }
    // The same share of errors and the same traffic.
    expect(byName['Error ratio'].classification).toBe('Pass');
    expect(byName['Error ratio'].experimentMetadata.stats.mean).toBeCloseTo(1 / PER_MINUTE, 12);
    expect(byName['Request rate'].classification).toBe('Pass');
    expect(byName['Request rate'].controlMetadata.stats.mean).toBeCloseTo(PER_MINUTE / 60, 12);
    // latency 0 * 50% + errors 100 * 30% + traffic 100 * 20%
    expect(json.groupScores).toEqual(
      expect.arrayContaining([
        { name: 'latency', score: 0 },
        { name: 'errors', score: 100 },
        { name: 'traffic', score: 100 },
      ]),
    );
    expect(json.score).toMatchObject({ score: 50, classification: 'Fail' });
    // The samples behind each row are kept (Kayenta's metric set pairs) for drawing.
    const pair = json.metricSetPairs.find((p: any) => p.name === 'Request rate');
    expect(pair.values.control).toHaveLength(MINUTES);
    expect(pair.attributes.experiment.query).toContain('service.version,1.1,:eq');
  });

  it('a version that behaves the same passes', async () => {
    const { status, json } = await post('/api/v1/canary/judge', template('1.2'));
    expect(status).toBe(200);
    expect(json.results.map((r: any) => [r.name, r.classification])).toEqual([
      ['Latency p50', 'Pass'],
      ['Latency p90', 'Pass'],
      ['Latency p99', 'Pass'],
      ['Error ratio', 'Pass'],
      ['Request rate', 'Pass'],
    ]);
    expect(json.score).toMatchObject({ score: 100, classification: 'Pass' });
  });

  it('a version without spans has no data: the 50% rule fails it', async () => {
    const { json } = await post('/api/v1/canary/judge', template('9.9'));
    // Latency and error ratio remove NaN (no data); request rate replaces it with 0 and is Low.
    expect(json.results.map((r: any) => r.classification)).toEqual(['Nodata', 'Nodata', 'Nodata', 'Nodata', 'Low']);
    expect(json.score).toMatchObject({ score: 0, classification: 'Fail' });
    expect(json.score.classificationReason).toMatch(/4 of 5 metrics had no data/);
  });

  it('GET /api/v1/canary/templates/span-red gives the config the template judges with', async () => {
    const { status, json } = await call('GET', '/api/v1/canary/templates/span-red?service=checkout');
    expect(status).toBe(200);
    expect(json.metrics.map((m: any) => m.name)).toEqual(['Latency p50', 'Latency p90', 'Latency p99', 'Error ratio', 'Request rate']);
    expect(json.classifier.groupWeights).toEqual({ latency: 50, errors: 30, traffic: 20 });
  });
});

describe('stored configs and judgements', () => {
  it('config CRUD, judging a stored config, judgement history and retrieval by id', async () => {
    const config = (await call('GET', '/api/v1/canary/templates/span-red?service=checkout')).json;
    config.name = 'checkout latency';
    config.metrics = config.metrics.slice(0, 1);

    const created = await post('/api/v1/canary/configs', config);
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect(created.json).toMatchObject({ name: 'checkout latency', metrics: config.metrics });
    expect((await call('GET', '/api/v1/canary/configs')).json.configs.map((c: any) => [c.id, c.name])).toContainEqual([id, 'checkout latency']);

    const renamed = await call('PUT', `/api/v1/canary/configs/${id}`, { ...created.json, name: 'checkout p50' });
    expect(renamed.status).toBe(200);
    expect(renamed.json.name).toBe('checkout p50');
    expect(renamed.json.updatedTimestamp).toBeGreaterThanOrEqual(created.json.updatedTimestamp);
    expect((await call('GET', `/api/v1/canary/configs/${id}`)).json.name).toBe('checkout p50');

    const scope = (version: string) => ({ scope: `service.version,${version},:eq`, start: new Date(start).toISOString(), end, step: 60 });
    const judged = await post('/api/v1/canary/judge', {
      canaryConfigId: id,
      executionRequest: { scopes: { default: { controlScope: scope('1.0'), experimentScope: scope('1.1') } }, thresholds: { pass: 90, marginal: 50 } },
    });
    expect(judged.status).toBe(200);
    expect(judged.json.results).toHaveLength(1);
    expect(judged.json.results[0].classification).toBe('High');
    expect(judged.json.score).toMatchObject({ score: 0, classification: 'Fail' });
    expect(judged.json.canaryConfigId).toBe(id);

    const stored = await call('GET', `/api/v1/canary/judgements/${judged.json.id}`);
    expect(stored.status).toBe(200);
    expect(stored.json).toEqual(judged.json);

    const history = await call('GET', `/api/v1/canary/judgements?configId=${id}`);
    expect(history.json.judgements).toEqual([
      { id: judged.json.id, createdAtMs: judged.json.createdAtMs, createdAt: judged.json.createdAt, configId: id, configName: 'checkout p50', score: 0, classification: 'Fail' },
    ]);
    expect(history.json.nextCursor).toBeNull();

    // Every judgement of this file, newest first, paged one at a time.
    const first = await call('GET', '/api/v1/canary/judgements?limit=1');
    expect(first.json.judgements[0].id).toBe(judged.json.id);
    const second = await call('GET', `/api/v1/canary/judgements?limit=1&cursor=${first.json.nextCursor}`);
    expect(second.json.judgements).toHaveLength(1);
    expect(second.json.judgements[0].createdAtMs).toBeLessThanOrEqual(judged.json.createdAtMs);
    expect(second.json.judgements[0].id).not.toBe(judged.json.id);

    expect((await call('DELETE', `/api/v1/canary/configs/${id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/canary/configs/${id}`)).status).toBe(404);
    expect((await call('GET', '/api/v1/canary/configs')).json.configs.map((c: any) => c.id)).not.toContain(id);
    // The judgement outlives its config.
    expect((await call('GET', `/api/v1/canary/judgements/${judged.json.id}`)).status).toBe(200);
  });

  it('unknown ids are 404', async () => {
    expect((await call('GET', '/api/v1/canary/judgements/nope')).json).toEqual({ code: 'VIGIL_ERR_NOT_FOUND', message: 'canary judgement nope not found' });
    expect((await call('PUT', '/api/v1/canary/configs/nope', { name: 'x', metrics: [] })).status).toBe(404);
    expect((await call('DELETE', '/api/v1/canary/configs/nope')).status).toBe(404);
    const judged = await post('/api/v1/canary/judge', { canaryConfigId: 'nope', executionRequest: {} });
    expect(judged).toEqual({ status: 404, json: { code: 'VIGIL_ERR_NOT_FOUND', message: 'canary config nope not found' } });
  });
});

describe('bad requests are 400 with a clear message', () => {
  const metric = { name: 'm', query: { type: 'atlas', q: 'name,vigil.span.requests,:eq,:sum' } };
  const scopes = (s: Record<string, unknown> = {}) => ({
    default: {
      controlScope: { scope: 'service.version,1.0,:eq', start, end, step: 60, ...s },
      experimentScope: { scope: 'service.version,1.1,:eq', start, end, step: 60 },
    },
  });
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', [], /invalid body: must be a JSON object/],
    ['both config forms', { canaryConfig: {}, canaryConfigId: 'x', executionRequest: {} }, /exactly one of canaryConfig/],
    ['no metrics', { canaryConfig: { name: 'c', metrics: [] }, executionRequest: { scopes: scopes() } }, /canaryConfig\.metrics: must be a non-empty array/],
    [
      'bad direction',
      { canaryConfig: { name: 'c', metrics: [{ ...metric, analysisConfigurations: { canary: { direction: 'up' } } }] }, executionRequest: { scopes: scopes() } },
      /canaryConfig\.metrics\[0\]\.analysisConfigurations\.canary\.direction: must be one of increase, decrease, either, got "up"/,
    ],
    ['not atlas', { canaryConfig: { name: 'c', metrics: [{ ...metric, query: { type: 'prometheus', q: 'x' } }] }, executionRequest: { scopes: scopes() } }, /query\.type: must be one of atlas/],
    ['typo in a field', { canaryConfig: { name: 'c', metrics: [{ ...metric, group: ['a'] }] }, executionRequest: { scopes: scopes() } }, /canaryConfig\.metrics\[0\]\.group: unknown field/],
    ['weights above 100', { canaryConfig: { name: 'c', metrics: [metric], classifier: { groupWeights: { a: 60, b: 50 } } }, executionRequest: { scopes: scopes() } }, /add up to 110/],
    ['missing scope', { canaryConfig: { name: 'c', metrics: [{ ...metric, scopeName: 'other' }] }, executionRequest: { scopes: scopes() } }, /uses scope "other", which is missing/],
    ['bad time', { canaryConfig: { name: 'c', metrics: [metric] }, executionRequest: { scopes: scopes({ start: 'yesterday' }) } }, /controlScope\.start: "yesterday" is neither/],
    ['too many steps', { canaryConfig: { name: 'c', metrics: [metric] }, executionRequest: { scopes: scopes({ step: 0.5 }) } }, /2400 steps of 0.5 s; at most 1440/],
    ['thresholds out of order', { canaryConfig: { name: 'c', metrics: [metric] }, executionRequest: { scopes: scopes(), thresholds: { pass: 50, marginal: 75 } } }, /marginal <= pass/],
    [
      'a query the stack language rejects',
      { canaryConfig: { name: 'c', metrics: [{ ...metric, query: { type: 'atlas', q: 'name,x,:eq,:nosuchword' } }] }, executionRequest: { scopes: scopes() } },
      /canaryConfig\.metrics\[0\] \("m"\) in scope default\.control: name,x,:eq,:nosuchword,:list/,
    ],
    ['template: unknown', { ...template('1.1'), template: 'nope' }, /"nope" is not a template; there is span-red/],
    ['template: version with a comma', template('1,1'), /invalid experimentVersion: "1,1" cannot be written in the stack language/],
    ['template: unknown field', { ...template('1.1'), scope: 'x' }, /invalid scope: unknown field/],
  ];
  it.each(cases)('%s', async (_name, body, message) => {
    const { status, json } = await post('/api/v1/canary/judge', body);
    expect(status).toBe(400);
    expect(json.code).toBe('VIGIL_ERR_BAD_PARAMETER');
    expect(json.message).toMatch(message);
  });

  it('a stored config is validated too', async () => {
    const { status, json } = await post('/api/v1/canary/configs', { name: 'c', metrics: [{ ...metric, analysisConfigurations: { canary: { effectSize: { measure: 'median' } } } }] });
    expect(status).toBe(400);
    expect(json.message).toMatch(/effectSize\.measure: must be one of meanRatio, cles/);
  });
});
