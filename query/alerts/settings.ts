// Settings of the alert engine (part of the query service's settings, docs/configuration.md).
import { duration, text } from '../../schemas/settings.ts';

export const alertSettings = {
  alertsTick: duration('VIGIL_ALERTS_TICK', '1s', 'How often the alert engine wakes up: renews its lease, evaluates the rules whose interval is due, sends and retries notifications.'),
  alertsLease: duration('VIGIL_ALERTS_LEASE', '60s', 'Evaluator lease: one query process evaluates the alert rules; another takes over when the holder has not renewed it for this long (a clean stop hands it over at once).'),
  alertsRetryBackoff: duration('VIGIL_ALERTS_RETRY_BACKOFF', '1s', 'Wait before retrying a failed webhook notification; doubles per failure up to VIGIL_ALERTS_RETRY_MAX.'),
  alertsRetryMax: duration('VIGIL_ALERTS_RETRY_MAX', '5m', 'Longest wait between retries of a failed webhook notification.'),
  alertsWebhookTimeout: duration('VIGIL_ALERTS_WEBHOOK_TIMEOUT', '10s', 'A webhook receiver that has not answered in this time counts as failed (and is retried). At most a quarter of VIGIL_ALERTS_LEASE (a send must end while the lease is held); longer is cut to that, with a warning at start.'),
  alertsExternalUrl: text('VIGIL_ALERTS_EXTERNAL_URL', '', "Vigil's URL as alert receivers reach it (payload externalURL and generatorURL); empty: the query service's own address."),
};
