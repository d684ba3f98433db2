// The SQL of alerting (tables in 0008_alerts.sql), as named text. Values travel only as query
// parameters. Rules, states and the lease are insert-only: the latest Version per key wins.

export const RULES_TABLE = 'vigil_alert_rules';
export const STATE_TABLE = 'vigil_alert_state';
export const HISTORY_TABLE = 'vigil_alert_history';
export const LEASE_TABLE = 'vigil_alert_lease';

const LATEST_RULES = `
SELECT
    Id AS id,
    min(Version) AS createdVersion,
    max(Version) AS version,
    argMax(Rule, Version) AS rule,
    argMax(Deleted, Version) AS deleted
FROM ${RULES_TABLE}`;

/** Every live rule, by name. */
export const LIST_RULES = `${LATEST_RULES}
GROUP BY Id
HAVING deleted = 0
ORDER BY argMax(Name, Version), id`;

/** One rule by {id:String}; no row when it never existed or is deleted. */
export const GET_RULE = `${LATEST_RULES}
WHERE Id = {id:String}
GROUP BY Id
HAVING deleted = 0`;

/** The latest state of every rule that has one. */
export const LATEST_STATES = `
SELECT RuleId AS ruleId, argMax(State, Version) AS state
FROM ${STATE_TABLE}
GROUP BY RuleId`;

/**
 * Transitions, newest first, in [{startMs:Int64}, {endMs:Int64}); {ruleId:String} '' for every
 * rule; at most {limit:UInt32}.
 */
export const HISTORY = `
SELECT
    toUnixTimestamp64Milli(At) AS at,
    RuleId AS ruleId,
    RuleName AS ruleName,
    Fingerprint AS fingerprint,
    Labels AS labels,
    FromState AS from,
    ToState AS to,
    Value AS value
FROM ${HISTORY_TABLE}
WHERE At >= fromUnixTimestamp64Milli({startMs:Int64}) AND At < fromUnixTimestamp64Milli({endMs:Int64})
  AND ({ruleId:String} = '' OR RuleId = {ruleId:String})
ORDER BY At DESC, RuleId, Fingerprint
LIMIT {limit:UInt32}`;

/**
 * The lease row named {name:String} with the highest Version, equal Versions ordered by Holder
 * so every reader picks the same row (none before the first claim).
 */
export const CURRENT_LEASE = `
SELECT argMax(Holder, (Version, Holder)) AS holder, toUnixTimestamp64Milli(argMax(ExpiresAt, (Version, Holder))) AS expiresAtMs
FROM ${LEASE_TABLE}
WHERE Name = {name:String}
HAVING count() > 0`;
