// The SQL of stored canary configs and judgements (tables in 0007_canary.sql), as named text.
// Values travel only as query parameters. Both tables are insert-only; the reads of configs
// are those of every versioned document (query/versioned-documents.ts).
import type { DocumentTable } from '../versioned-documents.ts';

export const CONFIGS: DocumentTable = { table: 'vigil_canary_configs', body: 'Config' };
export const JUDGEMENTS_TABLE = 'vigil_canary_judgements';

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
