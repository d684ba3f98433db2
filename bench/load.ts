// Load generator process: sends OTLP/HTTP protobuf requests to a running Vigil for a
// fixed time with a fixed number of requests in flight, then prints one JSON line.
//   node --import tsx bench/load.ts <signal> <otlpUrl> <seconds> <concurrency> <itemsPerRequest>
import { type BenchSignal, makeRequest } from './requests.ts';

const [signal, url, seconds, concurrency, items] = process.argv.slice(2) as [BenchSignal, string, string, string, string];
const VARIANTS = 32;
const bodies = Array.from({ length: VARIANTS }, () => makeRequest[signal](Number(items)));

const latencies: number[] = [];
const statuses: Record<number, number> = {};
let acked = 0;
let failures = 0;
const deadline = performance.now() + Number(seconds) * 1000;

async function worker(offset: number): Promise<void> {
  for (let i = offset; performance.now() < deadline; i++) {
    const body = bodies[i % VARIANTS]!;
    const started = performance.now();
    try {
      const res = await fetch(`${url}/v1/${signal}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-protobuf' },
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 200) {
        acked += Number(items);
        latencies.push(performance.now() - started);
      } else {
        // Overload answers carry Retry-After; a real exporter waits, so do we (briefly).
        await new Promise((r) => setTimeout(r, 50));
      }
    } catch {
      failures++;
    }
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, (_, i) => worker(i)));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({
    signal,
    seconds: elapsed,
    ackedItems: acked,
    itemsPerSecond: acked / elapsed,
    requestBytes: bodies[0]!.length,
    statuses,
    failures,
    latencyMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99) },
  })}\n`,
);
