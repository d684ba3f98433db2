// The expression text reported per line (Atlas's `query` in /api/v2/fetch) is itself a
// program that compiles back to the same expression.
import { describe, expect, it } from 'vitest';
import { compile } from '../query/asl/evaluator.ts';
import { exprText } from '../query/asl/tree.ts';

const PROGRAMS = [
  'name,cpu,:eq,:sum',
  'name,cpu,:eq,app,www,:eq,:and,:max,(,app,node,),:by,1h,:offset',
  'name,cpu,:eq,:sum,:cf-max,(,app,),:by',
  'app,(,a,b,),:in,zone,:has,:or,:not,:all',
  'name,x,:eq,(,app,),:by,(,99.9,50,),:percentiles,1w,:offset',
  'name,cpu,:eq,:sum,5,:clamp-min,:abs,:per-step,2,:pow,name,cpu,:eq,:count,:fdiv',
  'name,cpu,:eq,:max,(,app,node,),:by,:sum,(,app,),:by,app,application,:as',
  'name,cpu,:eq,:sum,3m,:trend,5,:rolling-count,3,2,:rolling-mean,10,0.1,0.02,:sdes,:integral',
  'name,cpu,:eq,:all,max,3,:topk-others-avg,avg,:stat',
  'name,cpu,:eq,:all,:stat-max,50,:gt,:filter',
  'hourOfDay,:time,gs+1m,e-5m,:time-span,:mul,7,:srandom,:add',
];

describe('ASL expression text', () => {
  it.each(PROGRAMS)('%s', (program) => {
    const first = compile(program).map((l) => exprText(l.expr));
    expect(first).toHaveLength(1);
    const again = compile(first[0]!).map((l) => exprText(l.expr));
    expect(again).toEqual(first);
  });

  it('is the canonical form of the program', () => {
    expect(exprText(compile('name,cpu,:eq,(,app,),:by')[0]!.expr)).toBe('name,cpu,:eq,:sum,(,app,),:by');
    expect(exprText(compile('name,cpu,:eq,80,:gt')[0]!.expr)).toBe('name,cpu,:eq,:sum,80,:const,:gt');
  });
});
