// Renders the migration files (schemas/migrations/*.sql) for a deployment mode. The files are
// the reviewed SQL; this module only fills their {{placeholders}}, and only ever with validated
// identifiers and integers, never with free text.
//
// Placeholders:
//   {{table:X}}      the table that stores X's rows: X on a single node, X_local on a cluster
//   {{engine:X}}     MergeTree, or ReplicatedMergeTree with X_local's Keeper path
//   {{aggregating_engine:X}}  AggregatingMergeTree, or ReplicatedAggregatingMergeTree likewise
//   {{on_cluster}}   nothing, or ON CLUSTER '<cluster>'
//   {{cluster}}      the cluster name (only in cluster-only statements)
//   {{database}}     the database name
//   {{ttl_days:C}}   retention in days for C = traces | logs | metrics
// A statement whose comments contain `vigil:cluster-only` (the Distributed tables) is left out
// on a single node.

export interface Retention {
  tracesDays: number;
  logsDays: number;
  metricsDays: number;
}

export interface DdlTarget {
  database: string;
  /** The cluster name from the servers' remote_servers; unset for a single node. */
  cluster?: string | undefined;
  retention: Retention;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Nested columns are addressed as `Parent.child`.
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const CLUSTER_ONLY = /^\s*--.*\bvigil:cluster-only\b/m;
const PLACEHOLDER = /( ?)\{\{(\w+)(?::(\w+))?\}\}/g;

/** Returns `name` if it is a plain SQL identifier, else throws naming `what` it was meant to be. */
export function assertIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`${what} must be an identifier (letters, digits and _, not starting with a digit), got ${JSON.stringify(name)}`);
  }
  return name;
}

export function quoteIdentifier(name: string, what = 'table name'): string {
  return `\`${assertIdentifier(name, what)}\``;
}

/** A column name, `Events.Timestamp` style Nested sub-columns included, backquoted. */
export function quoteColumn(name: string): string {
  if (!COLUMN.test(name)) throw new Error(`column name must be an identifier or Parent.child, got ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The table that physically holds `table`'s rows (the Distributed table takes the plain name). */
export function storageTable(table: string, target: DdlTarget): string {
  assertIdentifier(table, 'table name');
  return target.cluster === undefined ? table : `${table}_local`;
}

export function onCluster(target: DdlTarget): string {
  return target.cluster === undefined ? '' : `ON CLUSTER '${assertIdentifier(target.cluster, 'CLICKHOUSE_CLUSTER')}'`;
}

/** The MergeTree variants the migrations use: plain rows, or aggregate states merged by key. */
export type MergeTreeFamily = '' | 'Aggregating';

/**
 * The engine for a physical table; {shard}, {database} and {replica} are the servers' macros.
 * `family` 'Aggregating' gives (Replicated)AggregatingMergeTree.
 */
export function mergeTreeEngine(physicalTable: string, target: DdlTarget, family: MergeTreeFamily = ''): string {
  assertIdentifier(physicalTable, 'table name');
  if (target.cluster === undefined) return `${family}MergeTree`;
  return `Replicated${family}MergeTree('/clickhouse/tables/{shard}/{database}/${physicalTable}', '{replica}')`;
}

const RETENTION_FIELDS = new Map<string, keyof Retention>([
  ['traces', 'tracesDays'],
  ['logs', 'logsDays'],
  ['metrics', 'metricsDays'],
]);

function retentionDays(retention: Retention, kind: string | undefined): string {
  const field = RETENTION_FIELDS.get(kind ?? '');
  if (field === undefined) throw new Error(`unknown retention class {{ttl_days:${kind ?? ''}}}`);
  const days = retention[field];
  if (!Number.isSafeInteger(days) || days <= 0) throw new Error(`retention for ${kind} must be a positive whole number of days, got ${days}`);
  return String(days);
}

function fill(name: string, arg: string | undefined, target: DdlTarget): string {
  const needArg = (): string => {
    if (arg === undefined) throw new Error(`placeholder {{${name}}} needs a table name: {{${name}:table}}`);
    return arg;
  };
  switch (name) {
    case 'table':
      return storageTable(needArg(), target);
    case 'engine':
      return mergeTreeEngine(storageTable(needArg(), target), target);
    case 'aggregating_engine':
      return mergeTreeEngine(storageTable(needArg(), target), target, 'Aggregating');
    case 'on_cluster':
      return onCluster(target);
    case 'cluster':
      if (target.cluster === undefined) throw new Error('{{cluster}} is only allowed in vigil:cluster-only statements');
      return assertIdentifier(target.cluster, 'CLICKHOUSE_CLUSTER');
    case 'database':
      return assertIdentifier(target.database, 'CLICKHOUSE_DATABASE');
    case 'ttl_days':
      return retentionDays(target.retention, arg);
    default:
      throw new Error(`unknown placeholder {{${name}}}`);
  }
}

/**
 * Splits a SQL file at the semicolons that end statements, ignoring those inside quotes and
 * comments. Each statement keeps the comments in front of it; comment-only pieces are dropped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number): void => {
    const piece = sql.slice(start, end).trim();
    if (stripComments(piece) !== '') statements.push(piece);
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      i++;
      while (i < sql.length && sql[i] !== ch) i += sql[i] === '\\' ? 2 : 1;
      i++;
    } else if (sql.startsWith('--', i)) {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (ch === ';') {
      push(i);
      start = ++i;
    } else {
      i++;
    }
  }
  push(sql.length);
  return statements;
}

/** Drops whole-line `--` comments (the files put comments on their own lines). */
function stripComments(statement: string): string {
  return statement
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .trim();
}

/** The statements of one migration file, ready to run in order for `target`. */
export function renderMigration(sql: string, target: DdlTarget): string[] {
  if (target.cluster !== undefined) assertIdentifier(target.cluster, 'CLICKHOUSE_CLUSTER');
  return splitStatements(sql)
    .filter((statement) => target.cluster !== undefined || !CLUSTER_ONLY.test(statement))
    .map((statement) =>
      stripComments(statement).replace(PLACEHOLDER, (_match, space: string, name: string, arg: string | undefined) => {
        const value = fill(name, arg, target);
        return value === '' ? '' : space + value;
      }),
    );
}

/** The TTL expression of a CREATE TABLE statement or of system.tables.engine_full, spaces normalised. */
export function ttlClause(sql: string): string | undefined {
  const match = /\bTTL\s+([\s\S]+?)(?:\s+SETTINGS\b|$)/.exec(sql);
  return match?.[1]?.replace(/\s+/g, ' ').trim();
}

/** Physical table -> the TTL expression the migration file wants for it with `target`'s retention. */
export function ttlClauses(sql: string, target: DdlTarget): Map<string, string> {
  const clauses = new Map<string, string>();
  for (const statement of renderMigration(sql, target)) {
    const table = /^CREATE TABLE IF NOT EXISTS (\w+)/.exec(statement)?.[1];
    const ttl = ttlClause(statement);
    if (table !== undefined && ttl !== undefined) clauses.set(table, ttl);
  }
  return clauses;
}

export function modifyTtlStatement(physicalTable: string, ttl: string, target: DdlTarget): string {
  const cluster = onCluster(target);
  return `ALTER TABLE ${quoteIdentifier(physicalTable)}${cluster === '' ? '' : ` ${cluster}`} MODIFY TTL ${ttl}`;
}
