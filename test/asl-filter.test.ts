// Filter vocabulary. CPU (test/helpers/asl-run.ts): a (www) [1, 2, 3, NaN], b (www) [3, NaN, 5, 7],
// c (api) [10, 20, 30, 40]. By app: api [10, 20, 30, 40] (avg 25, max 40, min 10, last 40,
// count 4, total 100) and www [4, 2, 8, 7] (avg 5.25, max 8, min 2, last 7, count 4, total 21).
import { describe, expect, it } from 'vitest';
import { expectValues, run } from './helpers/asl-run.ts';

const BY_APP = 'name,cpu,:eq,:sum,(,app,),:by';
const NODES = 'name,cpu,:eq,:max,(,app,node,),:by';

describe('ASL filter words', () => {
  it.each([
    ['avg', [25, 5.25]],
    ['max', [40, 8]],
    ['min', [10, 2]],
    ['last', [40, 7]],
    ['count', [4, 4]],
    ['total', [100, 21]],
  ])('%s,:stat is a constant line of the statistic', async (stat, [api, www]) => {
    const lines = await run(`${BY_APP},${stat},:stat`);
    expect(lines[0]!.label).toBe(`stat-${stat}((app=api))`);
    expectValues(lines[0]!.values, [api!, api!, api!, api!]);
    expectValues(lines[1]!.values, [www!, www!, www!, www!]);
  });

  it(':stat ignores NaN (a = [1, 2, 3, NaN])', async () => {
    const stats = await run('node,a,:eq,:sum,:dup,last,:stat,:over,count,:stat,:rot,avg,:stat');
    expect(stats.map((l) => l.values[0])).toEqual([3, 3, 2]);
  });

  it.each([
    [':stat-max,20,:gt', ['api']],
    [':stat-min,3,:lt', ['www']],
    [':stat-avg,10,:gt', ['api']],
    [':stat-last,7,:le', ['www']],
    [':stat-count,4,:ge', ['api', 'www']],
    [':stat-total,50,:lt', ['www']],
  ])('%s,:filter keeps the lines whose statistic passes', async (condition, apps) => {
    const lines = await run(`${BY_APP},${condition},:filter`);
    expect(lines.map((l) => l.tags.app)).toEqual(apps);
  });

  it(':filter with a single-line condition keeps all lines or none', async () => {
    expect(await run('name,cpu,:eq,:all,name,cpu,:eq,:sum,40,:gt,:filter')).toHaveLength(3);
    expect(await run('name,cpu,:eq,:all,name,cpu,:eq,:sum,50,:gt,:filter')).toHaveLength(0);
  });

  it(':filter on ungrouped lines pairs each line with its own statistic', async () => {
    const lines = await run('name,cpu,:eq,:all,:stat-max,6,:gt,:filter');
    expect(lines.map((l) => l.tags.node)).toEqual(['b', 'c']);
  });

  it(':topk and :bottomk keep k lines by a statistic, highest first for :topk', async () => {
    expect((await run('name,cpu,:eq,:all,max,2,:topk')).map((l) => l.tags.node)).toEqual(['c', 'b']);
    expect((await run('name,cpu,:eq,:all,min,1,:bottomk')).map((l) => l.tags.node)).toEqual(['a']);
  });

  it.each([
    // others are a [1, 2, 3, NaN] and b [3, NaN, 5, 7]
    ['sum', [4, 2, 8, 7]],
    ['max', [3, 2, 5, 7]],
    ['min', [1, 2, 3, 7]],
    ['avg', [2, 2, 4, 7]],
  ])(':topk-others-%s aggregates the rest into an --others-- line', async (agg, expected) => {
    const lines = await run(`${NODES},max,1,:topk-others-${agg}`);
    expect(lines.map((l) => l.label)).toEqual(['app=--others--, name=cpu, node=--others--', '(app=api node=c)']);
    expect(lines[0]!.tags).toEqual({ name: 'cpu', app: '--others--', node: '--others--' });
    expectValues(lines[0]!.values, expected);
  });

  it.each([
    // bottom 1 by max keeps a (max 3); others are b [3, NaN, 5, 7] and c [10, 20, 30, 40]
    ['sum', [13, 20, 35, 47]],
    ['max', [10, 20, 30, 40]],
    ['min', [3, 20, 5, 7]],
    ['avg', [6.5, 20, 17.5, 23.5]],
  ])(':bottomk-others-%s', async (agg, expected) => {
    const lines = await run(`${NODES},max,1,:bottomk-others-${agg}`);
    expect(lines[1]!.tags.node).toBe('a');
    expectValues(lines[0]!.values, expected);
  });

  it('k must be positive', async () => {
    await expect(run(`${NODES},max,0,:topk`)).rejects.toThrow('k must be positive');
  });
});
