// Every table ingest writes, with the factory of its column block.
import { logsBlock } from './rows/logs.ts';
import { metricTables } from './rows/metrics.ts';
import { tracesBlock } from './rows/traces.ts';

export const tables = {
  otel_traces: tracesBlock,
  otel_logs: logsBlock,
  ...metricTables,
};

export type TableName = keyof typeof tables;
export type Blocks = { [T in TableName]: ReturnType<(typeof tables)[T]> };
export const tableNames = Object.keys(tables) as TableName[];
