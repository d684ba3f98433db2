// How the waterfall copes with a 10,000-span trace in Debian's Chromium: time from navigation
// to the first row (and the API's share), frame times while scrolling 300 frames, collapse all
// + expand all. Run: npx tsx ui/bench/waterfall.ts (builds nothing: run npm run build:ui first).
import { launchBrowser } from '../../test/helpers/browser.ts';
import { startTestVigil } from '../../test/helpers/vigil.ts';

const v = await startTestVigil();
const kv = (a: Record<string, string>) => Object.entries(a).map(([key, x]) => ({ key, value: { stringValue: x } }));
const base = BigInt(Date.now() - 600_000) * 1_000_000n;
const tid = 'c3'.repeat(16);
const spans: object[] = [];
const hex = (n: number) => n.toString(16).padStart(16, '0');
spans.push({ traceId: tid, spanId: hex(1), name: 'root', kind: 2, startTimeUnixNano: base.toString(), endTimeUnixNano: (base + 5_000_000_000n).toString(), attributes: kv({ a: 'b' }) });
for (let c = 0; c < 99; c++) {
  const cs = base + BigInt(c * 50_000_000);
  spans.push({ traceId: tid, spanId: hex(0x100000 + c), parentSpanId: hex(1), name: `step-${c}`, kind: 1, startTimeUnixNano: cs.toString(), endTimeUnixNano: (cs + 48_000_000n).toString() });
  for (let g = 0; g < 100; g++) {
    const gs = cs + BigInt(g * 400_000);
    spans.push({ traceId: tid, spanId: hex(0x200000 + c * 100 + g), parentSpanId: hex(0x100000 + c), name: `item-${c}-${g}`, kind: 1, startTimeUnixNano: gs.toString(), endTimeUnixNano: (gs + 350_000n).toString() });
  }
}
for (let i = 0; i < spans.length; i += 2500) {
  const r = await fetch(v.otlpUrl + '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ resource: { attributes: kv({ 'service.name': 'batch' }) }, scopeSpans: [{ scope: { name: 'x' }, spans: spans.slice(i, i + 2500) }] }] }) });
  if (r.status !== 200) throw new Error(String(r.status));
}
const b = await launchBrowser();
const page = await b.newPage({ viewport: { width: 1280, height: 800 } });
for (let run = 0; run < 2; run++) {
  const t0 = Date.now();
  await page.goto(`${v.query!.url}/traces/${tid}`);
  await page.locator('.wf-row').first().waitFor();
  const api = await page.evaluate<number>(`performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/traces/')).map(e => e.duration)[0]`);
  console.log('open to first row ms', Date.now() - t0, 'api ms', Math.round(api));
}
const frames = await page.evaluate<{ n: number; p50: number; p95: number; max: number }>(`new Promise((done) => {
  const el = document.querySelector('.wf-scroller');
  const times = [];
  let last = performance.now();
  let i = 0;
  const step = () => {
    const now = performance.now();
    times.push(now - last);
    last = now;
    el.scrollTop += 400;
    if (++i < 300) requestAnimationFrame(step);
    else {
      times.sort((a, b) => a - b);
      done({ n: times.length, p50: times[Math.floor(times.length / 2)], p95: times[Math.floor(times.length * 0.95)], max: times[times.length - 1] });
    }
  };
  requestAnimationFrame(step);
})`);
console.log('scroll frames', JSON.stringify(frames));
const t1 = Date.now();
await page.getByRole('button', { name: 'Collapse all' }).click();
await page.getByRole('button', { name: 'Expand all' }).click();
console.log('collapse+expand all ms', Date.now() - t1);
await b.close();
await v.stop();
