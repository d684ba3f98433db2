-- Canary analysis (query/canary/, docs/canary.md): stored canary configs and judgements.
-- Both tables only ever receive inserts: a config change or deletion is a new row with a
-- higher Version, readers take the latest row per Id (argMax), so there are no mutations and
-- the history of a config stays readable. Placeholders ({{...}}) are filled by schemas/ddl.ts.

-- Canary configs, Kayenta's JSON shape in Config (validated before it is stored).
CREATE TABLE IF NOT EXISTS {{table:vigil_canary_configs}} {{on_cluster}}
(
    Id String CODEC(ZSTD(1)),
    -- Unix microseconds of the change, strictly increasing per writer: the latest row wins.
    Version UInt64 CODEC(Delta(8), ZSTD(1)),
    Name String CODEC(ZSTD(1)),
    Config String CODEC(ZSTD(3)),
    Deleted UInt8 CODEC(ZSTD(1))
)
ENGINE = {{engine:vigil_canary_configs}}
ORDER BY (Id, Version);

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_canary_configs {{on_cluster}} AS {{table:vigil_canary_configs}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_canary_configs}}', cityHash64(Id));

-- Judgements: the summary columns for listing, the whole judgement (result, config, request,
-- metric set pairs) as JSON in Judgement.
CREATE TABLE IF NOT EXISTS {{table:vigil_canary_judgements}} {{on_cluster}}
(
    Id String CODEC(ZSTD(1)),
    CreatedAt DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    ConfigId String CODEC(ZSTD(1)),
    ConfigName String CODEC(ZSTD(1)),
    Score Float64 CODEC(ZSTD(1)),
    Classification LowCardinality(String) CODEC(ZSTD(1)),
    Judgement String CODEC(ZSTD(3)),
    INDEX idx_id Id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = {{engine:vigil_canary_judgements}}
ORDER BY (CreatedAt, Id);

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_canary_judgements {{on_cluster}} AS {{table:vigil_canary_judgements}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_canary_judgements}}', cityHash64(Id));
