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
  const n = attributes.length;
  const entries: Array<readonly [string, string]> = new Array(n);
  for (let i = 0; i < n; i++) {
    const kv = attributes[i]!;
    entries[i] = [kv.key, anyValueToString(kv.value)];
  }
  // Attribute lists are short: a stable insertion sort beats Array#sort's set-up there.
  if (n > 32) entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  else {
    for (let i = 1; i < n; i++) {
      const e = entries[i]!;
      let j = i - 1;
      while (j >= 0 && entries[j]![0] > e[0]) {
        entries[j + 1] = entries[j]!;
        j--;
      }
      entries[j + 1] = e;
    }
  }
  // Equal keys are adjacent and in their original order: keep the last of each run.
  let w = 0;
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && entries[i + 1]![0] === entries[i]![0]) continue;
    entries[w++] = entries[i]!;
  }
  entries.length = w;
  return entries;
}

/** service.name of a resource, '' when absent (as the exporter does). */
export function serviceName(entries: Entries): string {
  for (const [k, v] of entries) if (k === 'service.name') return v;
  return '';
}
