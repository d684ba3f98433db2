// Atlas's publish API: `{"tags": {common}, "metrics": [{"tags": {"name": ..}, "timestamp": ms,
// "value": n}]}`. Each datapoint is validated with Atlas's rules; the valid ones are stored as
// OpenTelemetry gauge points (otel_metrics_gauge): `name` -> MetricName, `service.name` ->
// ServiceName and the resource attribute, every other tag -> Attributes. The answer is
// Atlas's: 200 all stored, 202 partial with the first five reasons, 400 nothing valid.
import type { ClickHouseClient } from '@clickhouse/client';
import { retryableError, vigilError } from '../../schemas/errors.ts';

export const KEY_LENGTH = { min: 2, max: 60 } as const;
export const NAME_LENGTH = { min: 2, max: 255 } as const;
export const VALUE_LENGTH = { min: 1, max: 120 } as const;
export const MAX_USER_TAGS = 20;
/** Datapoints older (or further in the future) than this are refused: one step, as Atlas. */
export const MAX_AGE_MS = 60_000;
/** The `atlas.` keys Atlas lets clients set; any other key with the prefix is refused. */
const ATLAS_KEYS = new Set(['atlas.dstype', 'atlas.aggr', 'atlas.offset', 'atlas.legacy']);
const VALID = /^[-._A-Za-z0-9^~]*$/;
const REPORTED_FAILURES = 5;
const RETRY_AFTER_SECONDS = 5;

/** One row of otel_metrics_gauge, as JSONEachRow takes it. */
export interface GaugeRow {
  ServiceName: string;
  MetricName: string;
  Attributes: Record<string, string>;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  StartTimeUnix: number;
  /** unix nanoseconds, decimal */
  TimeUnix: string;
  Value: number;
}

export const PUBLISH_SCOPE = 'vigil.atlas.publish';

/** Atlas counts every key outside its reserved prefixes (name included) as a user tag. */
function isUserTag(key: string): boolean {
  return !key.startsWith('atlas.') && !key.startsWith('nf.');
}

/** The first rule the tags break, or undefined. Rules in Atlas's order. */
export function tagFailure(tags: Readonly<Record<string, string>>): string | undefined {
  const name = tags.name;
  if (name === undefined) return "missing key 'name'";
  let userTags = 0;
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < KEY_LENGTH.min) return `key too short: ${JSON.stringify(key)} (${key.length} < ${KEY_LENGTH.min})`;
    if (key.length > KEY_LENGTH.max) return `key too long: ${JSON.stringify(key)} (${key.length} > ${KEY_LENGTH.max})`;
    const limits = key === 'name' ? NAME_LENGTH : VALUE_LENGTH;
    if (value.length < limits.min) return `value too short: ${key} = ${JSON.stringify(value)} (${value.length} < ${limits.min})`;
    if (value.length > limits.max) return `value too long: ${key} = ${JSON.stringify(value)} (${value.length} > ${limits.max})`;
    if (!VALID.test(key)) return `invalid characters in key ${JSON.stringify(key)}: only -._A-Za-z0-9^~ are allowed`;
    if (!VALID.test(value)) return `invalid characters in value: ${key} = ${JSON.stringify(value)}: only -._A-Za-z0-9^~ are allowed`;
    if (key.startsWith('atlas.') && !ATLAS_KEYS.has(key)) return `invalid key for reserved prefix 'atlas.': ${key}`;
    if (isUserTag(key)) userTags += 1;
  }
  if (userTags > MAX_USER_TAGS) return `too many user tags: ${userTags} > ${MAX_USER_TAGS}`;
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** String-valued tags, or a reason they are not. */
function readTags(raw: unknown, where: string): Record<string, string> | string {
  if (raw === undefined) return {};
  if (!isObject(raw)) return `${where} is not an object of strings`;
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') return `${where}.${key} is not a string`;
    tags[key] = value;
  }
  return tags;
}

export interface PublishCheck {
  rows: GaugeRow[];
  /** One reason per refused datapoint, `reason (tags={...})` as Atlas writes them. */
  failures: string[];
}

