// The UI's pure helpers: the trace tree (orphans, loops), visible rows, the critical path,
// search within a trace, the dependency-map layout, time ranges and duration formatting.
// Expected values are worked out by hand from the inputs.
import { describe, expect, it } from 'vitest';
import type { Span } from '../query/traces/model.ts';
import { EMPTY_FORM, bodyOf, formOf, parsePairs } from '../ui/src/alerts/rule-form.ts';
import { layoutServices } from '../ui/src/components/dependency-layout.ts';
import { isVariableName, movePanel, substitute } from '../ui/src/dashboards/model.ts';
import { formatDuration, formatPercent, formatRate, severityGroup } from '../ui/src/format.ts';
import { applyCompletion, completionAt, drawnLines, errorPosition, graphColumns, lineStats, stackedColumns, tokenRange } from '../ui/src/metrics/asl.ts';
import { rangeParams, rangeSpecOf, relativeMs, resolveRange } from '../ui/src/time.ts';
import { keyZoom } from '../ui/src/trace/zoom.ts';
import { buildTrace, criticalPath, parentIds, revealed, searchSpans, visibleRows } from '../ui/src/trace/model.ts';

const BASE_NS = 1_700_000_000_000_000_000n;

function span(id: string, parent: string, startMs: number, durMs: number, extra: Partial<Span> = {}): Span {
  const startNs = BASE_NS + BigInt(Math.round(startMs * 1e6));
  const durationNs = BigInt(Math.round(durMs * 1e6));
  return {
    traceId: 't',
    spanId: id,
    parentSpanId: parent,
    traceState: '',
    name: `op-${id}`,
    kind: 'Internal',
    service: 'svc',
    startNs: startNs.toString(),
    startMs: Number(startNs / 1_000_000n),
    durationNs: durationNs.toString(),
    durationMs: durMs,
    status: { code: 'Unset', message: '' },
    attributes: {},
    resource: {},
    scope: { name: '', version: '' },
    events: [],
    links: [],
    flags: 0,
    ...extra,
  };
}

// R [0,100] with children A [10,40] (A1 [15,35]), B [20,30], C [50,90] (C1 [60,95], past its parent).
const TREE = [
  span('C1', 'C', 60, 35),
  span('R', '', 0, 100, { service: 'web' }),
  span('A', 'R', 10, 30),
  span('A1', 'A', 15, 20, { service: 'db', attributes: { 'db.system': 'redis' } }),
  span('B', 'R', 20, 10, { status: { code: 'Error', message: 'boom' } }),
  span('C', 'R', 50, 40),
];
const ids = (nodes: Array<{ span: Span }>) => nodes.map((n) => n.span.spanId);

