// Style vocabulary: legends, drawing attributes, order and limit of an expression's lines.
// By app (CPU in test/helpers/asl-run.ts): api [10, 20, 30, 40] (max 40), www [4, 2, 8, 7] (max 8).
import { describe, expect, it } from 'vitest';
import { CPU, failure, run, single } from './helpers/asl-run.ts';

const BY_APP = 'name,cpu,:eq,:sum,(,app,),:by';

describe('ASL style words', () => {
  it('lines default to a 1-wide line on axis 0 and report their expression and grouping', async () => {
    const [line] = await run(BY_APP);
    expect(line!.style).toEqual({ lineStyle: 'line', lineWidth: 1, axis: 0 });
    expect(line!.expression).toBe('name,cpu,:eq,:sum,(,app,),:by');
    expect(line!.groupByKeys).toEqual(['app']);
  });

  it(':legend substitutes $(key) and $key with tag values; an absent key stays its name', async () => {
    const lines = await run(`${BY_APP},$(app) of $name in $(zone),:legend`);
    expect(lines.map((l) => l.label)).toEqual(['api of cpu in zone', 'www of cpu in zone']);
  });

  it(':decode hex decodes _XX sequences in the legend', async () => {
    expect((await single('name,cpu,:eq,:sum,a_2Eb,:legend,hex,:decode')).label).toBe('a.b');
  });

  it(':s searches and replaces in the legend (regex, $1 groups)', async () => {
    const lines = await run(`${BY_APP},$(app),:legend,^(w)w+$,$1-web,:s`);
    expect(lines.map((l) => l.label)).toEqual(['api', 'w-web']);
  });

  it(':s refuses patterns that repeat a repeating group (exponential backtracking)', async () => {
    const e = await failure('name,cpu,:eq,:sum,(a+)+$,x,:s');
    expect(e.message).toBe('invalid argument for :s at position 27: "(a+)+$" repeats a group that itself repeats; simplify the pattern');
    expect((await single('name,cpu,:eq,:sum,x,:legend,(x)+,y,:s')).label).toBe('y');
  });

  it(':color (RRGGBB, RGB, AARRGGBB) and :alpha (two hex digits)', async () => {
    expect((await single('name,cpu,:eq,:sum,FF0000,:color')).style.color).toBe('ff0000');
    expect((await single('name,cpu,:eq,:sum,f00,:color')).style.color).toBe('ff0000');
    const argb = await single('name,cpu,:eq,:sum,80ff0000,:color');
    expect([argb.style.color, argb.style.alpha]).toEqual(['ff0000', 128]);
    expect((await single('name,cpu,:eq,:sum,40,:alpha')).style.alpha).toBe(64);
  });

  it('a color that is not hex is a 400 naming :color', async () => {
    const e = await failure('name,cpu,:eq,:sum,red,:color');
    expect(e.message).toBe('invalid argument for :color at position 22: "red" is not a hex color (RGB, RRGGBB or AARRGGBB)');
  });

  it(':palette, :lw and :axis', async () => {
    const line = await single('name,cpu,:eq,:sum,reds,:palette,3,:lw,1,:axis');
    expect(line.style).toEqual({ lineStyle: 'line', palette: 'reds', lineWidth: 3, axis: 1 });
  });

  it.each(['line', 'area', 'stack', 'heatmap', 'vspan'])(':ls %s and the :%s macro', async (style) => {
    expect((await single(`name,cpu,:eq,:sum,${style},:ls`)).style.lineStyle).toBe(style);
    expect((await single(`name,cpu,:eq,:sum,:${style}`)).style.lineStyle).toBe(style);
  });

  it(':sort and :order', async () => {
    expect((await run(`${BY_APP},legend,:sort,desc,:order`)).map((l) => l.tags.app)).toEqual(['www', 'api']);
    expect((await run(`${BY_APP},max,:sort`)).map((l) => l.tags.app)).toEqual(['www', 'api']);
    expect((await run(`${BY_APP},max,:sort,desc,:order`)).map((l) => l.tags.app)).toEqual(['api', 'www']);
  });

  it(':limit and :head keep the first n lines', async () => {
    expect((await run(`${BY_APP},1,:limit`)).map((l) => l.tags.app)).toEqual(['api']);
    expect((await run(`${BY_APP},max,:sort,1,:head`)).map((l) => l.tags.app)).toEqual(['www']);
  });

  it(':strip-style drops the style settings', async () => {
    const line = await single('name,cpu,:eq,:sum,ff0000,:color,x,:legend,:strip-style');
    expect(line.label).toBe('sum(name=cpu)');
    expect(line.style.color).toBeUndefined();
  });

  it('the example graph: stacked average per app with its name as legend', async () => {
    const lines = await run('app,www,:eq,name,cpu,:eq,:and,:avg,(,app,),:by,:stack,$(app),:legend', CPU);
    expect(lines.map((l) => [l.label, l.style.lineStyle])).toEqual([['www', 'stack']]);
    expect([...lines[0]!.values]).toEqual([2, 2, 4, 7]);
  });

  it('stateful words keep the style of a styled expression (Atlas StylePassthrough)', async () => {
    const line = await single('name,cpu,:eq,:sum,ff0000,:color,1,:delay');
    expect(line.style.color).toBe('ff0000');
    expect([...line.values]).toEqual([NaN, 14, 22, 38]);
  });

  it('style words keep working after data words rewrite the expression', async () => {
    const line = await single('name,cpu,:eq,:sum,ff0000,:color,1m,:offset');
    expect(line.style.color).toBe('ff0000');
    expect(line.label).toBe('sum(name=cpu) (offset=1m)');
  });
});
