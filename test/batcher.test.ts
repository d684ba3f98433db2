// Group commit against the real engine: few inserts for many requests, no answer before
// the rows are readable, bounded memory (429), storage failures (503), restarts.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Batcher, type BatcherOptions } from '../ingest/batcher.ts';
import { decodeTraceJson } from '../ingest/otlp/json.ts';
import { appendTraces } from '../ingest/rows/traces.ts';
import { openStore, type Store, storeConfigFromEnv } from '../schemas/store.ts';
import { logsJson, post, spansJson, traceId } from './helpers/otlp.ts';
import { type TestVigil, freshDataDir, startTestVigil } from './helpers/vigil.ts';

const dataDir = freshDataDir();
let vigil: TestVigil | undefined;

async function restart(env: Record<string, string>): Promise<TestVigil> {
  await vigil?.stop();
  vigil = await startTestVigil(env, dataDir);
  return vigil;
}

afterAll(async () => {
  await vigil?.stop();
});

describe('batcher', () => {
  it('stores N concurrent requests in few inserts and answers each only once its rows are readable', async () => {
    const v = await restart({ VIGIL_BATCH_MAX_AGE: '150ms' });
    const inserted = () => v.ingest!.batcher.stats.inserts.total({ table: 'otel_traces', outcome: 'stored' });
    const insertsBefore = inserted();
    const ids = Array.from({ length: 20 }, () => traceId());
    const visibleOnAnswer = await Promise.all(
      ids.map(async (id, i) => {
        const answer = await post(`${v.otlpUrl}/v1/traces`, spansJson('batched', [{ traceId: id, spanId: `${i + 1}`.padStart(16, 'a') }]));
        expect(answer.status).toBe(200);
        return (await v.rows('SELECT 1 FROM otel_traces WHERE TraceId = {id:String}', { id })).length;
      }),
    );
    expect(visibleOnAnswer).toEqual(ids.map(() => 1));
    const inserts = inserted() - insertsBefore;
    expect(inserts).toBeGreaterThanOrEqual(1);
    expect(inserts).toBeLessThanOrEqual(3);
  });

  it('flushes a batch as soon as it reaches the row limit', async () => {
    const v = await restart({ VIGIL_BATCH_MAX_AGE: '60s', VIGIL_BATCH_MAX_ROWS: '3' });
    const id = traceId();
    const spans = ['1', '2', '3'].map((s) => ({ traceId: id, spanId: s.padStart(16, 'b') }));
    const answer = await post(`${v.otlpUrl}/v1/traces`, spansJson('row-limit', spans));
    expect(answer.status).toBe(200);
  });

  it('refuses with 429 and Retry-After past the pending-bytes limit, and stores what it accepted', async () => {
    const v = await restart({ VIGIL_MAX_PENDING_SIZE: '2000', VIGIL_BATCH_MAX_AGE: '300ms' });
    const bodies = Array.from({ length: 10 }, (_, i) => logsJson('overload', [`record ${i} ${'x'.repeat(1500)}`]));
    const answers = await Promise.all(bodies.map((b) => post(`${v.otlpUrl}/v1/logs`, b)));
    const refused = answers.filter((a) => a.status === 429);
    const accepted = answers.filter((a) => a.status === 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length + accepted.length).toBe(10);
    for (const a of refused) {
      expect(a.headers.get('retry-after')).toBe('1');
      expect(a.json.message).toMatch(/at capacity/);
    }
    const stored = await v.rows(`SELECT 1 FROM otel_logs WHERE ServiceName = 'overload'`);
    expect(stored).toHaveLength(accepted.length);
  });

  it('answers 503 with Retry-After when the store fails, stores nothing of it, and recovers', async () => {
    const v = await restart({});
    await v.store.write.command({ query: 'DETACH TABLE otel_logs' });
    try {
      const failed = await post(`${v.otlpUrl}/v1/logs`, logsJson('store-outage', ['lost?']));
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('1');
      expect(failed.json.message).toMatch(/storage is unavailable/);
    } finally {
      await v.store.write.command({ query: 'ATTACH TABLE otel_logs' });
    }
    expect(await v.rows(`SELECT 1 FROM otel_logs WHERE ServiceName = 'store-outage'`)).toHaveLength(0);
    const retried = await post(`${v.otlpUrl}/v1/logs`, logsJson('store-outage', ['stored']));
    expect(retried.status).toBe(200);
    expect(await v.rows(`SELECT 1 FROM otel_logs WHERE ServiceName = 'store-outage'`)).toHaveLength(1);
  });

  it('keeps everything across a stop and a start on the same data directory', async () => {
    const v = await restart({});
    const count = async (t: TestVigil) =>
      Object.fromEntries(
        (await t.rows<{ t: string; n: string }>(
          `SELECT 'traces' AS t, toString(count()) AS n FROM otel_traces UNION ALL SELECT 'logs', toString(count()) FROM otel_logs`,
        )).map((r) => [r.t, r.n]),
      );
    expect((await post(`${v.otlpUrl}/v1/logs`, logsJson('restart', ['one', 'two']))).status).toBe(200);
    const before = await count(v);
    expect(Number(before.logs)).toBeGreaterThan(0);
    expect(Number(before.traces)).toBeGreaterThan(0);
    const again = await restart({});
    expect(await count(again)).toEqual(before);
  });
});

