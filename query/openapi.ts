// The OpenAPI 3.1 document of the query service, served at GET /api/openapi.json. Built once at
// start-up; test/query-api.test.ts checks that every registered /api/v1 route appears in it.
import type { FastifyPluginAsync } from 'fastify';
import { INSTANCE_STATES } from './alerts/evaluator.ts';
import { ACTIVE_STATES, HISTORY_LIMIT_DEFAULT, HISTORY_LIMIT_MAX } from './alerts/params.ts';
import { CONDITION_OPS, NO_DATA, ON_ERROR } from './alerts/rules.ts';
import { JUDGEMENT_LIMIT_DEFAULT, JUDGEMENT_LIMIT_MAX } from './canary/params.ts';
import { DASHBOARD_LIMITS, PANEL_KINDS, VARIABLE_SOURCES } from './dashboards/params.ts';
import { LOG_LIMIT_DEFAULT, LOG_LIMIT_MAX } from './logs/params.ts';
import { METADATA_LIMIT_DEFAULT, METADATA_LIMIT_MAX } from './metadata/params.ts';
import { TRACE_LIMIT_DEFAULT, TRACE_LIMIT_MAX } from './traces/params.ts';

type Schema = Record<string, unknown>;
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const nsString: Schema = { type: 'string', pattern: '^\\d+$', description: 'unix nanoseconds (or nanoseconds), as a decimal string' };
const stringMap: Schema = { type: 'object', additionalProperties: str };
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const obj = (properties: Record<string, Schema>): Schema => ({ type: 'object', required: Object.keys(properties), properties });

const q = (name: string, description: string, schema: Schema = str, extra: Schema = {}) => ({ name, in: 'query', description, schema, ...extra });
const time = [
  q('start', 'Range start: unix milliseconds or RFC 3339. Default: one hour before end.'),
  q('end', 'Range end: unix milliseconds or RFC 3339. Default: now.'),
];
const limit = (def: number, max: number) => q('limit', `Page size (default ${def}; larger than ${max} is lowered to ${max}).`, { ...int, minimum: 1 });
const attr = q('attr', 'Attribute condition, repeatable: key=value, key!=value or key=~regex (re2, unanchored). Matches the signal\'s own or the resource attributes.', { type: 'array', items: str }, { style: 'form', explode: true });
const cursor = q('cursor', 'nextCursor of the previous page, unchanged.');
const logFilter = [
  ...time,
  q('service', 'Service name (exact).'),
  q('severity', 'Minimum severity: a SeverityNumber 1-24 or TRACE, DEBUG, INFO, WARN, ERROR, FATAL.'),
  q('q', 'Body text: every word must appear as a whole token (case-insensitive); "quoted phrases" and words with punctuation as substrings.'),
  attr,
  q('traceId', 'Only records of this trace (1-32 hex digits).'),
];

const atlasWindow = [
  q('q', 'Atlas stack-language expression, e.g. name,http.server.requests,:eq,:sum,(,service.name,),:by', str, { required: true }),
  q('s', 'Start: Atlas time (e-3h, now-1w, 2026-01-02T03:04, unix s or ms). Default e-3h.'),
  q('e', 'End: Atlas time. Default now.'),
  q('tz', 'IANA time zone for times without a zone and for csv/txt timestamps. Default UTC.'),
  q('step', 'Step (1m, 5m, 1h, PT5M): raised to 1m and rounded up to an allowed step. Default: from the window and w.'),
  q('w', 'Width in pixels for the automatic step (default 700).', { ...int, minimum: 1 }),
];
const atlasTags = [
  q('q', 'Atlas query-vocabulary expression restricting the series, e.g. name,cpu,:eq.'),
  q('limit', 'Page size (default and maximum 1000).', { ...int, minimum: 1 }),
  q('offset', 'x-nflx-atlas-next-offset of the previous page.'),
  q('verbose', '1: {key, value, count} items.', { enum: ['0', '1'] }),
  q('format', 'json (default) or txt (one item per line).', { enum: ['json', 'txt'] }),
];

