-- Custom dashboards (query/dashboards/, docs/query-api.md), created and edited in the UI.
-- Insert-only like the canary configs and alert rules (query/versioned-documents.ts): a change
-- or deletion is a new row with a higher Version, readers take the latest row per Id (argMax).
-- Dashboards are user configuration, kept without TTL. Placeholders ({{...}}) are filled by
-- schemas/ddl.ts.

-- One dashboard per Id: its title in Name, the validated dashboard (title, variables, panels)
-- as JSON in Dashboard.
CREATE TABLE IF NOT EXISTS {{table:vigil_dashboards}} {{on_cluster}}
(
    Id String CODEC(ZSTD(1)),
    -- Unix microseconds of the change, strictly increasing per writer: the latest row wins.
    Version UInt64 CODEC(Delta(8), ZSTD(1)),
    Name String CODEC(ZSTD(1)),
    Dashboard String CODEC(ZSTD(3)),
    Deleted UInt8 CODEC(ZSTD(1))
)
ENGINE = {{engine:vigil_dashboards}}
ORDER BY (Id, Version);

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_dashboards {{on_cluster}} AS {{table:vigil_dashboards}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_dashboards}}', cityHash64(Id));
