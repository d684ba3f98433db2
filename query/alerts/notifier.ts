// Webhook notifications: which receiver is owed a payload (pure), the bookkeeping after a
// delivery or a failure (pure), and the POST itself. What was delivered lives in the rule's
// state (Instance.sent), which the engine persists, so a restart does not notify again.
import type { Instance, RuleState } from './evaluator.ts';
import { isFiring, prune } from './evaluator.ts';
import type { AlertRule, Receiver } from './rules.ts';

export interface Delivery {
  readonly receiver: Receiver;
  /** Every firing instance of the rule, and the resolved ones the receiver was told were firing. */
  readonly instances: readonly Instance[];
}

export interface Backoff {
  /** Delay before the first retry; doubles per failure. */
  readonly initial: number;
  readonly max: number;
}

/** Whether the receiver must hear about the instance now (new, resolved, or due a repeat). */
function owed(rule: AlertRule, receiver: string, instance: Instance, now: number): boolean {
  const sent = instance.sent[receiver];
  if (isFiring(instance)) return sent?.state !== 'firing' || now - sent.at >= rule.repeatInterval;
  return instance.state === 'resolved' && sent?.state === 'firing';
}

/**
 * The payloads to send at `now`, one per receiver (the rule is the group): a receiver is sent
 * the whole group when it is owed anything and is not waiting for a retry.
 */
export function dueDeliveries(rule: AlertRule, state: RuleState, now: number): Delivery[] {
  const instances = Object.values(state.instances);
  return rule.receivers.flatMap((receiver) => {
    const retry = state.retry[receiver.name];
    if (retry !== undefined && now < retry.nextAt) return [];
    if (!instances.some((i) => owed(rule, receiver.name, i, now))) return [];
    const group = instances.filter((i) => isFiring(i) || (i.state === 'resolved' && i.sent[receiver.name]?.state === 'firing'));
    return [{ receiver, instances: group }];
  });
}

/** The state after `receiver` accepted the payload of `instances` at `now`. */
export function markDelivered(rule: AlertRule, state: RuleState, receiver: string, instances: readonly Instance[], now: number): RuleState {
  const next = { ...state.instances };
  for (const i of instances) {
    const current = next[i.fingerprint];
    if (current === undefined) continue;
    next[i.fingerprint] = { ...current, sent: { ...current.sent, [receiver]: { state: isFiring(i) ? 'firing' : 'resolved', at: now } } };
  }
  const { [receiver]: _done, ...retry } = state.retry;
  return prune(rule, { instances: next, retry });
}

/** The state after a failed delivery: the next attempt waits initial * 2^(failures-1), at most max. */
export function markFailed(state: RuleState, receiver: string, now: number, backoff: Backoff): RuleState {
  const attempts = (state.retry[receiver]?.attempts ?? 0) + 1;
  const delay = Math.min(backoff.initial * 2 ** (attempts - 1), backoff.max);
  return { instances: state.instances, retry: { ...state.retry, [receiver]: { attempts, nextAt: now + delay } } };
}

/** POSTs the payload as JSON; anything but a 2xx answer (or no answer in time, or `abort`) is a failure. */
export async function postWebhook(url: string, payload: unknown, timeoutMs: number, abort: AbortSignal): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), abort]),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`webhook ${url} answered ${response.status}`);
}
