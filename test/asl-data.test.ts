// Data vocabulary against hand-made series (test/helpers/asl-run.ts CPU):
//   a (www) [1, 2, 3, NaN]   b (www) [3, NaN, 5, 7]   c (api) [10, 20, 30, 40]
import { describe, expect, it } from 'vitest';
import { MemorySource, T0, windowOf } from './helpers/asl-memory-source.ts';
import { evaluate } from '../query/asl/evaluator.ts';
import { CPU, expectValues, run, single, valuesOf } from './helpers/asl-run.ts';

describe('ASL data words', () => {
  it(':sum adds the series per step, NaN counting as absent', async () => {
    const line = await single('name,cpu,:eq,:sum');
    expect(line.label).toBe('sum(name=cpu)');
    expect(line.tags).toEqual({ name: 'cpu' });
    expectValues(line.values, [14, 22, 38, 47]);
  });

  it('a bare query at the end means :sum', async () => {
    const line = await single('name,cpu,:eq');
    expect(line.label).toBe('sum(name=cpu)');
    expectValues(line.values, [14, 22, 38, 47]);
  });

  it(':count counts the series with a value', async () => {
    const line = await single('name,cpu,:eq,:count');
    expect(line.label).toBe('count(name=cpu)');
    expectValues(line.values, [3, 2, 3, 2]);
  });

  it(':min and :max', async () => {
    expectValues(await valuesOf('name,cpu,:eq,:min'), [1, 2, 3, 7]);
    expectValues(await valuesOf('name,cpu,:eq,:max'), [10, 20, 30, 40]);
  });

  it(':all returns every series with all its tags, labelled by its tags', async () => {
    const lines = await run('name,cpu,:eq,:all');
    expect(lines.map((l) => l.label)).toEqual(['app=www, name=cpu, node=a', 'app=www, name=cpu, node=b', 'app=api, name=cpu, node=c']);
    expectValues(lines[1]!.values, [3, NaN, 5, 7]);
  });

  it(':by groups, one line per group sorted by key, labelled (k=v)', async () => {
    const lines = await run('name,cpu,:eq,:sum,(,app,),:by');
    expect(lines.map((l) => l.label)).toEqual(['(app=api)', '(app=www)']);
    expect(lines.map((l) => l.tags)).toEqual([{ name: 'cpu', app: 'api' }, { name: 'cpu', app: 'www' }]);
    expectValues(lines[0]!.values, [10, 20, 30, 40]);
    expectValues(lines[1]!.values, [4, 2, 8, 7]);
    expect(lines[1]!.groupByKeys).toEqual(['app']);
  });

  it(':by on a bare query groups its :sum; on :max the max per group', async () => {
    expectValues((await run('name,cpu,:eq,(,app,),:by'))[1]!.values, [4, 2, 8, 7]);
    expectValues((await run('name,cpu,:eq,:max,(,app,),:by'))[1]!.values, [3, 2, 5, 7]);
  });

  it(':by drops series lacking a key', async () => {
    expect(await run('name,cpu,:eq,:sum,(,zone,),:by')).toEqual([]);
  });

  it(':offset fetches an earlier window; timestamps stay the graph ones', async () => {
    const line = await single('name,cpu,:eq,:sum,1m,:offset');
    expect(line.label).toBe('sum(name=cpu) (offset=1m)');
    expectValues(line.values, [NaN, 14, 22, 38]);
  });

  it('a list of offsets draws the expression once per offset', async () => {
    const lines = await run('name,cpu,:eq,:sum,(,0m,1m,),:offset');
    expect(lines.map((l) => l.label)).toEqual(['sum(name=cpu)', 'sum(name=cpu) (offset=1m)']);
    expectValues(lines[0]!.values, [14, 22, 38, 47]);
    expectValues(lines[1]!.values, [NaN, 14, 22, 38]);
    await expect(run('name,cpu,:eq,:sum,(,soon,),:offset')).rejects.toThrow(
      'invalid argument for :offset at position 27: "soon" is not a duration such as 1w, 3h or PT5M',
    );
  });

  describe('consolidation to a 2-minute step (pairs of samples; cf-avg counts NaN as 0)', () => {
    const window = { start: T0, end: T0 + 240_000, step: 120_000 };
    it.each([
      // a: avg [1.5, 1.5] b: [1.5, 6] c: [15, 35]
      ['name,cpu,:eq,:sum', [18, 42.5]],
      ['name,cpu,:eq,:sum,:cf-avg', [18, 42.5]],
      // a: [2, 3] b: [3, 7] c: [20, 40]
      ['name,cpu,:eq,:sum,:cf-max', [25, 50]],
      // a: [1, 3] b: [3, 5] c: [10, 30]
      ['name,cpu,:eq,:sum,:cf-min', [14, 38]],
      // a: [3, 3] b: [3, 12] c: [30, 70]
      ['name,cpu,:eq,:sum,:cf-sum', [36, 85]],
    ])('%s', async (program, expected) => {
      expectValues(await valuesOf(program, CPU, window), expected);
    });

    it('defaults: :max consolidates with max, :min with min', async () => {
      const source = new MemorySource(CPU);
      await evaluate('name,cpu,:eq,:max,name,cpu,:eq,:min,name,cpu,:eq,:count,name,cpu,:eq,:all', window, source);
      expect(source.requests.map((r) => r.consolidation)).toEqual(['max', 'min', 'avg', 'avg']);
    });
  });

  it(':cq ANDs a query into every query of the expression', async () => {
    const line = await single('name,cpu,:eq,:sum,name,cpu,:eq,:max,:add,app,www,:eq,:cq');
    // sum www [4, 2, 8, 7] + max www [3, 2, 5, 7]
    expectValues(line.values, [7, 4, 13, 14]);
    expect(line.expression).toBe('name,cpu,:eq,app,www,:eq,:and,:sum,name,cpu,:eq,app,www,:eq,:and,:max,:add');
  });

  it(':cq on a query ANDs the two queries', async () => {
    const line = await single('name,cpu,:eq,app,api,:eq,:cq');
    expect(line.label).toBe('sum((name=cpu) and (app=api))');
    expect(line.tags).toEqual({ name: 'cpu', app: 'api' });
    expectValues(line.values, [10, 20, 30, 40]);
  });

  it(':cg adds group keys to every aggregate', async () => {
    const lines = await run('name,cpu,:eq,:sum,(,app,),:cg');
    expect(lines.map((l) => l.label)).toEqual(['(app=api)', '(app=www)']);
    expectValues(lines[1]!.values, [4, 2, 8, 7]);
  });

  it('identical data requests are fetched once', async () => {
    const source = new MemorySource(CPU);
    const result = await evaluate('name,cpu,:eq,:sum,:dup,:add,name,cpu,:eq', windowOf(4), source);
    expect(source.requests).toHaveLength(1);
    expectValues(result.lines[0]!.values, [28, 44, 76, 94]);
    expectValues(result.lines[1]!.values, [14, 22, 38, 47]);
  });

  it('no matching series: one NO DATA line tagged with the exact query tags', async () => {
    const line = await single('name,nope,:eq,:sum');
    expect(line.label).toBe('NO DATA');
    expect(line.tags).toEqual({ name: 'nope' });
    expectValues(line.values, [NaN, NaN, NaN, NaN]);
  });
});
