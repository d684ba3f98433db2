// The metric rollup: a background task of the query service that stores the finished minute
// values of closed hours (vigil_metric_rollup, 0010_metric_rollup.sql), which graph queries
// then add up instead of recomputing rates per series (sql.ts, fetchMetricSql). Each run rolls
// what is due and records it; running it twice, or in two query processes at once, only writes
// a second version that readers pick one of (the latest), so it needs no lease.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { duration } from '../../schemas/settings.ts';
import { type Params, type RollupHour, rollupCandidatesSql, rollupInsertSql, rollupRecordSql } from './sql.ts';

export const metricRollupSettings = {
  metricRollupInterval: duration(
    'VIGIL_METRIC_ROLLUP_INTERVAL',
    '1m',
    'How often the query service rolls up closed hours of metric series into stored minute values (what graph queries read for them); 0s turns it off (queries compute every hour from the minute maps).',
  ),
  metricRollupGrace: duration(
    'VIGIL_METRIC_ROLLUP_GRACE',
    '5m',
    'An hour is rolled up once it ended this long ago and no point arrived for it for this long. A point arriving later makes the hour stale: queries compute it from the minute maps again until it is rolled up anew.',
  ),
};

/** Metric hours rolled up per statement: bounds one INSERT ... SELECT. */
const BATCH_HOURS = 24;

/** A roll's version: unix microseconds, the last digits random so two processes do not share one. */
function newVersion(): string {
  return (BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))).toString();
}

async function run(client: ClickHouseClient, statement: { query: string; params: Params }): Promise<void> {
  await client.command({ query: statement.query, query_params: statement.params });
}

/**
 * Rolls up every metric hour that is due (closed `graceMs` ago, quiet for `graceMs`, and not
 * rolled since its latest ingest). Returns how many metric hours it rolled.
 */
export async function rollUpMetricHours(client: ClickHouseClient, graceMs: number): Promise<number> {
  let rolled = 0;
  for (;;) {
    const statement = rollupCandidatesSql(Math.ceil(graceMs / 1000), BATCH_HOURS);
    const result = await client.query({ query: statement.query, query_params: statement.params, format: 'JSONEachRow' });
    const hours = (await result.json<{ name: string; hour: number | string; ingested: number | string }>()).map(
      (h): RollupHour => ({ name: h.name, hour: Number(h.hour), ingested: Number(h.ingested) }),
    );
    if (hours.length === 0) return rolled;
    const version = newVersion();
    // Rows first, then the record that makes readers use them.
    await run(client, rollupInsertSql(hours, version));
    await run(client, rollupRecordSql(hours, version));
    rolled += hours.length;
    if (hours.length < BATCH_HOURS) return rolled;
  }
}

export interface MetricRollup {
  stop(): Promise<void>;
}

/** Runs rollUpMetricHours every `metricRollupInterval` (not at all when it is 0). */
export function startMetricRollup(
  client: ClickHouseClient,
  settings: { metricRollupInterval: number; metricRollupGrace: number },
  log: Logger,
): MetricRollup {
  if (settings.metricRollupInterval === 0) return { stop: async () => {} };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = (): void => {
    running = (async () => {
      const started = performance.now();
      try {
        const hours = await rollUpMetricHours(client, settings.metricRollupGrace);
        if (hours > 0) log.info({ hours, ms: Math.round(performance.now() - started) }, 'metric hours rolled up');
      } catch (error) {
        // The next run tries again; until then queries compute those hours as before.
        log.warn({ err: error }, 'metric rollup failed');
      }
      if (!stopped) timer = setTimeout(tick, settings.metricRollupInterval).unref();
    })();
  };
  timer = setTimeout(tick, settings.metricRollupInterval).unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