describe('trace model', () => {
  it('orders spans as a tree, children by start, with depth and subtree bounds', () => {
    const m = buildTrace(TREE);
    expect(ids(m.order)).toEqual(['R', 'A', 'A1', 'B', 'C', 'C1']);
    expect(m.order.map((n) => n.depth)).toEqual([0, 1, 2, 1, 1, 2]);
    expect(m.byId.get('A')!.subtreeEnd).toBe(3);
    expect(m.byId.get('R')!.subtreeEnd).toBe(6);
    // C1 runs past its parent C but not past the root: the trace is the root's 100 ms.
    expect(m.duration).toBe(100e6);
    expect(m.byId.get('C1')!.start).toBe(60e6);
    expect(m.services).toEqual(['db', 'svc', 'web']);
    expect(m.errorCount).toBe(1);
    expect(m.maxDepth).toBe(2);
    expect(m.orphanCount).toBe(0);
  });

  it('keeps spans with a missing parent as orphan roots, and breaks a parent loop at one span', () => {
    const m = buildTrace([...TREE, span('X', 'missing', 5, 1), span('P', 'Q', 1, 1), span('Q', 'P', 2, 1)]);
    expect(m.order).toHaveLength(9);
    expect(ids(m.roots)).toEqual(['R', 'X', 'P']);
    expect(m.roots.map((r) => r.orphan)).toEqual([false, true, true]);
    expect(m.orphanCount).toBe(2);
    expect(ids(m.order).slice(6)).toEqual(['X', 'P', 'Q']);
    expect(ids(m.byId.get('P')!.children)).toEqual(['Q']);
    expect(m.byId.get('Q')!.depth).toBe(1);
  });

  it('moves a span from another host into the middle of its parent when its clock is off', () => {
    const host = (h: string) => ({ resource: { 'host.name': h } });
    const m = buildTrace([
      span('P', '', 0, 100, host('a')),
      span('C', 'P', -20, 40, host('b')), // starts before its parent: skewed
      span('G', 'C', -15, 10, host('b')), // moves with C
      span('D', 'P', 90, 30, host('a')), // same host: left alone
      span('E', 'P', 50, 200, host('c')), // longer than the parent: cannot fit, left alone
      span('F', 'P', 10, 20, host('c')), // inside its parent: left alone
    ]);
    const at = (id: string) => [m.byId.get(id)!.start / 1e6, m.byId.get(id)!.end / 1e6, m.byId.get(id)!.skew / 1e6];
    // Once C has moved, P is the earliest span: time 0.
    expect(at('P')).toEqual([0, 100, 0]);
    expect(at('C')).toEqual([30, 70, 50]); // (100 - 40) / 2, 50 ms later than recorded
    expect(at('G')).toEqual([35, 45, 50]);
    expect(at('D')).toEqual([90, 120, 0]);
    expect(at('E')).toEqual([50, 250, 0]);
    expect(at('F')).toEqual([10, 30, 0]);
    expect(m.startNs).toBe(BASE_NS);
    expect(m.duration).toBe(250e6);
  });

  it('hides collapsed subtrees and reveals a span by expanding its ancestors', () => {
    const m = buildTrace(TREE);
    expect(ids(visibleRows(m, new Set(['A'])))).toEqual(['R', 'A', 'B', 'C', 'C1']);
    expect(ids(visibleRows(m, new Set(['A1'])))).toEqual(['R', 'A', 'A1', 'B', 'C', 'C1']); // a leaf has nothing to hide
    const all = parentIds(m);
    expect([...all].sort()).toEqual(['A', 'C', 'R']);
    expect(ids(visibleRows(m, all))).toEqual(['R']);
    const shown = revealed(all, m.byId.get('A1')!);
    expect([...shown]).toEqual(['C']);
    expect(ids(visibleRows(m, shown))).toEqual(['R', 'A', 'A1', 'B', 'C']);
  });

  it('follows the critical path back from the last-finishing child, clipping children to parents', () => {
    const sections = criticalPath(buildTrace(TREE)).map((s) => [s.node.span.spanId, s.start / 1e6, s.end / 1e6]);
    expect(sections).toEqual([
      ['R', 90, 100],
      ['C1', 60, 90],
      ['C', 50, 60],
      ['R', 40, 50],
      ['A', 35, 40],
      ['A1', 15, 35],
      ['A', 10, 15],
      ['R', 0, 10],
    ]);
    // B overlaps A and ends before it: not on the path.
    expect(sections.some(([id]) => id === 'B')).toBe(false);
    expect(criticalPath(buildTrace([]))).toEqual([]);
  });

  it('finds spans by every word: names, services, ids, key=value in attributes', () => {
    const m = buildTrace(TREE);
    expect(ids(searchSpans(m, 'db.system=redis'))).toEqual(['A1']);
    expect(ids(searchSpans(m, 'OP-C'))).toEqual(['C', 'C1']);
    expect(ids(searchSpans(m, 'op-c boom'))).toEqual([]);
    expect(ids(searchSpans(m, 'error'))).toEqual(['B']);
    expect(searchSpans(m, '   ')).toEqual([]);
    // Durations: R 100, A 30, A1 20, B 10, C 40, C1 35 ms.
    expect(ids(searchSpans(m, '>30ms'))).toEqual(['R', 'C', 'C1']);
    expect(ids(searchSpans(m, '<20ms'))).toEqual(['B']);
    expect(ids(searchSpans(m, '>15ms <35000us svc'))).toEqual(['A']);
    expect(ids(searchSpans(m, '>0.05s'))).toEqual(['R']);
  });
});

describe('waterfall zoom by keyboard', () => {
  it('zooms around the middle, moves by a quarter, stays within the trace', () => {
    expect(keyZoom([0, 1], '+')).toEqual([0.25, 0.75]);
    expect(keyZoom([0.25, 0.75], '-')).toEqual([0, 1]);
    expect(keyZoom([0.5, 1], '-')).toEqual([0, 1]);
    expect(keyZoom([0.25, 0.75], 'ArrowRight')).toEqual([0.375, 0.875]);
    expect(keyZoom([0.4, 0.9], 'ArrowRight')).toEqual([0.5, 1]);
    expect(keyZoom([0.05, 0.55], 'ArrowLeft')).toEqual([0, 0.5]);
    expect(keyZoom([0.2, 0.3], '0')).toEqual([0, 1]);
    expect(keyZoom([0, 1], 'x')).toBeUndefined();
  });
});

describe('dependency map layout', () => {
  it('puts callers left of callees by the longest call chain, breaking cycles', () => {
    const layout = layoutServices(['lonely'], [
      { parent: 'a', child: 'b', calls: 1, errors: 0 },
      { parent: 'b', child: 'c', calls: 1, errors: 0 },
      { parent: 'a', child: 'c', calls: 1, errors: 0 },
      { parent: 'c', child: 'a', calls: 1, errors: 0 },
      { parent: 'c', child: 'c', calls: 1, errors: 0 },
    ]);
    const column = Object.fromEntries(layout.nodes.map((n) => [n.service, n.column]));
    expect(column).toEqual({ a: 0, lonely: 0, b: 1, c: 2 });
    const rowOf = Object.fromEntries(layout.nodes.map((n) => [n.service, n.row]));
    expect(rowOf).toEqual({ a: 0, lonely: 1, b: 0, c: 0 });
  });
});

