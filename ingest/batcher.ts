// Group commit. Requests append their rows to one open batch per table, inserted as one
// Native block. A batch is due maxAgeMs after its first row; it is sealed when it is due and
// an insert slot is free, or when it reaches maxRows or maxBytes. So under light load a batch
// waits at most maxAgeMs, and under heavy load it keeps growing while the inserts before it
// run: fewer, larger parts, which is what the engine's write and merge costs want (an insert
// costs ~20-45 ms before its first row, and every part is merged again later). Every request
// waits for the batches holding its rows: an answer means stored. Memory is bounded by
// maxPendingBytes over all open, sealed and in-flight batches; past it, new requests are
// refused with a retryable error. A stored batch's block is emptied and kept for a later batch
// of its table: its column buffers have grown to batch size already, so filling it again
// neither regrows nor faults in fresh memory.
import type { Logger } from 'pino';
import { retryableError, type VigilError } from '../schemas/errors.ts';
import type { Store } from '../schemas/store.ts';
import { IngestStats } from './stats.ts';
import { type Blocks, type TableName, tableNames, tables } from './tables.ts';

export interface BatcherOptions {
  /** A batch is sealed at this size even when every insert slot is busy. */
  maxRows: number;
  maxBytes: number;
  /** A batch is due this long after its first row. */
  maxAgeMs: number;
  /** Bytes of rows accepted but not yet stored, over all tables, before new requests get 429. */
  maxPendingBytes: number;
  /** Inserts running at once (over all tables). */
  flushConcurrency: number;
  /** Retry-After for refused requests, seconds. */
  retryAfterSeconds: number;
}

type Block = Blocks[TableName];

class Batch {
  bytes = 0;
  due = false;
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (error: VigilError) => void;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly table: TableName,
    readonly block: Block,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Requests await `done`; this keeps a failure nobody waits for from crashing the process.
    this.done.catch(() => {});
  }
}

export class Batcher {
  private readonly open = new Map<TableName, Batch>();
  private readonly sealed: Batch[] = [];
  /** Emptied blocks of stored batches, per table, for the next batches (see the top). */
  private readonly spare = new Map<TableName, Block[]>();
  private inFlight = 0;
  private pendingBytes = 0;
  private closing = false;
  private idle: (() => void) | undefined;
  readonly stats = new IngestStats();

  constructor(
    private readonly store: Store,
    private readonly options: BatcherOptions,
    private readonly log: Logger,
  ) {}

  /** Bytes accepted and not yet stored. */
  get pending(): number {
    return this.pendingBytes;
  }

  /**
   * Runs `fill` to append one request's rows (synchronously, so no other request
   * interleaves) and returns its result with a promise of their commit.
   * `sizeHint` (the decoded request size) decides admission before any row is added.
   */
  append<R>(sizeHint: number, fill: (blocks: Blocks) => R): { result: R; rows: number; committed: Promise<void> } {
    if (this.closing) throw retryableError('VIGIL_ERR_SHUTTING_DOWN', this.options.retryAfterSeconds);
    if (this.pendingBytes > 0 && this.pendingBytes + sizeHint > this.options.maxPendingBytes) {
      throw retryableError(
        'VIGIL_ERR_OVERLOADED',
        this.options.retryAfterSeconds,
        this.pendingBytes,
        this.options.maxPendingBytes,
      );
    }

    const touched = new Map<TableName, { batch: Batch; rows: number; bytes: number }>();
    const blocks = {} as Blocks;
    for (const table of tableNames) {
      Object.defineProperty(blocks, table, {
        get: () => {
          let t = touched.get(table);
          if (t === undefined) {
            const batch = this.openBatch(table);
            t = { batch, rows: batch.block.rows, bytes: batch.block.byteSize };
            touched.set(table, t);
          }
          return t.batch.block;
        },
      });
    }

    const result = fill(blocks);

    const waits: Promise<void>[] = [];
    let added = 0;
    for (const { batch, rows, bytes } of touched.values()) {
      if (batch.block.rows === rows) continue;
      added += batch.block.rows - rows;
      const addedBytes = batch.block.byteSize - bytes;
      batch.bytes += addedBytes;
      this.pendingBytes += addedBytes;
      waits.push(batch.done);
      if (batch.block.rows >= this.options.maxRows || batch.bytes >= this.options.maxBytes) this.seal(batch);
    }
    const committed = waits.length === 1 ? waits[0]! : Promise.all(waits).then(() => undefined);
    return { result, rows: added, committed };
  }

