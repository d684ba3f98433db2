// Insert-only, versioned JSON documents in ClickHouse: canary configs, alert rules, dashboards.
// A change or a deletion is a new row with a higher Version; the latest row of an Id is the
// document's state (argMax), a Deleted latest row means it is gone. No mutations, and the
// history of a document stays readable. Each such table has the columns Id String,
// Version UInt64 (unix microseconds), Name String, a body String (JSON) and Deleted UInt8
// (migrations 0007, 0008, 0009).
import type { ClickHouseClient } from '@clickhouse/client';

/** Where documents of one kind live: Vigil's own table and body column names, never user input. */
export interface DocumentTable {
  readonly table: string;
  readonly body: string;
}

export interface StoredDocument {
  readonly id: string;
  readonly name: string;
  /** The document as it was given to `put` (through JSON). */
  readonly body: unknown;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** Unix microseconds, strictly increasing in this process, so quick successive writes keep their order. */
export class VersionClock {
  private last = 0;

  next(nowMs = Date.now()): number {
    this.last = Math.max(nowMs * 1000, this.last + 1);
    return this.last;
  }
}

/** The rows of a read query with {name:Type} parameters. */
export async function selectRows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

/** The two reads of a document table: every live document by name, and one by {id:String}. */
export function documentSql({ table, body }: DocumentTable): { list: string; get: string } {
  const latest = `
SELECT
    Id AS id,
    argMax(Name, Version) AS name,
    min(Version) AS createdVersion,
    max(Version) AS version,
    argMax(${body}, Version) AS body,
    argMax(Deleted, Version) AS deleted
FROM ${table}`;
  return {
    list: `${latest}
GROUP BY Id
HAVING deleted = 0
ORDER BY name, id`,
    get: `${latest}
WHERE Id = {id:String}
GROUP BY Id
HAVING deleted = 0`,
  };
}

interface DocumentRow {
  id: string;
  name: string;
  createdVersion: string;
  version: string;
  body: string;
}

const stored = (row: DocumentRow): StoredDocument => ({
  id: row.id,
  name: row.name,
  body: JSON.parse(row.body),
  createdAtMs: Math.floor(Number(row.createdVersion) / 1000),
  updatedAtMs: Math.floor(Number(row.version) / 1000),
});

/**
 * The documents of one table.
 *
 * Contract: failures reject with the client's error. Returned objects belong to the caller. A
 * write is visible to the next read once it resolves (on one server; replicas may lag).
 * - put writes a new version of document `id` (a deletion when `body` is null).
 * - get: undefined when the id is unknown or the document deleted.
 * - list: every live document, by name then id.
 */
export class VersionedDocuments {
  private readonly clock = new VersionClock();
  private readonly sql: { list: string; get: string };

  /** `read` for queries, `write` for inserts (they may be the same client). */
  constructor(
    private readonly read: ClickHouseClient,
    private readonly write: ClickHouseClient,
    private readonly where: DocumentTable,
  ) {
    this.sql = documentSql(where);
  }

  async list(): Promise<StoredDocument[]> {
    return (await selectRows<DocumentRow>(this.read, this.sql.list, {})).map(stored);
  }

  async get(id: string): Promise<StoredDocument | undefined> {
    const row = (await selectRows<DocumentRow>(this.read, this.sql.get, { id }))[0];
    return row === undefined ? undefined : stored(row);
  }

  async put(id: string, name: string, body: unknown | null): Promise<void> {
    const deleted = body === null;
    await this.write.insert({
      table: this.where.table,
      values: [{ Id: id, Version: this.clock.next(), Name: name, [this.where.body]: deleted ? '' : JSON.stringify(body), Deleted: deleted ? 1 : 0 }],
      format: 'JSONEachRow',
    });
  }
}