describe('batcher under load', () => {
  // The real engine, with each insert held at a gate the test opens: while the only insert
  // slot is busy, requests must gather in one batch instead of queueing small ones.
  let store: Store;
  let inserts = 0;
  /** The block of every insert, as the batcher handed it over. */
  let handed: Array<Uint8Array | readonly Uint8Array[]> = [];
  let gate = Promise.resolve();
  let openGate = () => {};
  const closeGate = () => {
    gate = new Promise((resolve) => {
      openGate = resolve;
    });
  };

  beforeAll(async () => {
    const real = await openStore(storeConfigFromEnv({ VIGIL_DATA_DIR: dataDir }) /* one data directory per process */, pino({ level: 'silent' }));
    store = {
      ...real,
      async insertNative(table, columns, block) {
        await gate;
        inserts++;
        handed.push(block);
        await real.insertNative(table, columns, block);
      },
    };
  });
  afterAll(async () => {
    await store.close();
  });

  const batcher = (options: Partial<BatcherOptions>) =>
    new Batcher(
      store,
      { maxRows: 1_000, maxBytes: 1 << 30, maxAgeMs: 30, maxPendingBytes: 1 << 30, flushConcurrency: 1, retryAfterSeconds: 1, ...options },
      pino({ level: 'silent' }),
    );
  const spans = (service: string, n: number) =>
    decodeTraceJson(spansJson(service, Array.from({ length: n }, (_, i) => ({ traceId: traceId(), spanId: `${i + 1}`.padStart(16, 'c') }))));
  const send = (b: Batcher, service: string, n: number) => b.append(0, (blocks) => appendTraces(spans(service, n), blocks.otel_traces)).committed;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const count = async (service: string) => {
    const result = await store.read.query({ query: 'SELECT count() AS n FROM otel_traces WHERE ServiceName = {s:String}', query_params: { s: service }, format: 'JSONEachRow' });
    return Number((await result.json<{ n: string }>())[0]!.n);
  };

  it('grows the open batch while the insert slot is busy, then stores it as one insert', async () => {
    inserts = 0;
    closeGate();
    const b = batcher({});
    const first = send(b, 'grow', 2);
    await sleep(80); // past maxAgeMs: the first batch is sealed and its insert waits at the gate
    expect(inserts).toBe(0);
    const later = [];
    for (let i = 0; i < 3; i++) {
      later.push(send(b, 'grow', 2));
      await sleep(80); // each past maxAgeMs, yet no slot is free
    }
    openGate();
    await Promise.all([first, ...later]);
    expect(inserts).toBe(2); // the first request's batch, then the three later ones together
    expect(await count('grow')).toBe(8);
    await b.close();
  });

  it("fills a stored batch's emptied block again for the table's next batch, which stores exactly its own rows", async () => {
    handed = [];
    const b = batcher({});
    const names = (service: string, n: number) => Array.from({ length: n }, (_, i) => `${service} span ${i} ${'x'.repeat(40 * (i + 1))}`);
    const sendNamed = (service: string, n: number) => {
      const request = spansJson(service, names(service, n).map((name, i) => ({ traceId: traceId(), spanId: `${i + 1}`.padStart(16, 'd'), name })));
      return b.append(0, (blocks) => appendTraces(decodeTraceJson(request), blocks.otel_traces)).committed;
    };
    await sendNamed('reuse-large', 5);
    await sendNamed('reuse-small', 2);
    expect(handed).toHaveLength(2);
    // The second insert's bytes live in the first one's buffers: the block was reused.
    const buffersOf = (block: Uint8Array | readonly Uint8Array[]) => new Set((block instanceof Uint8Array ? [block] : block).map((c) => c.buffer));
    const first = buffersOf(handed[0]!);
    expect([...buffersOf(handed[1]!)].some((buffer) => first.has(buffer))).toBe(true);
    const stored = async (service: string) => {
      const result = await store.read.query({
        query: 'SELECT SpanName AS name, ResourceAttributes AS resource FROM otel_traces WHERE ServiceName = {s:String} ORDER BY SpanName',
        query_params: { s: service },
        format: 'JSONEachRow',
      });
      return result.json<{ name: string; resource: Record<string, string> }>();
    };
    expect(await stored('reuse-large')).toEqual(names('reuse-large', 5).map((name) => ({ name, resource: { 'service.name': 'reuse-large' } })));
    expect(await stored('reuse-small')).toEqual(names('reuse-small', 2).map((name) => ({ name, resource: { 'service.name': 'reuse-small' } })));
    await b.close();
  });

  it('seals a batch that reaches maxRows even while the slot is busy, and stores everything in order of sealing', async () => {
    inserts = 0;
    closeGate();
    const b = batcher({ maxRows: 4 });
    const first = send(b, 'cap', 2);
    await sleep(80);
    const full = [send(b, 'cap', 2), send(b, 'cap', 2)]; // reaches maxRows: sealed and queued
    const next = send(b, 'cap', 1); // a new open batch
    openGate();
    await Promise.all([first, ...full, next]);
    expect(inserts).toBe(3);
    expect(await count('cap')).toBe(7);
    await b.close();
  });
});