  /** Stops accepting, flushes everything open and waits until it is stored (or failed). */
  async close(): Promise<void> {
    this.closing = true;
    for (const batch of [...this.open.values()]) this.seal(batch);
    if (this.inFlight === 0 && this.sealed.length === 0) return;
    await new Promise<void>((resolve) => {
      this.idle = resolve;
    });
  }

  private openBatch(table: TableName): Batch {
    let batch = this.open.get(table);
    if (batch === undefined) {
      batch = new Batch(table, this.spare.get(table)?.pop() ?? tables[table]());
      const sealMe = batch;
      batch.timer = setTimeout(() => {
        sealMe.due = true;
        this.pump();
      }, this.options.maxAgeMs);
      this.open.set(table, batch);
    }
    return batch;
  }

  private seal(batch: Batch): void {
    if (this.unopen(batch)) this.sealed.push(batch);
    this.pump();
  }

  /** Takes an open batch out of `open`; false when it holds no rows (then it is done). */
  private unopen(batch: Batch): boolean {
    if (this.open.get(batch.table) !== batch) return false;
    clearTimeout(batch.timer);
    this.open.delete(batch.table);
    if (batch.block.rows > 0) return true;
    batch.resolve();
    return false;
  }

  private pump(): void {
    while (this.inFlight < this.options.flushConcurrency) {
      if (this.sealed.length === 0) {
        // A slot is free: the oldest due batch goes (`open` keeps creation order).
        const due = [...this.open.values()].find((b) => b.due);
        if (due === undefined) break;
        if (this.unopen(due)) this.sealed.push(due);
        continue;
      }
      const batch = this.sealed.shift()!;
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pendingBytes -= batch.bytes;
        this.reuse(batch);
        this.pump();
        if (this.inFlight === 0 && this.sealed.length === 0) this.idle?.();
      });
    }
  }

  /** Keeps the block of a batch that is over (stored or failed) for a later batch, up to SPARE_BLOCKS per table. */
  private reuse(batch: Batch): void {
    let spare = this.spare.get(batch.table);
    if (spare === undefined) this.spare.set(batch.table, (spare = []));
    if (spare.length >= SPARE_BLOCKS) return;
    batch.block.clear();
    spare.push(batch.block);
  }

  private record(table: TableName, rows: number, ms: number, outcome: 'stored' | 'failed'): void {
    this.stats.inserts.add({ table, outcome });
    this.stats.batchRows.record({ table }, rows);
    this.stats.flushDuration.record({ table, outcome }, ms);
  }

  private async flush(batch: Batch): Promise<void> {
    const rows = batch.block.rows;
    const started = performance.now();
    try {
      await this.store.insertNative(batch.table, batch.block.names, batch.block.chunks());
      const ms = performance.now() - started;
      this.record(batch.table, rows, ms, 'stored');
      this.log.debug({ table: batch.table, rows, ms: Math.round(ms) }, 'batch stored');
      batch.resolve();
    } catch (error) {
      this.record(batch.table, rows, performance.now() - started, 'failed');
      const detail = error instanceof Error ? error.message : String(error);
      this.log.error({ table: batch.table, rows, err: detail }, 'batch insert failed; its requests get 503');
      batch.reject(retryableError('VIGIL_ERR_STORE_UNAVAILABLE', this.options.retryAfterSeconds, firstLine(detail)));
    }
  }
}

// One batch per table is open while one is stored (one insert at a time by default).
const SPARE_BLOCKS = 2;

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
