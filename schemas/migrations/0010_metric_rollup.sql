-- Finished minutes of closed hours (issue 5, query speed): a background task of the query
-- service (query/metrics/rollup.ts) writes, per series and closed hour, the hour's 60 minute
-- values as the series store computes them from vigil_metric_hours (0006_atlas.sql), so a
-- graph query adds stored values instead of recomputing rates from the minute maps.
-- docs/metrics.md describes the layout and when a rolled hour is used.
-- Placeholders ({{...}}) are filled by schemas/ddl.ts: see docs/storage.md.

-- Per metric and hour, the latest ingest time of its rows in vigil_metric_hours: a view on the
-- inserts into that table, so a counter point carried into the next hour (minute 59) marks
-- that hour changed too. A rolled hour whose ingest time is later than its roll is stale.
-- Hours stored before this migration have no row here: they are never rolled (unless new
-- points arrive for them) and queries compute them from vigil_metric_hours as before.
CREATE TABLE IF NOT EXISTS {{table:vigil_metric_hour_ingest}} {{on_cluster}}
(
    MetricName LowCardinality(String) CODEC(ZSTD(1)),
    Hour DateTime CODEC(Delta(4), ZSTD(1)),
    IngestTime SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{aggregating_engine:vigil_metric_hour_ingest}}
PARTITION BY toDate(Hour)
ORDER BY (MetricName, Hour)
TTL greatest(Hour, IngestTime) + toIntervalDay({{ttl_days:metrics}})
SETTINGS index_granularity = 1024, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_metric_hour_ingest {{on_cluster}} AS {{table:vigil_metric_hour_ingest}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_metric_hour_ingest}}', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS vigil_metric_hour_ingest_mv {{on_cluster}}
TO {{table:vigil_metric_hour_ingest}}
AS SELECT MetricName, Hour, max(IngestTime) AS IngestTime
FROM {{table:vigil_metric_hours}}
GROUP BY MetricName, Hour;

-- Per series and rolled hour: Values[m + 1] is minute m's value (a rate per second for counters
-- and delta sums, the last value for gauges), 0 where the minute has none; bit m of Present is
-- set when it has one. (Zeros and a bit mask rather than NaN: a plain sumForEach adds them.)
-- Version names the roll that wrote the row: a re-roll (late data) writes new rows with a higher
-- Version and readers take only the version vigil_metric_rollup_hours names, so this table
-- needs no FINAL; rows of older rolls stay until the partition expires.
CREATE TABLE IF NOT EXISTS {{table:vigil_metric_rollup}} {{on_cluster}}
(
    MetricName LowCardinality(String) CODEC(ZSTD(1)),
    Hour DateTime CODEC(Delta(4), ZSTD(1)),
    SeriesId UInt64 CODEC(ZSTD(1)),
    Values Array(Float64),
    Present UInt64 CODEC(ZSTD(1)),
    Version UInt64 CODEC(ZSTD(1)),
    IngestTime DateTime CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{engine:vigil_metric_rollup}}
PARTITION BY toDate(Hour)
ORDER BY (MetricName, Hour, SeriesId)
TTL greatest(Hour, IngestTime) + toIntervalDay({{ttl_days:metrics}})
SETTINGS index_granularity = 1024, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_metric_rollup {{on_cluster}} AS {{table:vigil_metric_rollup}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_metric_rollup}}', cityHash64(SeriesId));

-- One row per roll of a metric's hour: its Version and, as IngestTime, the hour's latest ingest
-- time (vigil_metric_hour_ingest) when it was rolled. The latest roll (max Version) is used
-- while no row of the hour was ingested after that time.
CREATE TABLE IF NOT EXISTS {{table:vigil_metric_rollup_hours}} {{on_cluster}}
(
    MetricName LowCardinality(String) CODEC(ZSTD(1)),
    Hour DateTime CODEC(Delta(4), ZSTD(1)),
    Version UInt64 CODEC(ZSTD(1)),
    IngestTime DateTime CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{engine:vigil_metric_rollup_hours}}
PARTITION BY toDate(Hour)
ORDER BY (MetricName, Hour, Version)
TTL greatest(Hour, IngestTime) + toIntervalDay({{ttl_days:metrics}})
SETTINGS index_granularity = 1024, ttl_only_drop_parts = 1;

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_metric_rollup_hours {{on_cluster}} AS {{table:vigil_metric_rollup_hours}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_metric_rollup_hours}}', rand());
