// The UI in real Chromium against a real Vigil: data seeded through OTLP/HTTP, then each page
// loaded, used (search, open a trace, collapse, select, zoom, find) and checked; a screenshot
// of each page goes to test-artifacts/. The Vigil asks for a query token, so the token prompt
// and the token on every API call are exercised too.
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, ensureChromium, ensureUiBuilt, launchBrowser } from './helpers/browser.ts';
import { post } from './helpers/otlp.ts';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

const TOKEN = 'ui-test-token';
const KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface SeedSpan {
  id: string;
  parent?: string;
  service: string;
  name: string;
  kind: keyof typeof KIND;
  /** Offsets from the trace's base time, milliseconds. */
  at: number;
  dur: number;
  error?: string;
  attrs?: Record<string, string>;
  events?: Array<{ name: string; at: number }>;
  links?: Array<{ traceId: string; spanId: string }>;
}

const kv = (attrs: Record<string, string>) => Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));
const ns = (baseMs: number, offsetMs: number) => (BigInt(Math.round(baseMs * 1000)) * 1000n + BigInt(Math.round(offsetMs * 1e6))).toString();

function tracesBody(traceId: string, baseMs: number, spans: SeedSpan[], version = '1.0'): string {
  const byService = new Map<string, SeedSpan[]>();
  for (const s of spans) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return JSON.stringify({
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: kv({ 'service.name': service, 'service.version': version, 'host.name': `${service}-host` }) },
      scopeSpans: [
        {
          scope: { name: 'ui-test', version: '1.0' },
          spans: list.map((s) => ({
            traceId,
            spanId: s.id,
            parentSpanId: s.parent ?? '',
            name: s.name,
            kind: KIND[s.kind],
            startTimeUnixNano: ns(baseMs, s.at),
            endTimeUnixNano: ns(baseMs, s.at + s.dur),
            attributes: kv(s.attrs ?? {}),
            events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: ns(baseMs, e.at), attributes: [] })),
            links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: [] })),
            status: s.error ? { code: 2, message: s.error } : { code: 0 },
          })),
        },
      ],
    })),
  });
}

interface SeedLog {
  service: string;
  at: number;
  severity: number;
  text: string;
  body: string;
  traceId?: string;
  spanId?: string;
}

