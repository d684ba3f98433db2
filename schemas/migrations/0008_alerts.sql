-- Alerting (query/alerts/, docs/alerts.md): rules, evaluator state, transition history and the
-- evaluator lease. Every table only receives inserts: readers take the latest row per key
-- (argMax by Version), so there are no mutations. Alert tables are user configuration and
-- its consequences, kept without TTL. Placeholders ({{...}}) are filled by schemas/ddl.ts.

-- Alert rules (validated JSON in Rule); a change or deletion is a new row with a higher Version.
CREATE TABLE IF NOT EXISTS {{table:vigil_alert_rules}} {{on_cluster}}
(
    Id String CODEC(ZSTD(1)),
    -- Unix microseconds of the change, strictly increasing per writer: the latest row wins.
    Version UInt64 CODEC(Delta(8), ZSTD(1)),
    Name String CODEC(ZSTD(1)),
    Rule String CODEC(ZSTD(3)),
    Deleted UInt8 CODEC(ZSTD(1))
)
ENGINE = {{engine:vigil_alert_rules}}
ORDER BY (Id, Version);

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_alert_rules {{on_cluster}} AS {{table:vigil_alert_rules}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_alert_rules}}', cityHash64(Id));

-- The evaluator's state of one rule (its alert instances, `for` timers, what was notified),
-- written when it changes. The latest Version per RuleId is the state a new evaluator resumes.
CREATE TABLE IF NOT EXISTS {{table:vigil_alert_state}} {{on_cluster}}
(
    RuleId String CODEC(ZSTD(1)),
    Version UInt64 CODEC(Delta(8), ZSTD(1)),
    State String CODEC(ZSTD(3))
)
ENGINE = {{engine:vigil_alert_state}}
ORDER BY (RuleId, Version);

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_alert_state {{on_cluster}} AS {{table:vigil_alert_state}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_alert_state}}', cityHash64(RuleId));

-- Every state transition of an alert instance.
CREATE TABLE IF NOT EXISTS {{table:vigil_alert_history}} {{on_cluster}}
(
    At DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    RuleId String CODEC(ZSTD(1)),
    RuleName String CODEC(ZSTD(1)),
    Fingerprint String CODEC(ZSTD(1)),
    Labels Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    FromState LowCardinality(String) CODEC(ZSTD(1)),
    ToState LowCardinality(String) CODEC(ZSTD(1)),
    Value Float64 CODEC(ZSTD(1))
)
ENGINE = {{engine:vigil_alert_history}}
ORDER BY (At, RuleId, Fingerprint);

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_alert_history {{on_cluster}} AS {{table:vigil_alert_history}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_alert_history}}', cityHash64(RuleId));

-- The evaluator lease: which query process evaluates the rules, until when. The latest
-- Version wins; a process holds the lease when that row names it and has not expired.
CREATE TABLE IF NOT EXISTS {{table:vigil_alert_lease}} {{on_cluster}}
(
    Name String CODEC(ZSTD(1)),
    Version UInt64 CODEC(Delta(8), ZSTD(1)),
    Holder String CODEC(ZSTD(1)),
    ExpiresAt DateTime64(3) CODEC(Delta(8), ZSTD(1))
)
ENGINE = {{engine:vigil_alert_lease}}
ORDER BY (Name, Version);

-- vigil:cluster-only
CREATE TABLE IF NOT EXISTS vigil_alert_lease {{on_cluster}} AS {{table:vigil_alert_lease}}
ENGINE = Distributed('{{cluster}}', '{{database}}', '{{table:vigil_alert_lease}}', cityHash64(Name));
