// OTLP attribute values become the String values of ClickHouse Map columns, the way
// the Collector's ClickHouse exporter writes them (pdata's Value.AsString): strings as
// they are, numbers as JavaScript/ES6 prints them, bytes as base64, arrays and key-value
// lists as JSON.
import type { AnyValue, KeyValue } from '../otlp/model.ts';

export type Entries = Array<readonly [string, string]>;

export function anyValueToString(value: AnyValue): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'object' && !(value instanceof Uint8Array)) return anyValueToJson(value);
  return scalarToJson(value, false);
}

function scalarToJson(value: boolean | number | bigint | Uint8Array, quoteBytes: boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return String(value);
  const b64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return quoteBytes ? JSON.stringify(b64) : b64;
}

function anyValueToJson(value: AnyValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(anyValueToJson).join(',')}]`;
  if (typeof value === 'object' && !(value instanceof Uint8Array)) {
    return `{${value.kvlist.map((kv) => `${JSON.stringify(kv.key)}:${anyValueToJson(kv.value)}`).join(',')}}`;
  }
  return scalarToJson(value, true);
}

/**
 * Map entries sorted by key: the same attribute set must always be the same Map
 * value (grouping, compression). A repeated key keeps its last value.
 */
export function attributeEntries(attributes: readonly KeyValue[]): Entries {
  if (attributes.length === 0) return [];
  const byKey = new Map<string, string>();
  for (const kv of attributes) byKey.set(kv.key, anyValueToString(kv.value));
  const entries = [...byKey];
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries;
}

/** service.name of a resource, '' when absent (as the exporter does). */
export function serviceName(entries: Entries): string {
  for (const [k, v] of entries) if (k === 'service.name') return v;
  return '';
}