function logsBody(baseMs: number, logs: SeedLog[]): string {
  return JSON.stringify({
    resourceLogs: logs.map((l) => ({
      resource: { attributes: kv({ 'service.name': l.service }) },
      scopeLogs: [
        {
          scope: { name: 'ui-test' },
          logRecords: [
            {
              timeUnixNano: ns(baseMs, l.at),
              severityNumber: l.severity,
              severityText: l.text,
              body: { stringValue: l.body },
              attributes: kv({ 'order.id': '42' }),
              traceId: l.traceId ?? '',
              spanId: l.spanId ?? '',
            },
          ],
        },
      ],
    })),
  });
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const TRACE_A = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const TRACE_B = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';
const TRACE_BIG = 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3';
const BIG_SPANS = 10_000;

/** The checkout trace: 3 services, an error, a sub-millisecond span, an event, a link, an orphan. */
const CHECKOUT: SeedSpan[] = [
  { id: 'a000000000000001', service: 'frontend', name: 'GET /checkout', kind: 'server', at: 0, dur: 120, attrs: { 'http.route': '/checkout' } },
  { id: 'a000000000000002', parent: 'a000000000000001', service: 'frontend', name: 'POST /cart', kind: 'client', at: 5, dur: 40 },
  { id: 'a000000000000003', parent: 'a000000000000002', service: 'cart', name: 'POST /cart', kind: 'server', at: 7, dur: 35, events: [{ name: 'cache.miss', at: 9 }] },
  { id: 'a000000000000004', parent: 'a000000000000003', service: 'cart', name: 'SELECT cart', kind: 'client', at: 10, dur: 0.3, attrs: { 'db.system': 'redis' } },
  { id: 'a000000000000005', parent: 'a000000000000001', service: 'frontend', name: 'POST /charge', kind: 'client', at: 50, dur: 65 },
  { id: 'a000000000000006', parent: 'a000000000000005', service: 'payment', name: 'charge', kind: 'server', at: 52, dur: 60, error: 'card declined', links: [{ traceId: TRACE_B, spanId: 'b000000000000001' }] },
  { id: 'a000000000000007', parent: 'a000000000000006', service: 'payment', name: 'fraud-check', kind: 'internal', at: 55, dur: 20 },
  { id: 'a000000000000008', parent: 'deadbeefdeadbeef', service: 'cart', name: 'late-callback', kind: 'internal', at: 115, dur: 3 },
];

/** 1 root, 99 children, 99 x 100 grandchildren: 10,000 spans over 5 services. */
function bigTrace(): SeedSpan[] {
  const spans: SeedSpan[] = [{ id: hex(1, 16), service: 'batch', name: 'nightly-job', kind: 'server', at: 0, dur: 5000 }];
  for (let c = 0; c < 99; c++) {
    const childId = hex(0x100000 + c, 16);
    spans.push({ id: childId, parent: hex(1, 16), service: `worker-${c % 4}`, name: `step-${c}`, kind: 'internal', at: c * 50, dur: 48 });
    for (let g = 0; g < 100; g++) {
      spans.push({ id: hex(0x200000 + c * 100 + g, 16), parent: childId, service: `worker-${c % 4}`, name: `item-${c}-${g}`, kind: 'internal', at: c * 50 + g * 0.4, dur: 0.35 });
    }
  }
  return spans;
}

let vigil: TestVigil;
let browser: Browser;
let context: BrowserContext;
let tab: Page | undefined;
let base: string;
const nowMs = Date.now();
/** The canary spans' first minute: two hours ago, on a minute boundary. */
const CANARY_START = Math.floor((nowMs - 7_200_000) / 60_000) * 60_000;

async function send(path: string, body: string): Promise<void> {
  const answer = await post(vigil.otlpUrl + path, body);
  expect(answer.status).toBe(200);
}

async function seed(): Promise<void> {
  const checkoutBase = nowMs - 120_000;
  await send('/v1/traces', tracesBody(TRACE_A, checkoutBase, CHECKOUT));
  await send('/v1/traces', tracesBody(TRACE_B, checkoutBase + 500, [{ id: 'b000000000000001', service: 'worker', name: 'settle', kind: 'consumer', at: 0, dur: 8 }]));
  // 20 more checkouts over the last half hour, every 5th failing, durations 10..200 ms.
  for (let i = 0; i < 20; i++) {
    const id = hex(0xd000 + i, 32);
    const at = nowMs - 1_800_000 + i * 80_000;
    await send(
      '/v1/traces',
      tracesBody(id, at, [
        { id: hex(i * 2 + 1, 16), service: 'frontend', name: 'GET /home', kind: 'server', at: 0, dur: 10 + i * 10, ...(i % 5 === 4 ? { error: 'upstream timeout' } : {}) },
        { id: hex(i * 2 + 2, 16), parent: hex(i * 2 + 1, 16), service: 'cart', name: 'GET /cart', kind: 'server', at: 2, dur: 5 + i * 5 },
      ]),
    );
  }
  // Two versions of checkout two hours ago (outside the other pages' last hour): 1.1 is about
  // twice as slow as 1.0, three requests per minute each for 20 minutes.
  for (const [version, slow] of [['1.0', 1], ['1.1', 2]] as const) {
    const spans: SeedSpan[] = [];
    for (let m = 0; m < 20; m++) {
      for (let k = 0; k < 3; k++) spans.push({ id: hex(0xe00000 + slow * 0x10000 + m * 3 + k, 16), service: 'checkout', name: 'POST /order', kind: 'server', at: m * 60_000 + k * 1000, dur: slow * (20 + (m % 5) + k) });
    }
    await send('/v1/traces', tracesBody(hex(0xe0 + slow, 32), CANARY_START, spans, version));
  }
  const big = bigTrace();
  for (let i = 0; i < big.length; i += 2500) await send('/v1/traces', tracesBody(TRACE_BIG, nowMs - 600_000, big.slice(i, i + 2500)));
  const logs: SeedLog[] = [
    { service: 'frontend', at: 1, severity: 9, text: 'INFO', body: 'checkout started', traceId: TRACE_A, spanId: 'a000000000000001' },
    { service: 'cart', at: 20, severity: 13, text: 'WARN', body: 'cart lookup slow', traceId: TRACE_A, spanId: 'a000000000000003' },
    { service: 'payment', at: 100, severity: 17, text: 'ERROR', body: 'card declined for order 42', traceId: TRACE_A, spanId: 'a000000000000006' },
  ];
  for (let i = 0; i < 30; i++) logs.push({ service: i % 2 ? 'frontend' : 'cart', at: -1_500_000 + i * 45_000, severity: i % 6 === 5 ? 17 : 9, text: i % 6 === 5 ? 'ERROR' : 'INFO', body: `request ${i} served` });
  await send('/v1/logs', logsBody(checkoutBase, logs));
}

/** One tab for all tests (a new tab costs more than a navigation). */
async function openPage(path: string): Promise<Page> {
  if (!tab) {
    tab = await context.newPage();
    tab.on('pageerror', (error) => pageErrors.push(error));
  }
  await tab.goto(base + path);
  return tab;
}

/** Waits until no panel is loading. */
// Functions run in the page are given as source text: this project's TypeScript has no DOM types.
const settled = (page: Page) => page.waitForFunction('document.querySelector(\'[aria-busy="true"]\') === null');
const theme = (page: Page) => page.evaluate<string | undefined>('document.documentElement.dataset.theme');

/** Polls an assertion; pages wait for the API, which a loaded machine can slow to seconds. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

const pageErrors: Error[] = [];
afterEach(() => {
  // Any uncaught error in the page fails the test that caused it.
  expect(pageErrors.splice(0)).toEqual([]);
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `ui-${name}.png`) });

beforeAll(async () => {
  ensureChromium();
  ensureUiBuilt();
  vigil = await startTestVigil({ VIGIL_QUERY_TOKENS: TOKEN });
  base = vigil.query!.url;
  await seed();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin' });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await vigil?.stop();
});

describe('serving', () => {
  it('serves the app without a token, client routes included, and keeps the API behind it', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(base + script!, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');

    const route = await fetch(`${base}/traces/${TRACE_A}?span=x`);
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(html);

    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/api/v1/traces`)).status).toBe(401);
    // An unknown API path is refused like a known one, not answered by the UI's routes.
    expect((await fetch(`${base}/api/v1/nothing-here`)).status).toBe(401);
    const unknown = await fetch(`${base}/api/v1/nothing-here`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('pages', () => {
  it('asks for the token, then shows services with RED numbers, sparklines and the dependency map', async () => {
    const page = await openPage('/services');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel('Token').fill(TOKEN);
    await dialog.getByRole('button', { name: 'Save' }).click();

    const rows = page.locator('.services-table tbody tr');
    await page.locator('tr[data-service="payment"]').waitFor();
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-service')))).toEqual(['batch', 'cart', 'frontend', 'payment', 'worker']);
    // payment's only server span failed; cart served 21 calls without error.
    await poll(() => page.locator('tr[data-service="payment"] td').nth(3).textContent()).toBe('100%');
    expect(await page.locator('tr[data-service="cart"] td').nth(3).textContent()).toBe('0%');
    await page.locator('tr[data-service="frontend"] svg.sparkline path').first().waitFor();

    // Sorting by error ratio puts payment first.
    await page.getByRole('button', { name: 'Errors', exact: true }).click();
    expect(await rows.first().getAttribute('data-service')).toBe('payment');

    await page.locator('[data-edge="frontend->payment"]').waitFor();
    expect(await page.locator('[data-edge="frontend->cart"] text').textContent()).toBe('21 calls');
    expect(await page.locator('[data-edge="frontend->payment"]').getAttribute('class')).toContain('has-errors');
    await shot(page, 'services');

    await page.locator('.depmap-node[data-service="cart"]').click();
    await page.waitForURL(/\/services\/cart/);
    await page.locator('tr[data-operation="GET /cart"]').waitFor();
    expect(await page.locator('tr[data-operation="GET /cart"] td').nth(2).textContent()).toBe('20');
    await page.locator('.chart canvas').first().waitFor();
    await shot(page, 'service');
  });

  it('searches traces, plots them, sorts the list and opens a trace from the plot', async () => {
    const page = await openPage('/traces');
    const rows = page.locator('.traces-table tbody tr');
    await poll(() => rows.count()).toBe(23);
    await shot(page, 'trace-search');

    // Pages of 20: "Load more" appends the last 3.
    await page.getByRole('combobox', { name: 'Limit' }).selectOption('20');
    await page.getByRole('button', { name: 'Search' }).click();
    await poll(() => rows.count()).toBe(20);
    await page.getByRole('button', { name: 'Load more' }).click();
    await poll(() => rows.count()).toBe(23);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Duration' }).click();
    expect(await rows.first().getAttribute('data-trace')).toBe(TRACE_BIG);
    await page.getByRole('button', { name: 'Duration' }).click();
    expect(await rows.first().getAttribute('data-trace')).toBe(TRACE_B);

    await page.getByLabel('Status').selectOption('error');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/status=error/);
    await poll(() => rows.count()).toBe(5);

    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Service').selectOption('payment');
    await page.getByRole('button', { name: 'Search' }).click();
    await poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-trace')).toBe(TRACE_A);

    // The one point of the plot, where uPlot draws it; a click opens its trace.
    type Plot = { data: number[][]; valToPos(v: number, s: string): number; over: { getBoundingClientRect(): { left: number; top: number } } };
    const point = await page.locator('.scatter').evaluate((el) => {
      const u = (el as unknown as { uplot: Plot }).uplot;
      const rect = u.over.getBoundingClientRect();
      const y = u.data[2]![0] ?? u.data[1]![0]!;
      return { x: rect.left + u.valToPos(u.data[0]![0]!, 'x'), y: rect.top + u.valToPos(y, 'y'), error: u.data[2]![0] !== null };
    });
    expect(point.error).toBe(true);
    await page.mouse.click(point.x, point.y);
    await page.waitForURL(new RegExp(`/traces/${TRACE_A}`));
    await page.locator('.wf-row').first().waitFor();
  });

  it('shows the waterfall: header, tree, sub-ms bar, detail, find, collapse, critical path, zoom, logs', async () => {
    const page = await openPage(`/traces/${TRACE_A}`);
    const rows = page.locator('.wf-row');
    await poll(() => rows.count()).toBe(8);
    const meta = await page.locator('.trace-meta').textContent();
    expect(meta).toContain('8 spans');
    expect(meta).toContain('3 services');
    expect(meta).toContain('1 errors');
    expect(meta).toContain('1 orphans');
    expect(meta).toContain('120ms');
    expect(await page.locator('.trace-header h1').textContent()).toBe('frontend: GET /checkout');
    // Pre-order by start; the orphan comes last.
    expect(await rows.evaluateAll((rs) => rs.map((r) => r.querySelector('.wf-op')!.textContent))).toEqual([
      'GET /checkout',
      'POST /cart',
      'POST /cart',
      'SELECT cart',
      'POST /charge',
      'charge',
      'fraud-check',
      'late-callback',
    ]);
    expect(await page.locator('[data-span="a000000000000008"] .badge.warn').textContent()).toBe('orphan');
    expect(await page.locator('[data-span="a000000000000006"]').getAttribute('class')).toContain('error');

    // The 300µs span is drawn at least 2px wide at 1/400 of the trace.
    const sub = page.locator('[data-span="a000000000000004"]');
    expect(await sub.locator('.wf-label').textContent()).toBe('300µs');
    expect((await sub.locator('.wf-bar').boundingBox())!.width).toBeGreaterThanOrEqual(2);

    // Span detail: status, link, event.
    await page.locator('[data-span="a000000000000006"]').click();
    const detail = page.getByRole('complementary', { name: 'Span detail' });
    await poll(() => detail.locator('.facts').textContent()).toContain('Error: card declined');
    expect(await detail.locator('.links-list a').getAttribute('href')).toBe(`/traces/${TRACE_B}?span=b000000000000001`);
    expect(await detail.textContent()).toContain('card declined for order 42');
    expect(page.url()).toContain('span=a000000000000006');
    await page.locator('[data-span="a000000000000003"]').click();
    expect(await detail.locator('.events').textContent()).toContain('+2ms cache.miss');
    expect(await detail.textContent()).toContain('host.name');

    // Keyboard: down moves the selection to the next row.
    await page.getByRole('tree').focus();
    await page.keyboard.press('ArrowDown');
    await poll(() => page.url()).toContain('span=a000000000000004');
    await page.keyboard.press('ArrowLeft'); // to the parent
    await poll(() => page.url()).toContain('span=a000000000000003');
    await page.keyboard.press('ArrowLeft'); // collapse it
    await poll(() => rows.count()).toBe(7);
    await page.keyboard.press('Enter'); // expand again
    await poll(() => rows.count()).toBe(8);

    // Collapse with the mouse, then collapse all / expand all.
    await page.locator('[data-span="a000000000000005"] .wf-toggle').click();
    await poll(() => rows.count()).toBe(6);
    await page.getByRole('button', { name: 'Collapse all' }).click();
    await poll(() => rows.count()).toBe(2); // the root and the orphan
    await page.getByRole('button', { name: 'Expand all' }).click();
    await poll(() => rows.count()).toBe(8);

    // Find within the trace, with match navigation.
    await page.getByLabel('Find in trace').fill('cart');
    await poll(() => page.locator('.match-count').textContent()).toBe('0 of 4');
    await page.getByLabel('Find in trace').press('Enter');
    await poll(() => page.locator('.match-count').textContent()).toBe('1 of 4');
    await page.getByRole('button', { name: 'Next match' }).click();
    await poll(() => page.url()).toContain('span=a000000000000003');
    await page.getByLabel('matches only').check();
    await poll(() => rows.count()).toBe(4);
    await page.getByLabel('matches only').uncheck();
    await page.getByLabel('Find in trace').fill('db.system=redis');
    await poll(() => page.locator('.wf-row.match').count()).toBe(1);
    await page.getByLabel('Find in trace').fill('');

    // Critical path: everything but the orphan is on it for this trace.
    await page.getByLabel('critical path').check();
    await poll(() => page.locator('.wf-row.critical').count()).toBe(7);
    expect(await page.locator('[data-span="a000000000000008"]').getAttribute('class')).not.toContain('critical');

    // Logs alongside.
    expect(await page.getByLabel('Logs of this trace').locator('li').count()).toBe(3);
    await shot(page, 'trace');

    // Zoom by dragging across the minimap: the axis then starts past zero.
    const box = (await page.getByTestId('minimap').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + 30);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + 30, { steps: 5 });
    await page.mouse.up();
    await poll(() => page.getByRole('button', { name: 'Reset zoom' }).isEnabled()).toBe(true);
    const firstTick = await page.locator('.wf-tick').first().textContent();
    expect(firstTick).not.toBe('0');
    await shot(page, 'trace-zoomed');
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    expect(await page.locator('.wf-tick').first().textContent()).toBe('0');
    // By keyboard: + zooms to the middle half (30-90 ms: ticks every 20 ms from 40), 0 resets.
    await page.getByTestId('minimap').focus();
    await page.keyboard.press('+');
    await poll(() => page.locator('.wf-tick').first().textContent()).toBe('40ms');
    await page.keyboard.press('0');
    await poll(() => page.locator('.wf-tick').first().textContent()).toBe('0');

    // The flame graph: depth 2 at 20 ms is cart's POST /cart (7-42 ms); a click selects it.
    await page.getByRole('button', { name: 'Flame graph' }).click();
    const flame = (await page.getByTestId('flamegraph').boundingBox())!;
    expect(flame.height).toBe(4 * 20); // depth 4
    await page.mouse.click(flame.x + (flame.width * 20) / 120, flame.y + 2 * 20 + 10);
    await poll(() => page.url()).toContain('span=a000000000000003');
    await shot(page, 'trace-flamegraph');
    await page.getByRole('button', { name: 'Span tree' }).click();

    // The link opens the linked trace.
    await page.locator('[data-span="a000000000000006"]').click();
    await detail.locator('.links-list a').click();
    await page.waitForURL(new RegExp(`/traces/${TRACE_B}`));
    await poll(() => page.locator('.trace-header h1').textContent()).toBe('worker: settle');
    expect(page.url()).toContain('span=b000000000000001');
  });

  it('renders a 10,000-span trace with only the visible rows in the page', async () => {
    const page = await openPage(`/traces/${TRACE_BIG}`);
    await poll(() => page.locator('.trace-meta').textContent()).toContain(`${BIG_SPANS} spans`);
    const rendered = await page.locator('.wf-row').count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(100);
    const scroller = page.locator('.wf-scroller');
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator(`[data-span="${hex(0x200000 + 98 * 100 + 99, 16)}"]`).waitFor();
    expect(await page.locator('.wf-row').count()).toBeLessThan(100);
    // Home goes back to the root by keyboard.
    await page.locator('.wf-row').first().click();
    await scroller.press('Home');
    await page.locator(`[data-span="${hex(1, 16)}"]`).waitFor();
    await shot(page, 'trace-10k');
  });

  it('searches logs, draws the volume by severity, expands a record and links to its trace', async () => {
    const page = await openPage('/logs');
    const records = page.locator('.log-record');
    await poll(() => records.count()).toBe(33);
    await page.locator('.volume canvas').first().waitFor();
    expect(await page.locator('.panel-head h2', { hasText: 'Volume' }).textContent()).toBe('Volume (33 records)');
    await shot(page, 'logs');

    await page.getByRole('combobox', { name: 'Severity' }).selectOption('ERROR');
    await page.getByRole('button', { name: 'Search' }).click();
    await poll(() => records.count()).toBe(6);
    expect(new Set(await records.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-severity'))))).toEqual(new Set(['ERROR']));

    await page.getByLabel('Search', { exact: true }).fill('declined');
    await page.getByRole('button', { name: 'Search' }).click();
    await poll(() => records.count()).toBe(1);
    await records.first().locator('.log-summary').click();
    expect(await records.first().locator('.log-detail').textContent()).toContain('order.id');

    // Drag across the volume chart: the range becomes absolute.
    const over = (await page.locator('.volume .u-over').boundingBox())!;
    await page.mouse.move(over.x + over.width * 0.2, over.y + over.height / 2);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.99, over.y + over.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/start=\d+&end=\d+|end=\d+.*start=\d+/);
    const url = new URL(page.url());
    const start = Number(url.searchParams.get('start'));
    const end = Number(url.searchParams.get('end'));
    expect(end - start).toBeLessThan(3_600_000 * 0.85);
    expect(end - start).toBeGreaterThan(3_600_000 * 0.6);
    // The picker shows the new absolute range (once it has rendered from the new URL).
    const from = page.locator('.absolute-range input').first();
    await poll(() => from.evaluate((input) => new Date((input as unknown as { value: string }).value).getTime())).toBe(Math.floor(start / 1000) * 1000);

    await page.getByRole('combobox', { name: 'Severity' }).selectOption('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((u) => !u.searchParams.has('severity'));
    await settled(page);
    await records.first().locator('.log-summary').click();
    await records.first().getByRole('link', { name: /Open trace/ }).click();
    await page.waitForURL(new RegExp(`/traces/${TRACE_A}\\?span=a000000000000006`));
    await poll(() => page.getByRole('complementary', { name: 'Span detail' }).locator('h2').textContent()).toBe('payment: charge');
  });

  it('completes tag values in the ASL editor, graphs the lines with their stats, and shows an error at its token', async () => {
    const page = await openPage('/metrics');
    const editor = page.getByLabel('Stack-language expression');
    await editor.click();
    await editor.pressSequentially('name,vigil.span.req');
    const option = page.getByRole('option', { name: 'vigil.span.requests' });
    await option.waitFor();
    await editor.press('Tab');
    expect(await editor.inputValue()).toBe('name,vigil.span.requests');
    await editor.pressSequentially(',:eq,(,service.name,),:by');
    await editor.press('Enter');
    await page.waitForURL(/q=name%2Cvigil.span.requests/);
    const lines = page.locator('.legend-table tbody tr');
    await poll(() => lines.count()).toBeGreaterThanOrEqual(5);
    const labels = await lines.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-line') ?? ''));
    expect(labels.some((l) => l.includes('frontend'))).toBe(true);
    // frontend served 21 requests in the hour: the line's total says so.
    const frontend = lines.filter({ hasText: 'frontend' }).first();
    expect(await frontend.locator('td').nth(5).textContent()).not.toBe('–');
    await page.locator('.metrics-chart canvas').first().waitFor();
    await shot(page, 'metrics');

    await editor.fill('name,vigil.span.requests,:eq,:bogus');
    await editor.press('Enter');
    const error = page.locator('.asl-error');
    await error.waitFor();
    expect(await error.locator('mark').textContent()).toBe(':bogus');
    expect(await error.textContent()).toContain('unknown word :bogus at position 29');
  });

  it('shows the built-in service dashboard with its variable and shared range', async () => {
    const page = await openPage('/dashboards/service?service=frontend');
    const graphs = page.locator('.dashboard-grid .metrics-chart');
    await poll(() => graphs.count()).toBe(3);
    await poll(() => page.locator('.legend-table tr[data-line="error ratio"]').count()).toBe(1);
    const traces = page.locator('.panel', { hasText: 'Slowest traces' }).locator('tbody tr');
    await poll(() => traces.count()).toBe(10);
    // frontend's slowest trace in the hour is the 200 ms GET /home that failed.
    expect(await traces.first().textContent()).toContain('200ms');
    const warnings = page.locator('.panel', { hasText: 'Warnings and errors' }).locator('li');
    await poll(() => warnings.count()).toBe(5);
    await shot(page, 'dashboard');

    await page.getByRole('combobox', { name: 'service' }).selectOption('cart');
    await page.waitForURL(/service=cart/);
    await poll(() => warnings.count()).toBe(1);
    expect(await warnings.first().textContent()).toContain('cart lookup slow');
  });

  it('builds a dashboard with a variable and panels, saves it in Vigil, and follows the variable', async () => {
    const page = await openPage('/dashboards');
    await page.getByText('No dashboards yet').waitFor();
    await page.getByRole('button', { name: 'New dashboard' }).click();
    const editor = page.getByRole('form', { name: 'Dashboard editor' });
    await editor.getByLabel('Title').fill('Checkout board');
    await editor.getByRole('button', { name: 'Add variable' }).click();
    expect(await editor.getByLabel('Variable name').inputValue()).toBe('service');
    await editor.getByRole('button', { name: 'Add panel' }).click();
    await editor.getByLabel('Panel title').fill('Requests');
    await editor.getByLabel('Query ($variable allowed)').fill('name,vigil.span.requests,:eq,service.name,$service,:eq,:and,:sum');
    await editor.getByRole('button', { name: 'Add panel' }).click();
    const second = editor.locator('[data-panel="1"]');
    await second.getByLabel('Panel title').fill('Traces');
    await second.getByRole('combobox', { name: 'Kind' }).selectOption('traces');
    await second.getByLabel('Query ($variable allowed)').fill('$service');
    await second.getByRole('button', { name: 'Move Traces up' }).click();
    // The server validates: its message shows in the editor, which keeps the edits.
    await editor.getByLabel('Title', { exact: true }).fill('x'.repeat(201));
    await editor.getByRole('button', { name: 'Save dashboard' }).click();
    await poll(() => editor.getByRole('alert').textContent()).toBe('invalid title: longer than 200 characters');
    await editor.getByLabel('Title', { exact: true }).fill('Checkout board');
    await editor.getByRole('button', { name: 'Save dashboard' }).click();
    await page.waitForURL((u) => !u.searchParams.has('edit'));

    const titles = page.locator('.dashboard-grid.custom > div');
    // The saved dashboard is loaded back from the server after the navigation: wait for it.
    await poll(() => titles.evaluateAll((ds) => ds.map((d) => d.getAttribute('data-panel-title')))).toEqual(['Traces', 'Requests']);
    await page.getByRole('combobox', { name: 'service' }).selectOption('payment');
    await page.waitForURL(/var-service=payment/);
    const traces = page.locator('[data-panel-title="Traces"] tbody tr');
    await poll(() => traces.count()).toBe(1);
    expect(await traces.first().textContent()).toContain('frontend: GET /checkout');
    await page.locator('[data-panel-title="Requests"] .metrics-chart canvas').first().waitFor();
    await shot(page, 'dashboard-custom');

    // Saved in Vigil: the API lists it as built, and a browser without this one's storage shows it.
    const answer = await fetch(`${base}/api/v1/dashboards`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const { dashboards } = (await answer.json()) as { dashboards: Array<Record<string, unknown>> };
    expect(dashboards.map(({ title, variables, panels }) => ({ title, variables, panels }))).toEqual([
      {
        title: 'Checkout board',
        variables: [{ name: 'service', source: 'services', values: [] }],
        panels: [
          { title: 'Traces', kind: 'traces', query: '$service', wide: false },
          { title: 'Requests', kind: 'graph', query: 'name,vigil.span.requests,:eq,service.name,$service,:eq,:and,:sum', wide: false },
        ],
      },
    ]);
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const fresh = await other.newPage();
      await fresh.addInitScript(`localStorage.setItem('vigil.token', ${JSON.stringify(TOKEN)})`);
      await fresh.goto(`${base}/dashboards`);
      await fresh.getByRole('link', { name: 'Checkout board' }).click();
      await fresh.locator('[data-panel-title="Requests"]').waitFor();
      expect(await fresh.locator('.dashboard-grid.custom > div').evaluateAll((ds) => ds.map((d) => d.getAttribute('data-panel-title')))).toEqual(['Traces', 'Requests']);
    } finally {
      await other.close();
    }
  });

  it('judges two versions of a service and shows the report with both lines', async () => {
    const page = await openPage(`/canary?start=${CANARY_START - 60_000}&end=${CANARY_START + 21 * 60_000}`);
    await page.getByLabel('Service', { exact: true }).fill('checkout');
    await page.getByLabel('Control (baseline) version').fill('1.0');
    await page.getByLabel('Experiment (canary) version').fill('1.1');
    await page.getByRole('button', { name: 'Judge' }).click();
    await page.waitForURL(/\/canary\/[^/?]+$/);
    const score = page.getByTestId('canary-score');
    await score.waitFor();
    // Twice as slow on all three percentiles: latency (weight 50) scores 0, the rest pass.
    expect(await score.textContent()).toBe('50');
    expect(await page.locator('.canary-summary .verdict').textContent()).toBe('Fail');
    for (const p of ['p50', 'p90', 'p99']) expect(await page.locator(`tr[data-metric="Latency ${p}"] .classification`).textContent()).toBe('High');
    expect(await page.locator('tr[data-metric="Request rate"] .classification').textContent()).toBe('Pass');
    await page.locator('tr[data-metric="Latency p99"] button').click();
    await poll(() => page.locator('.pair-chart h3').textContent()).toContain('Latency p99');
    await page.locator('.pair-chart canvas').first().waitFor();
    await shot(page, 'canary');

    await page.getByRole('link', { name: 'Canary' }).first().click();
    await page.locator('.judgements-table tbody tr').first().waitFor();
    expect(await page.locator('.judgements-table tbody tr').first().textContent()).toContain('Fail');
  });

  it('creates, previews, edits and deletes an alert rule, and shows it firing and in the history', async () => {
    const page = await openPage('/alerts');
    await page.getByText('No rules yet').waitFor();
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'Alert rule' });
    await form.getByLabel('Name', { exact: true }).fill('bad rule');
    await form.getByLabel('Expression (ASL)').fill('name,vigil.span.requests,:eq,:bogus');
    await form.getByRole('button', { name: 'Save' }).click();
    await poll(() => form.getByRole('alert').textContent()).toContain('unknown word :bogus');

    await form.getByLabel('Name', { exact: true }).fill('frontend traffic');
    await form.getByLabel('Expression (ASL)').fill('name,vigil.span.requests,:eq,service.name,frontend,:eq,:and,:sum');
    await form.getByRole('combobox', { name: 'Condition' }).selectOption('>=');
    await form.getByLabel('Threshold').fill('0');
    await form.getByLabel('For', { exact: true }).fill('0s');
    await form.getByLabel('Every').fill('1s');
    await form.getByRole('combobox', { name: 'No data' }).selectOption('alerting');
    await form.getByRole('button', { name: 'Preview last hour' }).click();
    await poll(() => page.locator('.rule-preview .legend-table tbody tr').count()).toBe(1);
    await form.getByRole('button', { name: 'Save' }).click();
    const rule = page.locator('.rules-table tr[data-rule="frontend traffic"]');
    await rule.waitFor();
    expect(await rule.textContent()).toContain('value >= 0');

    // Evaluated every second: with data it holds (>= 0), without it no data counts as alerting.
    const firing = page.locator('.active-alerts tr[data-rule="frontend traffic"] .alert-state');
    await poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return firing.count();
    }).toBe(1);
    expect(await firing.textContent()).toBe('firing');
    await poll(() => page.locator('.history-table tbody tr', { hasText: 'frontend traffic' }).count()).toBeGreaterThan(0);
    await shot(page, 'alerts');

    await rule.getByRole('button', { name: 'Edit' }).click();
    await form.getByLabel('For', { exact: true }).fill('10m');
    await form.getByRole('button', { name: 'Save' }).click();
    await poll(() => rule.locator('td').nth(3).textContent()).toBe('10m');

    page.once('dialog', (dialog) => void dialog.accept());
    await rule.getByRole('button', { name: 'Delete' }).click();
    await poll(() => rule.count()).toBe(0);
  });

  it('switches to the dark theme and keeps it', async () => {
    const page = await openPage('/services');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await theme(page)).toBe('dark');
    await page.locator('tr[data-service="payment"]').waitFor();
    await shot(page, 'services-dark');
    await page.goto(`${base}/traces/${TRACE_A}`);
    await page.locator('.wf-row').first().waitFor();
    expect(await theme(page)).toBe('dark');
    await shot(page, 'trace-dark');
  });
});