describe('time ranges and formats', () => {
  it('reads relative and absolute ranges from the URL', () => {
    expect(relativeMs('15m')).toBe(900_000);
    expect(relativeMs('2d')).toBe(172_800_000);
    expect(relativeMs('0m')).toBeUndefined();
    expect(relativeMs('5 minutes')).toBeUndefined();
    expect(rangeSpecOf(new URLSearchParams('range=6h'))).toEqual({ relative: '6h' });
    expect(rangeSpecOf(new URLSearchParams('range=bogus'))).toEqual({ relative: '1h' });
    expect(rangeSpecOf(new URLSearchParams('start=1000&end=5000&range=6h'))).toEqual({ startMs: 1000, endMs: 5000 });
    // start after end is not a range: the default applies.
    expect(rangeSpecOf(new URLSearchParams('start=5000&end=1000'))).toEqual({ relative: '1h' });
    expect(resolveRange({ relative: '15m' }, 1_000_000_000)).toEqual({ startMs: 999_100_000, endMs: 1_000_000_000 });
    expect(rangeParams({ startMs: 1.4, endMs: 9.6 })).toEqual({ range: undefined, start: '1', end: '10' });
  });

  it('formats durations, rates, ratios and severities for people', () => {
    expect(formatDuration(0.3)).toBe('300µs');
    expect(formatDuration(0.0004)).toBe('0.4µs');
    expect(formatDuration(1.5)).toBe('1.5ms');
    expect(formatDuration(120)).toBe('120ms');
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(0)).toBe('0');
    expect(formatRate(20 / 3600)).toBe('20/h');
    expect(formatRate(0.5)).toBe('30/min');
    expect(formatRate(12.345)).toBe('12.3/s');
    expect(formatPercent(0.19)).toBe('19%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect([0, 1, 4, 5, 9, 13, 17, 21, 24].map(severityGroup)).toEqual(['UNSPECIFIED', 'TRACE', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'FATAL']);
  });
});

describe('ASL editing help', () => {
  it('tells a tag key from a tag value and a word at the cursor', () => {
    const at = (text: string) => completionAt(text, text.length);
    expect(at('na')).toEqual({ kind: 'key', prefix: 'na', start: 0, end: 2 });
    expect(at('name,vig')).toEqual({ kind: 'value', key: 'name', prefix: 'vig', start: 5, end: 8 });
    expect(at('name,cpu,:eq,ser')).toMatchObject({ kind: 'key', prefix: 'ser', start: 13 });
    expect(at('name,cpu,:eq,service.name,ch')).toMatchObject({ kind: 'value', key: 'service.name', prefix: 'ch' });
    expect(at('name,cpu,:eq,(,')).toMatchObject({ kind: 'key', prefix: '' });
    expect(at('name,cpu,:e')).toMatchObject({ kind: 'word', prefix: ':e' });
    // In the middle of a program the whole token is replaced.
    const c = completionAt('name,vig,:eq', 7);
    expect(c).toEqual({ kind: 'value', key: 'name', prefix: 'vi', start: 5, end: 8 });
    expect(applyCompletion('name,vig,:eq', c, 'vigil.span.requests')).toEqual({ text: 'name,vigil.span.requests,:eq', cursor: 24 });
  });

  it('finds the token an error position names', () => {
    const program = 'name,vigil.span.requests,:eq,:bogus';
    const position = errorPosition('unknown word :bogus at position 29; docs/asl.md lists the vocabulary');
    expect(position).toBe(29);
    const [start, end] = tokenRange(program, position! + 1);
    expect(program.slice(start, end)).toBe(':bogus');
    expect(errorPosition('too many series')).toBeUndefined();
  });

  it('turns a std.json answer into chart columns and per-line statistics', () => {
    const cols = graphColumns({ start: 60_000, step: 60_000, legend: ['a', 'b'], metrics: [{}, {}], values: [[1, 'NaN'], [3, 2], ['Infinity', 4]], notices: [] });
    expect(cols.x).toEqual([60, 120, 180]);
    expect(cols.lines).toEqual([
      [1, 3, null],
      [null, 2, 4],
    ]);
    expect(lineStats(cols.lines[0]!)).toEqual({ avg: 2, min: 1, max: 3, last: 3, total: 4 });
    expect(lineStats([null, null])).toEqual({ avg: null, min: null, max: null, last: null, total: null });
  });
});

