// Versioned schema migrations. Each schemas/migrations/NNNN_name.sql runs once, in order, and
// is recorded in vigil_schema_migrations; re-running applies only what is missing. Every
// statement is IF NOT EXISTS, so a start-up that crashed halfway simply runs the file again.
// Afterwards the tables' TTLs are brought in line with the configured retention.
// Several processes may start at once against one server (scale-out) and then both apply a
// file: every migration must therefore be idempotent (IF NOT EXISTS, no data rewrites).

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { mergeTreeEngine, modifyTtlStatement, onCluster, renderMigration, ttlClause, ttlClauses, type DdlTarget } from './ddl.ts';

export const MIGRATIONS_TABLE = 'vigil_schema_migrations';

export interface Migration {
  version: number;
  /** The file name, e.g. 0001_traces.sql. */
  name: string;
  sql: string;
  /** sha256 of the file: an applied migration must never change (add a new one instead). */
  checksum: string;
}

export interface MigrateOptions extends DdlTarget {
  log?: Logger | undefined;
  /** Defaults to the files in schemas/migrations. */
  migrations?: readonly Migration[] | undefined;
}

export interface MigrateResult {
  /** File names applied by this run. */
  applied: string[];
  /** Physical tables whose TTL this run changed. */
  retentionChanged: string[];
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .map((name) => {
      const version = FILE_NAME.exec(name)?.[1];
      if (version === undefined) throw new Error(`migration file ${name} must be named NNNN_lowercase_name.sql`);
      const sql = readFileSync(new URL(name, dir), 'utf8');
      return { version: Number(version), name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]!.version === m.version) throw new Error(`two migrations share version ${m.version}`);
  });
  return migrations;
}

function ledgerDdl(target: DdlTarget): string {
  const cluster = onCluster(target);
  return `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}${cluster === '' ? '' : ` ${cluster}`}
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3) DEFAULT now64(3)
)
ENGINE = ${mergeTreeEngine(MIGRATIONS_TABLE, target)}
ORDER BY version`;
}

async function appliedMigrations(client: ClickHouseClient): Promise<Map<number, { name: string; checksum: string }>> {
  // Two instances starting together may both record a version: any row of it will do.
  const result = await client.query({
    query: `SELECT version, any(name) AS name, any(checksum) AS checksum FROM ${MIGRATIONS_TABLE} GROUP BY version`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ version: number; name: string; checksum: string }>();
  return new Map(rows.map((row) => [Number(row.version), row]));
}

export async function migrate(client: ClickHouseClient, options: MigrateOptions): Promise<MigrateResult> {
  const migrations = options.migrations ?? loadMigrations();
  await client.command({ query: ledgerDdl(options) });
  const done = await appliedMigrations(client);
  const applied: string[] = [];
  for (const migration of migrations) {
    const recorded = done.get(migration.version);
    if (recorded !== undefined) {
      if (recorded.checksum !== migration.checksum) {
        throw new Error(
          `migration ${migration.name} was changed after it was applied (as ${recorded.name}); ` +
            'applied migrations are immutable: revert the file and add a new migration instead',
        );
      }
      continue;
    }
    for (const statement of renderMigration(migration.sql, options)) await client.command({ query: statement });
    await client.insert({
      table: MIGRATIONS_TABLE,
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
      format: 'JSONEachRow',
    });
    options.log?.info({ migration: migration.name }, 'schema migration applied');
    applied.push(migration.name);
  }
  const retentionChanged = await reconcileRetention(client, migrations, options);
  return { applied, retentionChanged };
}

/** Alters the TTL of every table whose TTL differs from what the configured retention renders. */
async function reconcileRetention(client: ClickHouseClient, migrations: readonly Migration[], options: MigrateOptions): Promise<string[]> {
  // The latest file that creates a table defines its TTL expression.
  const wanted = new Map<string, string>();
  for (const migration of migrations) for (const [table, ttl] of ttlClauses(migration.sql, options)) wanted.set(table, ttl);
  if (wanted.size === 0) return [];

  const result = await client.query({
    query: 'SELECT name, engine_full FROM system.tables WHERE database = {database:String} AND name IN {names:Array(String)}',
    query_params: { database: options.database, names: [...wanted.keys()] },
    format: 'JSONEachRow',
  });
  const changed: string[] = [];
  for (const { name, engine_full } of await result.json<{ name: string; engine_full: string }>()) {
    const ttl = wanted.get(name)!;
    const current = ttlClause(engine_full);
    if (current === ttl) continue;
    // Existing parts keep the TTL they were written with until merged: rewriting every part
    // of a large table at start-up would stall the server.
    await client.command({ query: modifyTtlStatement(name, ttl, options), clickhouse_settings: { materialize_ttl_after_modify: 0 } });
    options.log?.info({ table: name, from: current, to: ttl }, 'retention changed');
    changed.push(name);
  }
  return changed;
}
