// Wires the alert engine of a query process onto the store: rules and states in ClickHouse,
// series through the stack-language evaluator, the lease, webhook sending.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SettingValues } from '../../schemas/settings.ts';
import type { Store } from '../../schemas/store.ts';
import { evaluate } from '../asl/evaluator.ts';
import { ClickHouseSeriesSource } from '../metrics/source.ts';
import { AlertEngine } from './engine.ts';
import { ClickHouseLease } from './lease.ts';
import { postWebhook } from './notifier.ts';
import type { alertSettings } from './settings.ts';
import { ClickHouseAlertStore } from './store.ts';

/** Starts evaluating alert rules (while this process holds the lease); stop it before closing the store. */
export function startAlertEngine(store: Store, settings: SettingValues<typeof alertSettings>, url: string, log: Logger): AlertEngine {
  const holder = randomUUID();
  const engine = new AlertEngine(
    {
      store: new ClickHouseAlertStore(store.read, store.write),
      source: new ClickHouseSeriesSource(store.read),
      evaluate,
      lease: new ClickHouseLease(store.read, store.write, holder, settings.alertsLease),
      send: postWebhook,
      log: log.child({ component: 'alerts', holder }),
    },
    {
      tickMs: settings.alertsTick,
      backoff: { initial: settings.alertsRetryBackoff, max: settings.alertsRetryMax },
      webhookTimeoutMs: settings.alertsWebhookTimeout,
      externalURL: settings.alertsExternalUrl === '' ? url : settings.alertsExternalUrl.replace(/\/+$/, ''),
    },
  );
  engine.start();
  return engine;
}
