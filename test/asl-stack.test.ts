// Standard (stack) vocabulary: the stack each program leaves, bottom first.
import { describe, expect, it } from 'vitest';
import { expectValues, failure, run, stackAfter } from './helpers/asl-run.ts';

describe('ASL standard words', () => {
  it.each([
    ['(,a,:dup,),:call', ['a', 'a']],
    ['a,b,:clear', []],
    ['a,b,:depth', ['a', 'b', '2']],
    ['a,b,:drop', ['a']],
    ['a,:dup', ['a', 'a']],
    ['(,a,b,),(,:dup,),:each', ['a', 'a', 'b', 'b']],
    ['foo%s-%s,(,bar,1,),:format', ['foobar-1']],
    ['%.2f%%,(,0.5,),:format', ['0.50%']],
    ['a,:freeze,b,:clear,c', ['a', 'c']],
    ['k,v,:set,k,:get', ['v']],
    ['a,b,1,:pick', ['a', 'b', 'a']],
    ['(,a%s,b%s,),(,(,.c,),:format,),:map', ['(a.c b.c)']],
    ['a,b,c,2,:ndrop', ['a']],
    ['a,b,c,2,:nlist', ['a', '(b c)']],
    ['a,b,:over', ['a', 'b', 'a']],
    ['a,b,c,2,:roll', ['b', 'c', 'a']],
    ['a,b,c,d,:rot', ['b', 'c', 'd', 'a']],
    ['a,b,c,d,:-rot', ['d', 'a', 'b', 'c']],
    ['a,b,:swap', ['b', 'a']],
    ['a,b,:list', ['(a b)']],
    ['a,b,:2over', ['a', 'b', 'a', 'b']],
    ['a,b,:nip', ['b']],
    ['a,b,:tuck', ['b', 'a', 'b']],
    ['duplicate,(,:dup,),:set,a,duplicate,:fcall', ['a', 'a']],
    ['v,k,:sset,k,:get', ['v']],
  ])('%s', (program, expected) => {
    expect(stackAfter(program)).toEqual(expected);
  });

  it(':list and :each apply a common query to every expression, :freeze protects the ones below', async () => {
    const lines = await run('name,cpu,:eq,:min,:freeze,name,cpu,:eq,:sum,name,cpu,:eq,:max,:list,(,app,www,:eq,:cq,),:each');
    expect(lines.map((l) => l.expression)).toEqual([
      'name,cpu,:eq,:min',
      'name,cpu,:eq,app,www,:eq,:and,:sum',
      'name,cpu,:eq,app,www,:eq,:and,:max',
    ]);
    expectValues(lines[1]!.values, [4, 2, 8, 7]);
    expectValues(lines[2]!.values, [3, 2, 5, 7]);
  });

  it(':get of an unset variable is a 400 naming it', async () => {
    const e = await failure('nope,:get');
    expect(e.message).toBe('invalid argument for :get at position 5: no variable "nope" was set with :set');
  });

  it(':pick beyond the stack is a stack underflow', async () => {
    const e = await failure('a,3,:pick');
    expect(e.code).toBe('VIGIL_ERR_ASL_STACK_UNDERFLOW');
    expect(e.message).toContain(':pick at position 4');
  });
});