const error = { description: 'Invalid parameter (VIGIL_ERR_BAD_PARAMETER) and the like', content: { 'application/json': { schema: ref('Error') } } };
const ok = (schema: Schema, description = 'OK') => ({ description, content: { 'application/json': { schema } } });

/** Paths of an insert-only document collection (canary configs, dashboards, alert rules): list and create, then get, replace, delete by id. */
function documentPaths(
  base: string,
  d: {
    tag: string;
    listKey: string;
    listItem: Schema;
    body: Schema;
    one: Schema;
    created: Schema;
    invalid: Record<string, unknown>;
    summaries: { list: string; create: string; get: string; replace: string; remove: string };
  },
) {
  const tags = [d.tag];
  const id = [{ name: 'id', in: 'path', required: true, schema: str }];
  const body = { required: true, content: { 'application/json': { schema: d.body } } };
  return {
    [base]: {
      get: { tags, summary: d.summaries.list, responses: { 200: ok(obj({ [d.listKey]: { type: 'array', items: d.listItem } })) } },
      post: { tags, summary: d.summaries.create, requestBody: body, responses: { 201: ok(d.created, 'Created'), 400: d.invalid } },
    },
    [`${base}/{id}`]: {
      get: { tags, summary: d.summaries.get, parameters: id, responses: { 200: ok(d.one), 404: error } },
      put: { tags, summary: d.summaries.replace, parameters: id, requestBody: body, responses: { 200: ok(d.one), 400: error, 404: error } },
      delete: { tags, summary: d.summaries.remove, parameters: id, responses: { 204: { description: 'Deleted' }, 404: error } },
    },
  };
}
const jaeger = (summary: string) => ({ get: { tags: ['jaeger'], summary, responses: { 200: ok({ type: 'object', description: "Jaeger's envelope {data, total, limit, offset, errors}; see docs/jaeger-api.md" }) } } });

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Vigil query API', version: '1', description: 'Native API for the Vigil UI (/api/v1) and Jaeger v1 API for Grafana. See docs/query-api.md and docs/jaeger-api.md.' },
  paths: {
    '/api/v1/traces': {
      get: {
        tags: ['traces'],
        summary: 'Search traces; answers summaries, newest first (or longest first)',
        description: 'A trace matches when one of its spans starting in the range meets every condition. A summary covers the whole trace.',
        parameters: [
          ...time,
          q('service', 'Service name (exact).'),
          q('operation', 'Span name (exact).'),
          q('minDuration', 'Minimum span duration, Go syntax (100ms, 1.5s).'),
          q('maxDuration', 'Maximum span duration, Go syntax.'),
          q('status', 'Span status.', { enum: ['error', 'ok', 'unset'] }),
          attr,
          q('sort', 'Order, descending, ties by trace id.', { enum: ['start', 'duration'], default: 'start' }),
          limit(TRACE_LIMIT_DEFAULT, TRACE_LIMIT_MAX),
          cursor,
        ],
        responses: { 200: ok(obj({ traces: { type: 'array', items: ref('TraceSummary') }, nextCursor: { type: ['string', 'null'] } })), 400: error },
      },
    },
    '/api/v1/traces/{traceId}': {
      get: {
        tags: ['traces'],
        summary: 'One trace: every span, and the log records carrying its trace id',
        parameters: [{ name: 'traceId', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-fA-F]{1,32}$' } }],
        responses: { 200: ok(ref('TraceDetail')), 400: error, 404: { ...error, description: 'trace not found (VIGIL_ERR_NOT_FOUND)' } },
      },
    },
    '/api/v1/logs': {
      get: {
        tags: ['logs'],
        summary: 'Search log records, newest first',
        parameters: [...logFilter, limit(LOG_LIMIT_DEFAULT, LOG_LIMIT_MAX), cursor],
        responses: { 200: ok(obj({ logs: { type: 'array', items: ref('LogRecord') }, nextCursor: { type: ['string', 'null'] } })), 400: error },
      },
    },
    '/api/v1/logs/volume': {
      get: {
        tags: ['logs'],
        summary: 'Record counts per time bucket and severity over the range, for the same filter as /api/v1/logs',
        parameters: logFilter,
        responses: {
          200: ok(
            obj({
              startMs: int,
              endMs: int,
              stepMs: { ...int, description: 'Bucket width, chosen for 60-120 buckets over the range' },
              buckets: { type: 'array', items: int, description: 'Bucket starts (unix ms), aligned to multiples of stepMs' },
              series: { type: 'object', additionalProperties: { type: 'array', items: int }, description: 'Per severity name (UNSPECIFIED, TRACE, DEBUG, INFO, WARN, ERROR, FATAL) with records: one count per bucket' },
              total: int,
            }),
          ),
          400: error,
        },
      },
    },
    '/api/v1/metadata/attributes': {
      get: {
        tags: ['metadata'],
        summary: 'Attribute keys seen in the range, most frequent first',
        parameters: [q('signal', 'traces or logs', { enum: ['traces', 'logs'] }, { required: true }), ...time, q('prefix', 'Only keys starting with this.'), limit(METADATA_LIMIT_DEFAULT, METADATA_LIMIT_MAX)],
        responses: { 200: ok(obj({ keys: { type: 'array', items: obj({ key: str, source: { enum: ['span', 'log', 'resource'] }, count: int }) } })), 400: error },
      },
    },
    '/api/v1/metadata/attributes/values': {
      get: {
        tags: ['metadata'],
        summary: 'Top values of one attribute key in the range',
        parameters: [
          q('signal', 'traces or logs', { enum: ['traces', 'logs'] }, { required: true }),
          q('key', 'The attribute key.', str, { required: true }),
          ...time,
          q('prefix', 'Only values starting with this.'),
          limit(METADATA_LIMIT_DEFAULT, METADATA_LIMIT_MAX),
        ],
        responses: { 200: ok(obj({ values: { type: 'array', items: obj({ value: str, count: int }) } })), 400: error },
      },
    },
    '/api/v1/graph': {
      get: {
        tags: ['metrics'],
        summary: 'Atlas graph data: evaluate a stack-language expression over a window (docs/metrics-api.md)',
        parameters: [...atlasWindow, q('format', 'Output format (png is drawn by the UI, not here).', { enum: ['json', 'std.json', 'stats.json', 'csv', 'txt'], default: 'json' })],
        responses: {
          200: {
            description: 'json / std.json: {start, step, legend, metrics, values, notices} (json writes NaN bare, std.json as "NaN"); stats.json: {start, end, step, legend, metrics, stats, notices}; csv / txt: a header and a row per step',
            content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: str }, 'text/plain': { schema: str } },
          },
          400: error,
        },
      },
    },
    '/api/v2/fetch': {
      get: {
        tags: ['metrics'],
        summary: "Atlas fetch: the graph's lines as server-sent events (data: {json}), 60-step chunks, heartbeats every 10 s, a close message at the end",
        parameters: atlasWindow,
        responses: { 200: { description: 'timeseries, info (heartbeat), error and close messages', content: { 'text/event-stream': { schema: str } } }, 400: error },
      },
    },
    '/api/v1/tags': {
      get: {
        tags: ['metrics'],
        summary: 'Atlas tag keys (verbose=1: every tag with its series count); paging header x-nflx-atlas-next-offset',
        parameters: atlasTags,
        responses: { 200: ok({ type: 'array', items: { oneOf: [str, ref('TagCount')] } }), 400: error },
      },
    },
    '/api/v1/tags/{key}': {
      get: {
        tags: ['metrics'],
        summary: 'Atlas tag values of one key (verbose=1: with series counts); paging header x-nflx-atlas-next-offset',
        parameters: [{ name: 'key', in: 'path', required: true, schema: str }, ...atlasTags],
        responses: { 200: ok({ type: 'array', items: { oneOf: [str, ref('TagCount')] } }), 400: error },
      },
    },
    '/api/v1/publish': {
      post: {
        tags: ['metrics'],
        summary: "Atlas publish: datapoints stored as gauges; Atlas's validation rules (docs/metrics-api.md)",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: obj({
                tags: stringMap,
                metrics: { type: 'array', items: obj({ tags: stringMap, timestamp: { ...int, description: 'unix milliseconds, within 60 s of now' }, value: num }) },
              }),
            },
          },
        },
        responses: {
          200: { description: 'every datapoint stored' },
          202: ok(obj({ type: { const: 'partial' }, errorCount: int, message: { type: 'array', items: str, description: 'the first 5 reasons' } }), 'the valid datapoints stored, the others refused'),
          400: error,
          503: { ...error, description: 'storage unavailable, nothing stored (VIGIL_ERR_STORE_UNAVAILABLE); retry' },
        },
      },
    },
    '/api/v1/canary/judge': {
      post: {
        tags: ['canary'],
        summary: 'Judge a canary (NetflixACAJudge-v1.0) and store the judgement; see docs/canary.md',
        description:
          'Body: {canaryConfig (inline Kayenta config) | canaryConfigId, executionRequest: {scopes: {<scopeName>: {controlScope, experimentScope}}, thresholds: {pass, marginal}}}, a scope being {scope (ASL query fragment), start, end (ISO 8601 or unix ms), step (seconds, default 60)}; or the ready-made span RED canary {template: "span-red", service, controlVersion, experimentVersion, start, end, step, thresholds}.',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: { 200: ok(ref('CanaryJudgement')), 400: error, 404: { ...error, description: 'canaryConfigId not found (VIGIL_ERR_NOT_FOUND)' } },
      },
    },
    '/api/v1/canary/judgements': {
      get: {
        tags: ['canary'],
        summary: 'Stored judgements, newest first',
        parameters: [
          q('configId', 'Only judgements of this stored config.'),
          limit(JUDGEMENT_LIMIT_DEFAULT, JUDGEMENT_LIMIT_MAX),
          cursor,
        ],
        responses: {
          200: ok(obj({ judgements: { type: 'array', items: obj({ id: str, createdAtMs: int, createdAt: str, configId: str, configName: str, score: num, classification: { enum: ['Pass', 'Marginal', 'Fail'] } }) }, nextCursor: { type: ['string', 'null'] } })),
          400: error,
        },
      },
    },
    '/api/v1/canary/judgements/{id}': {
      get: {
        tags: ['canary'],
        summary: 'One stored judgement, as POST /api/v1/canary/judge answered it',
        parameters: [{ name: 'id', in: 'path', required: true, schema: str }],
        responses: { 200: ok(ref('CanaryJudgement')), 404: { ...error, description: 'judgement not found (VIGIL_ERR_NOT_FOUND)' } },
      },
    },
    ...documentPaths('/api/v1/canary/configs', {
      tag: 'canary',
      listKey: 'configs',
      listItem: ref('CanaryConfigSummary'),
      body: { type: 'object' },
      one: { type: 'object' },
      created: { type: 'object', description: 'The config with id, createdTimestamp(Iso), updatedTimestamp(Iso)' },
      invalid: error,
      summaries: {
        list: 'Stored canary configs (summaries), by name',
        create: 'Store a new canary config (Kayenta shape, validated); answers it with its id',
        get: 'One stored canary config',
        replace: 'Replace a stored canary config',
        remove: 'Delete a stored canary config',
      },
    }),
    '/api/v1/canary/templates/{name}': {
      get: {
        tags: ['canary'],
        summary: 'A ready-made canary config (span-red: latency p50/p90/p99, error ratio and request rate of one service)',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { enum: ['span-red'] } }, q('service', 'The service.name to judge.', str, { required: true })],
        responses: { 200: ok({ type: 'object', description: 'A Kayenta canary config' }), 400: error },
      },
    },
    ...documentPaths('/api/v1/dashboards', {
      tag: 'dashboards',
      listKey: 'dashboards',
      listItem: ref('Dashboard'),
      body: ref('DashboardBody'),
      one: ref('Dashboard'),
      created: ref('Dashboard'),
      invalid: { ...error, description: 'Invalid dashboard: VIGIL_ERR_BAD_PARAMETER naming the JSON path, e.g. panels[2].kind' },
      summaries: {
        list: 'Custom dashboards (the UI\'s), by title',
        create: 'Store a new dashboard (validated); answers it with its id',
        get: 'One dashboard',
        replace: 'Replace a dashboard (a new version; the old ones stay in the table)',
        remove: 'Delete a dashboard',
      },
    }),
    '/api/v1/alerts': {
      get: {
        tags: ['alerts'],
        summary: 'Active alert instances (pending, firing, nodata, error) of the stored rules, as the evaluator last persisted them; see docs/alerts.md',
        parameters: [
          q('ruleId', 'Only instances of this rule.'),
          q('state', 'Only instances in this state, repeatable.', { type: 'array', items: { enum: ACTIVE_STATES } }, { style: 'form', explode: true }),
        ],
        responses: { 200: ok(obj({ alerts: { type: 'array', items: ref('AlertInstance') } })), 400: error },
      },
    },
    '/api/v1/alerts/history': {
      get: {
        tags: ['alerts'],
        summary: 'State transitions of alert instances, newest first',
        parameters: [
          q('ruleId', 'Only transitions of this rule.'),
          q('start', 'Range start: unix milliseconds or RFC 3339. Default: 24 hours before end.'),
          q('end', 'Range end (inclusive): unix milliseconds or RFC 3339. Default: now.'),
          limit(HISTORY_LIMIT_DEFAULT, HISTORY_LIMIT_MAX),
        ],
        responses: {
          200: ok(obj({
            history: {
              type: 'array',
              items: obj({ at: int, atIso: str, ruleId: str, ruleName: str, fingerprint: str, labels: stringMap, from: { enum: ['inactive', ...INSTANCE_STATES] }, to: { enum: ['inactive', ...INSTANCE_STATES] }, value: { type: ['number', 'null'] } }),
            },
          })),
          400: error,
        },
      },
    },
    ...documentPaths('/api/v1/alerts/rules', {
      tag: 'alerts',
      listKey: 'rules',
      listItem: ref('AlertRule'),
      body: ref('AlertRuleBody'),
      one: ref('AlertRule'),
      created: ref('AlertRule'),
      invalid: { ...error, description: 'Invalid rule: VIGIL_ERR_BAD_PARAMETER naming the field, or the stack-language error (VIGIL_ERR_ASL_*) with its position' },
      summaries: {
        list: 'Stored alert rules, by name',
        create: 'Store a new alert rule (validated, the expression compiled); answers it with its id',
        get: 'One stored alert rule',
        replace: 'Replace a stored alert rule (its instances keep their state where their labels stay the same)',
        remove: 'Delete a stored alert rule: it stops being evaluated, and its firing alerts are sent as resolved',
      },
    }),
    '/api/openapi.json': { get: { summary: 'This document', responses: { 200: ok({ type: 'object' }) } } },
    '/api/services': jaeger('Jaeger: service names (start/end in µs, default 24 h)'),
    '/api/services/{service}/operations': {
      get: { ...jaeger('Jaeger: span names of a service').get, parameters: [{ name: 'service', in: 'path', required: true, schema: str }] },
    },
    '/api/operations': jaeger('Jaeger: operations of a service with span kinds'),
    '/api/traces': jaeger('Jaeger: trace search, or traces by traceID list'),
    '/api/traces/{traceID}': {
      get: { ...jaeger('Jaeger: one trace').get, parameters: [{ name: 'traceID', in: 'path', required: true, schema: str }] },
    },
    '/api/dependencies': jaeger('Jaeger: service dependency links (endTs, lookback in ms)'),
  },
  components: {
    schemas: {
      Error: obj({ code: { type: 'string', examples: ['VIGIL_ERR_BAD_PARAMETER'] }, message: str }),
      ServiceCount: obj({ service: str, spanCount: int }),
      TagCount: obj({ key: str, value: str, count: int }),
      AlertRuleBody: {
        type: 'object',
        required: ['name', 'expr'],
        additionalProperties: false,
        description: 'Durations as 30s, 5m, 1h or PT5M. Templates $labels.<key> and $value (also {{ $labels.<key> }}) in labels and annotations.',
        properties: {
          name: { ...str, description: 'The alertname label of every instance.' },
          expr: { ...str, description: 'Atlas stack-language expression; every line it leaves is one alert instance per its tags.' },
          condition: { ...obj({ op: { enum: CONDITION_OPS }, threshold: num }), description: 'Absent: the line is a signal (non-zero = the condition holds).' },
          for: { ...str, description: 'How long the condition must hold before firing (default 0s: fire at once).' },
          keep_firing_for: { ...str, description: 'How long to keep firing after the condition clears (default 0s).' },
          interval: { ...str, description: 'Evaluation interval (default 1m, at least 1s).' },
          step: { ...str, description: 'Step of the expression (default 1m); divides a minute or is whole minutes.' },
          lookback: { ...str, description: 'Window evaluated, ending at the last complete step (default 10 steps).' },
          labels: stringMap,
          annotations: stringMap,
          no_data: { enum: NO_DATA, description: 'When no line has a value (default nodata).' },
          on_error: { enum: ON_ERROR, description: 'When the evaluation fails (default error).' },
          receivers: { type: 'array', items: { type: 'object', required: ['url'], properties: { name: str, url: str } }, description: 'Webhooks receiving Alertmanager v4 payloads.' },
          repeat_interval: { ...str, description: 'Re-send still-firing alerts this often (default 4h).' },
        },
      },
      AlertRule: {
        type: 'object',
        description: 'A stored rule: the body with every default filled in, plus id, createdAt, updatedAt.',
        properties: { id: str, createdAt: str, updatedAt: str },
      },
      AlertInstance: obj({
        ruleId: str,
        ruleName: str,
        fingerprint: str,
        state: { enum: ACTIVE_STATES },
        labels: stringMap,
        annotations: stringMap,
        value: { type: ['number', 'null'], description: 'The value at the last state change (null: no data).' },
        activeAt: str,
        firedAt: { type: ['string', 'null'] },
      }),
      DashboardBody: {
        type: 'object',
        required: ['title'],
        description: 'A dashboard as the UI edits it (ui/src/dashboards/model.ts). id (must match the path), createdAt and updatedAt may be sent back as GET answered them; they change nothing.',
        properties: {
          title: { type: 'string', minLength: 1, maxLength: DASHBOARD_LIMITS.text },
          variables: {
            type: 'array',
            maxItems: DASHBOARD_LIMITS.variables,
            items: {
              type: 'object',
              required: ['name', 'source'],
              properties: {
                name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$', description: 'Used as $name or $(name) in panel queries; unique in the dashboard.' },
                source: { enum: VARIABLE_SOURCES, description: 'services: the traced services; list: values.' },
                values: { type: 'array', maxItems: DASHBOARD_LIMITS.values, items: { type: 'string', maxLength: DASHBOARD_LIMITS.text } },
              },
            },
          },
          panels: {
            type: 'array',
            maxItems: DASHBOARD_LIMITS.panels,
            items: {
              type: 'object',
              required: ['title', 'kind', 'query'],
              properties: {
                title: { type: 'string', maxLength: DASHBOARD_LIMITS.text },
                kind: { enum: PANEL_KINDS },
                query: { type: 'string', maxLength: DASHBOARD_LIMITS.query, description: 'graph: an ASL expression; traces: a service; logs: a log query.' },
                wide: { type: 'boolean', description: 'Spans both grid columns (default false).' },
              },
            },
          },
        },
      },
      Dashboard: {
        type: 'object',
        description: 'A stored dashboard: the body with its defaults filled in, plus id, createdAt, updatedAt.',
        properties: { id: str, createdAt: str, updatedAt: str },
      },
      CanaryConfigSummary: obj({ id: str, name: str, createdTimestamp: int, createdTimestampIso: str, updatedTimestamp: int, updatedTimestampIso: str }),
      CanaryStats: obj({ count: int, mean: { type: ['number', 'null'] }, min: { type: ['number', 'null'] }, max: { type: ['number', 'null'] }, median: { type: ['number', 'null'] } }),
      CanaryJudgement: {
        type: 'object',
        description: "Kayenta's CanaryJudgeResult (judgeName, results, groupScores, score) plus the stored judgement's id, time, config, request and metric set pairs",
        properties: {
          id: str,
          createdAtMs: int,
          createdAt: str,
          canaryConfigId: { type: ['string', 'null'] },
          judgeName: { type: 'string', examples: ['NetflixACAJudge-v1.0'] },
          results: {
            type: 'array',
            items: obj({
              name: str,
              id: str,
              tags: stringMap,
              classification: { enum: ['Pass', 'High', 'Low', 'Nodata', 'NodataFailMetric', 'Error'] },
              classificationReason: { type: ['string', 'null'] },
              groups: { type: 'array', items: str },
              critical: { type: 'boolean' },
              muted: { type: 'boolean' },
              controlMetadata: obj({ stats: ref('CanaryStats') }),
              experimentMetadata: obj({ stats: ref('CanaryStats') }),
              resultMetadata: { type: 'object', description: '{ratio, effectSize: {measure, value}, mannWhitney: {u, pValue, estimate, lower, upper} | null}' },
            }),
          },
          groupScores: { type: 'array', items: obj({ name: str, score: num }) },
          score: obj({ score: num, classification: { enum: ['Pass', 'Marginal', 'Fail'] }, classificationReason: str }),
          canaryConfig: { type: 'object' },
          executionRequest: { type: 'object' },
          metricSetPairs: { type: 'array', items: { type: 'object', description: "Kayenta's MetricSetPair: {id, name, tags, values: {control, experiment} (null for no data), attributes, scopes}" } },
        },
      },
      TraceSummary: obj({
        traceId: str,
        rootService: str,
        rootOperation: str,
        startNs: nsString,
        startMs: num,
        durationNs: nsString,
        durationMs: num,
        spanCount: int,
        errorCount: int,
        services: { type: 'array', items: ref('ServiceCount') },
      }),
      Span: obj({
        traceId: str,
        spanId: str,
        parentSpanId: str,
        traceState: str,
        name: str,
        kind: { enum: ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'] },
        service: str,
        startNs: nsString,
        startMs: num,
        durationNs: nsString,
        durationMs: num,
        status: obj({ code: { enum: ['Unset', 'Ok', 'Error'] }, message: str }),
        attributes: stringMap,
        resource: stringMap,
        scope: obj({ name: str, version: str }),
        events: { type: 'array', items: obj({ timeNs: nsString, timeMs: num, name: str, attributes: stringMap }) },
        links: { type: 'array', items: obj({ traceId: str, spanId: str, traceState: str, attributes: stringMap }) },
        flags: int,
      }),
      TraceDetail: obj({
        traceId: str,
        startNs: nsString,
        startMs: num,
        durationNs: nsString,
        durationMs: num,
        spanCount: int,
        errorCount: int,
        services: { type: 'array', items: ref('ServiceCount') },
        spans: { type: 'array', items: ref('Span') },
        logs: { type: 'array', items: ref('LogRecord') },
      }),
      LogRecord: obj({
        timeNs: nsString,
        timeMs: int,
        observedTimeNs: nsString,
        service: str,
        severityText: str,
        severityNumber: int,
        body: str,
        traceId: str,
        spanId: str,
        traceFlags: int,
        eventName: str,
        attributes: stringMap,
        resource: stringMap,
        scope: obj({ name: str, version: str, attributes: stringMap }),
      }),
    },
  },
} as const;

export const openApiRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/openapi.json', async () => openApiDocument);
};