describe('graph styles', () => {
  it('draws the style words: colour with alpha, width, axis, areas and stacks per axis', () => {
    const g = {
      start: 0,
      step: 60_000,
      legend: ['plain', 'red area', 's1', 's2', 'right', 's3'],
      metrics: [],
      values: [],
      notices: [],
      styles: [
        undefined,
        { lineStyle: 'area', color: 'ff0000', alpha: 128 },
        { lineStyle: 'stack' },
        { lineStyle: 'stack', lineWidth: 3 },
        { axis: 1, color: '00ff00' },
        { lineStyle: 'stack', axis: 1, color: '0000ff' },
      ],
    };
    const drawn = drawnLines(g, (i) => ['#111111', '#222222', '#333333', '#444444', '#555555', '#666666'][i]!);
    expect(drawn).toEqual([
      { stroke: '#111111', fill: undefined, width: 1.5, axis: 0, stackedOn: undefined },
      { stroke: '#ff000080', fill: '#ff000080', width: 1.5, axis: 0, stackedOn: undefined },
      { stroke: '#333333', fill: '#33333366', width: 1.5, axis: 0, stackedOn: undefined },
      { stroke: '#444444', fill: '#44444466', width: 3, axis: 0, stackedOn: 2 },
      { stroke: '#00ff00', fill: undefined, width: 1.5, axis: 1, stackedOn: undefined },
      { stroke: '#0000ff', fill: '#0000ff66', width: 1.5, axis: 1, stackedOn: undefined },
    ]);
    const lines = [[1, 1], [2, 2], [1, null], [2, 3], [5, 5], [7, 7]];
    expect(stackedColumns(lines, drawn)).toEqual([[1, 1], [2, 2], [1, null], [3, 3], [5, 5], [7, 7]]);
    // Without styles every line is a plain line in its default colour.
    expect(drawnLines({ ...g, styles: undefined }, () => '#abcdef').every((d) => d.fill === undefined && d.axis === 0 && d.stroke === '#abcdef')).toBe(true);
  });
});

describe('dashboards', () => {
  it('puts variable values into queries and moves panels', () => {
    const values = { service: 'checkout', env: 'prod' };
    expect(substitute('name,x,:eq,service.name,$service,:eq,:and,env,$(env),:eq', values)).toBe('name,x,:eq,service.name,checkout,:eq,:and,env,prod,:eq');
    expect(substitute('$unknown and $service_x', values)).toBe('$unknown and $service_x');
    expect(['service', '_a1'].map(isVariableName)).toEqual([true, true]);
    expect(['1a', 'a-b', ''].map(isVariableName)).toEqual([false, false, false]);
    const panels = ['a', 'b', 'c'].map((title) => ({ title, kind: 'graph' as const, query: '', wide: false }));
    expect(movePanel(panels, 0, 1).map((p) => p.title)).toEqual(['b', 'a', 'c']);
    expect(movePanel(panels, 2, 1).map((p) => p.title)).toEqual(['a', 'b', 'c']);
    expect(movePanel(panels, 2, -2).map((p) => p.title)).toEqual(['c', 'a', 'b']);
    expect(panels.map((p) => p.title)).toEqual(['a', 'b', 'c']);
  });
});

describe('alert rule form', () => {
  it('reads key=value lines and reports the others', () => {
    expect(parsePairs('severity=page\n\n team = web \nsummary=a=b\noops\n=x')).toEqual({ map: { severity: 'page', team: 'web', summary: 'a=b' }, bad: ['oops', '=x'] });
  });

  it('builds the rule body from the form and back', () => {
    const form = { ...EMPTY_FORM, name: ' checkout errors ', expr: 'name,x,:eq', op: '>', threshold: '0.05', receivers: 'oncall=https://hooks.example/a' };
    const built = bodyOf(form);
    expect(built).toEqual({
      body: {
        name: 'checkout errors',
        expr: 'name,x,:eq',
        condition: { op: '>', threshold: 0.05 },
        for: '5m',
        keep_firing_for: '0s',
        interval: '1m',
        labels: { severity: 'warning' },
        annotations: {},
        no_data: 'nodata',
        on_error: 'error',
        receivers: [{ name: 'oncall', url: 'https://hooks.example/a' }],
      },
    });
    if (!('body' in built)) throw new Error('unreachable');
    expect(formOf(built.body)).toEqual({ ...form, name: 'checkout errors' });
    expect(bodyOf({ ...form, op: '' })).toMatchObject({ body: { name: 'checkout errors' } });
    expect('condition' in (bodyOf({ ...form, op: '' }) as { body: object }).body).toBe(false);
    expect(bodyOf({ ...form, threshold: 'lots' })).toEqual({ error: 'threshold "lots" is not a number' });
    expect(bodyOf({ ...form, labels: 'severity' })).toEqual({ error: 'not key=value: "severity"' });
  });
});