function gaugeRow(tags: Readonly<Record<string, string>>, timestamp: number, value: number): GaugeRow {
  const { name, 'service.name': service, ...attributes } = tags;
  return {
    ServiceName: service ?? '',
    MetricName: name!,
    Attributes: attributes,
    ResourceAttributes: service === undefined ? {} : { 'service.name': service },
    ScopeName: PUBLISH_SCOPE,
    StartTimeUnix: 0,
    TimeUnix: `${BigInt(timestamp) * 1_000_000n}`,
    Value: value,
  };
}

/**
 * Splits the payload into storable rows and refused datapoints. A payload that is not Atlas's
 * shape, or has no datapoints, is a 400 as a whole.
 */
export function checkPublish(body: unknown, now: number, maxAge = MAX_AGE_MS): PublishCheck {
  if (!isObject(body)) throw vigilError('VIGIL_ERR_BAD_PUBLISH', 'the body must be a JSON object {"tags": {...}, "metrics": [...]}');
  const common = readTags(body.tags, 'tags');
  if (typeof common === 'string') throw vigilError('VIGIL_ERR_BAD_PUBLISH', common);
  if (!Array.isArray(body.metrics)) throw vigilError('VIGIL_ERR_BAD_PUBLISH', 'metrics must be an array of {"tags", "timestamp", "value"}');
  if (body.metrics.length === 0) throw vigilError('VIGIL_ERR_BAD_PUBLISH', 'empty payload: metrics has no datapoints');
  const check: PublishCheck = { rows: [], failures: [] };
  body.metrics.forEach((point: unknown, i) => {
    if (!isObject(point)) {
      check.failures.push(`metrics[${i}] is not an object`);
      return;
    }
    const own = readTags(point.tags, `metrics[${i}].tags`);
    const tags = typeof own === 'string' ? common : { ...common, ...own };
    const { timestamp, value } = point;
    let reason: string | undefined;
    if (typeof own === 'string') reason = own;
    else if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) reason = 'timestamp must be unix milliseconds';
    else if (typeof value !== 'number') reason = 'value must be a number';
    else if (now - timestamp > maxAge) reason = `data is too old: now = ${now}, timestamp = ${timestamp}, ${now - timestamp} > ${maxAge}`;
    else if (timestamp - now > maxAge) reason = `data is from the future: now = ${now}, timestamp = ${timestamp}`;
    else reason = tagFailure(tags);
    if (reason === undefined) check.rows.push(gaugeRow(tags, timestamp as number, value as number));
    else check.failures.push(`${reason} (tags=${JSON.stringify(tags)})`);
  });
  return check;
}

export type PublishAnswer = { status: 200 } | { status: 202; body: { type: 'partial'; errorCount: number; message: string[] } };

/** 200 / 202 for a check with stored rows; a 400 when nothing was valid. */
export function publishAnswer(check: PublishCheck): PublishAnswer {
  const reported = check.failures.slice(0, REPORTED_FAILURES);
  if (check.rows.length === 0) {
    throw vigilError('VIGIL_ERR_BAD_PUBLISH', `all ${check.failures.length} datapoints are invalid; first ${reported.length}: ${reported.join('; ')}`);
  }
  if (check.failures.length === 0) return { status: 200 };
  return { status: 202, body: { type: 'partial', errorCount: check.failures.length, message: reported } };
}

/** One insert of the rows; resolves once ClickHouse has them (a 200 means stored). */
export async function writeGauges(client: ClickHouseClient, rows: readonly GaugeRow[]): Promise<void> {
  try {
    await client.insert({ table: 'otel_metrics_gauge', format: 'JSONEachRow', values: rows as GaugeRow[] });
  } catch (error) {
    // Nothing of the request is acknowledged: the client retries, as for OTLP.
    throw retryableError('VIGIL_ERR_STORE_UNAVAILABLE', RETRY_AFTER_SECONDS, (error as Error).message);
  }
}
