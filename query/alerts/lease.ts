// The evaluator lease: one query process at a time evaluates the alert rules. A claim is an
// insert (holder, expiry) with a higher Version; the latest row is read back to confirm.
//
// Guarantee and its limits (docs/alerts.md): a process evaluates only while the latest lease
// row names it and has not expired by its own clock. Processes claiming an expired lease at the
// same time all insert, wait `settleMs` for the others' inserts, and read back the same latest
// row: one winner. An insert slower than `settleMs` can still make two processes both believe
// they won; the one with the lower (Version, Holder) learns it lost at its next tick, so a
// double evaluation lasts at most one tick. Clocks are trusted: skew between processes
// shortens or lengthens the lease by as much.
import type { ClickHouseClient } from '@clickhouse/client';
import { CURRENT_LEASE, LEASE_TABLE } from './sql.ts';

export const EVALUATOR_LEASE = 'alert-evaluator';

/**
 * What claiming the lease gave: `kept`, held without a break since the last acquire that
 * returned `kept` or `won`; `won`, held anew: others may have held it since this process last
 * did, so whatever it remembers from then is stale; `lost`, held by another (or not confirmed).
 */
export type Holding = 'kept' | 'won' | 'lost';

export interface Lease {
  /** How long a claim or renewal holds the lease. */
  readonly durationMs: number;
  /**
   * Until when (unix ms, by this process's clock) the last acquire that returned `kept` or `won`
   * holds the lease; 0 when not held. Another process may claim it from then on.
   */
  readonly heldUntil: number;
  /** Claims or renews (past half the lease) the lease at `now`. */
  acquire(now: number): Promise<Holding>;
  /** Gives the lease up (if held), so another process takes over at once. */
  release(now: number): Promise<void>;
}

export class ClickHouseLease implements Lease {
  private lastVersion = 0;
  private until = 0;

  constructor(
    private readonly read: ClickHouseClient,
    private readonly write: ClickHouseClient,
    private readonly holder: string,
    readonly durationMs: number,
    private readonly settleMs = 250,
    private readonly name = EVALUATOR_LEASE,
  ) {}

  get heldUntil(): number {
    return this.until;
  }

  private async current(): Promise<{ holder: string; expiresAtMs: number } | undefined> {
    const result = await this.read.query({ query: CURRENT_LEASE, query_params: { name: this.name }, format: 'JSONEachRow' });
    const row = (await result.json<{ holder: string; expiresAtMs: string }>())[0];
    return row === undefined ? undefined : { holder: row.holder, expiresAtMs: Number(row.expiresAtMs) };
  }

  private async claim(now: number, expiresAtMs: number): Promise<void> {
    this.lastVersion = Math.max(now * 1000, this.lastVersion + 1);
    await this.write.insert({
      table: LEASE_TABLE,
      values: [{ Name: this.name, Version: this.lastVersion, Holder: this.holder, ExpiresAt: expiresAtMs }],
      format: 'JSONEachRow',
    });
  }

  async acquire(now: number): Promise<Holding> {
    const lease = await this.current();
    if (lease !== undefined && lease.holder !== this.holder && lease.expiresAtMs > now) {
      this.until = 0;
      return 'lost';
    }
    // Unbroken: the latest row is still this process's unexpired claim, so nobody claimed it
    // since. A holding that lapsed (expired, released, or lost at the last acquire) is won anew
    // even when the latest row names this process again.
    const unbroken = lease?.holder === this.holder && lease.expiresAtMs > now && this.until > 0;
    // Renew only past half the lease, so a steady holder writes a row per half lease, not per tick.
    if (unbroken && lease.expiresAtMs - now > this.durationMs / 2) return 'kept';
    await this.claim(now, now + this.durationMs);
    // A renewal of an unexpired lease races with nobody; a claim waits for concurrent claims.
    if (!unbroken) await new Promise((resolve) => setTimeout(resolve, this.settleMs));
    const confirmed = await this.current();
    const held = confirmed?.holder === this.holder;
    this.until = held ? now + this.durationMs : 0;
    return !held ? 'lost' : unbroken ? 'kept' : 'won';
  }

  async release(now: number): Promise<void> {
    if (this.until <= now) return;
    this.until = 0;
    await this.claim(now, now);
  }
}
