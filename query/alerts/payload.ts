// Alertmanager's webhook payload, version 4: what receivers get, one payload per rule (the
// group) and receiver. Fingerprints are Alertmanager's (model.LabelSet.Fingerprint): FNV-1a 64
// over the label names in order, each name and value followed by the byte 0xff.
import type { Instance } from './evaluator.ts';
import { isFiring } from './evaluator.ts';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;
/** Go's zero time, what Alertmanager sends as endsAt of a firing alert. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

const encoder = new TextEncoder();

function fnv1a(hash: bigint, bytes: Uint8Array): bigint {
  let h = hash;
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK;
  return h;
}

export function fingerprint(labels: Readonly<Record<string, string>>): string {
  let h = FNV_OFFSET;
  const sep = Uint8Array.of(SEPARATOR);
  for (const name of Object.keys(labels).sort()) {
    h = fnv1a(fnv1a(h, encoder.encode(name)), sep);
    h = fnv1a(fnv1a(h, encoder.encode(labels[name]!)), sep);
  }
  return h.toString(16).padStart(16, '0');
}

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

/** The entries every map has with the same value. */
function common(maps: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  const [first, ...rest] = maps;
  if (first === undefined) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface PayloadContext {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly expr: string;
  readonly receiver: string;
  /** Vigil's query service URL as receivers reach it. */
  readonly externalURL: string;
}

/** The payload telling `receiver` about the rule's firing and newly resolved instances. */
export function webhookPayload(context: PayloadContext, instances: readonly Instance[]): WebhookPayload {
  const generatorURL = `${context.externalURL}/api/v1/graph?q=${encodeURIComponent(context.expr)}`;
  const alerts = instances.map((i): WebhookAlert => {
    const firing = isFiring(i);
    return {
      status: firing ? 'firing' : 'resolved',
      labels: { ...i.labels },
      annotations: { ...i.annotations },
      startsAt: iso(i.firedAt ?? i.activeAt),
      endsAt: firing || i.resolvedAt === undefined ? ZERO_TIME : iso(i.resolvedAt),
      generatorURL,
      fingerprint: i.fingerprint,
    };
  });
  return {
    version: '4',
    groupKey: `{}/{vigil_rule_id=${JSON.stringify(context.ruleId)}}:{alertname=${JSON.stringify(context.ruleName)}}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: context.receiver,
    groupLabels: { alertname: context.ruleName },
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: context.externalURL,
    alerts,
  };
}
