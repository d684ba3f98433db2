// The SQL of alerting (tables in 0008_alerts.sql), as named text. Values travel only as query
// parameters. Rules, states and the lease are insert-only: the latest Version per key wins; the
// reads of rules are those of every versioned document (query/versioned-documents.ts).
import type { DocumentTable } from '../versioned-documents.ts';

export const RULES: DocumentTable = { table: 'vigil_alert_rules', body: 'Rule' };
export const STATE_TABLE = 'vigil_alert_state';
export const HISTORY_TABLE = 'vigil_alert_history';
export const LEASE_TABLE = 'vigil_alert_lease';

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
