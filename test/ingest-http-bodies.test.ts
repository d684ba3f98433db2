// OTLP/HTTP request bodies are read into buffers that later requests use again
// (ingest/http.ts BodyBuffers): every request must store exactly its own spans, whatever
// the sizes and order of the requests before it, with or without a declared length or gzip.
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex, kv, protoEncoder, s, spanId } from './helpers/fused-protobuf.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

const encode = protoEncoder('opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

/** `n` spans of service `service`, named `<service> <i>`, with an attribute that makes them ~200 bytes each. */
function spans(service: string, n: number): Uint8Array {
  return encode({
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', s(service))] },
        scopeSpans: [
          {
            scope: { name: 'bodies' },
            spans: Array.from({ length: n }, (_, i) => ({
              traceId: hex('0af7651916cd43dd8448eb211c80319c'),
              spanId: spanId(i + 1),
              name: `${service} ${i}`,
              kind: 2,
              startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
              endTimeUnixNano: String(1_700_000_000_000_001_000n + BigInt(i)),
              attributes: [kv('padding', s('p'.repeat(150)))],
            })),
          },
        ],
      },
    ],
  });
}

const names = (service: string, n: number) => Array.from({ length: n }, (_, i) => `${service} ${i}`).sort();

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil({ VIGIL_BATCH_MAX_AGE: '20ms' });
});
afterAll(async () => {
  await vigil.stop();
});

async function send(body: Uint8Array, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${vigil.otlpUrl}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', ...headers } });
  await res.arrayBuffer();
  return res.status;
}

/** POSTs the body in two writes without a Content-Length (chunked transfer encoding). */
function sendChunked(body: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${vigil.otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    const half = body.length >> 1;
    req.write(body.subarray(0, half));
    req.end(body.subarray(half));
  });
}

async function stored(service: string): Promise<string[]> {
  const rows = await vigil.rows<{ name: string }>('SELECT SpanName AS name FROM otel_traces WHERE ServiceName = {service:String} ORDER BY name', { service });
  return rows.map((r) => r.name);
}

describe('OTLP/HTTP request bodies', () => {
  it('store exactly their own spans when a smaller body follows a larger one in the same buffer', async () => {
    // One after another: the second and third bodies get the first one's buffer.
    expect(await send(spans('large', 600))).toBe(200);
    expect(await send(spans('small', 3))).toBe(200);
    expect(await send(spans('smaller', 1))).toBe(200);
    expect(await stored('large')).toEqual(names('large', 600));
    expect(await stored('small')).toEqual(names('small', 3));
    expect(await stored('smaller')).toEqual(names('smaller', 1));
  });

  it('store exactly their own spans when many of different sizes arrive at once', async () => {
    const sizes = Array.from({ length: 24 }, (_, i) => 1 + ((i * 37) % 300));
    const statuses = await Promise.all(sizes.map((n, i) => send(spans(`many-${i}`, n))));
    expect(statuses).toEqual(sizes.map(() => 200));
    for (const [i, n] of sizes.entries()) expect(await stored(`many-${i}`)).toEqual(names(`many-${i}`, n));
  });

  it('store gzipped and chunked bodies between bodies read into reused buffers', async () => {
    expect(await send(spans('before-gzip', 400))).toBe(200);
    expect(await send(gzipSync(spans('gzipped', 5)), { 'content-encoding': 'gzip' })).toBe(200);
    expect(await sendChunked(spans('chunked', 7))).toBe(200);
    expect(await send(spans('after', 2))).toBe(200);
    expect(await stored('gzipped')).toEqual(names('gzipped', 5));
    expect(await stored('chunked')).toEqual(names('chunked', 7));
    expect(await stored('after')).toEqual(names('after', 2));
  });
});
