// The SQL of stored canary configs and judgements (tables in 0007_canary.sql), as named text.
// Values travel only as query parameters. Both tables are insert-only: the latest Version of
// a config Id is its state, a Deleted latest row means it is gone.

export const CONFIGS_TABLE = 'vigil_canary_configs';
export const JUDGEMENTS_TABLE = 'vigil_canary_judgements';

const LATEST_CONFIGS = `
SELECT
    Id AS id,
    argMax(Name, Version) AS name,
    min(Version) AS createdVersion,
    max(Version) AS version,
    argMax(Deleted, Version) AS deleted`;

/** Every live config, by name: summaries without the config body. */
export const LIST_CONFIGS = `${LATEST_CONFIGS}
FROM ${CONFIGS_TABLE}
GROUP BY Id
HAVING deleted = 0
ORDER BY name, id`;

/** One config by {id:String} with its body; no row when it never existed or is deleted. */
export const GET_CONFIG = `${LATEST_CONFIGS},
    argMax(Config, Version) AS config
FROM ${CONFIGS_TABLE}
WHERE Id = {id:String}
GROUP BY Id
HAVING deleted = 0`;

const JUDGEMENT_SUMMARY = `
SELECT
    Id AS id,
    toUnixTimestamp64Milli(CreatedAt) AS createdAtMs,
    ConfigId AS configId,
    ConfigName AS configName,
    Score AS score,
    Classification AS classification
FROM ${JUDGEMENTS_TABLE}`;

/**
 * Judgement summaries, newest first ({limit:UInt32}); {configId:String} '' for all configs;
 * {hasCursor:UInt8} 1 resumes strictly after ({afterMs:Int64}, {afterId:String}).
 */
export const LIST_JUDGEMENTS = `${JUDGEMENT_SUMMARY}
WHERE ({configId:String} = '' OR ConfigId = {configId:String})
  AND ({hasCursor:UInt8} = 0 OR (CreatedAt, Id) < (fromUnixTimestamp64Milli({afterMs:Int64}), {afterId:String}))
ORDER BY CreatedAt DESC, Id DESC
LIMIT {limit:UInt32}`;

/** The whole stored judgement (JSON) by {id:String}. */
export const GET_JUDGEMENT = `
SELECT Judgement AS judgement
FROM ${JUDGEMENTS_TABLE}
WHERE Id = {id:String}
LIMIT 1`;
