import { describe, expect, it } from 'vitest';
import { parse, tokenize } from '../query/asl/parser.ts';
import { failure } from './helpers/asl-run.ts';

describe('ASL parser', () => {
  it('splits on commas, trims whitespace, drops empty tokens and keeps positions', () => {
    expect(tokenize('name, cpu ,,:eq')).toEqual([
      { text: 'name', position: 0 },
      { text: 'cpu', position: 6 },
      { text: ':eq', position: 12 },
    ]);
  });

  it('builds nested lists; words inside lists stay tokens', () => {
    expect(parse('a,(,b,(,:dup,),),c', 100)).toEqual([
      { kind: 'token', text: 'a', position: 0 },
      {
        kind: 'list',
        position: 2,
        items: [
          { kind: 'token', text: 'b', position: 4 },
          { kind: 'list', position: 6, items: [{ kind: 'token', text: ':dup', position: 8 }] },
        ],
      },
      { kind: 'token', text: 'c', position: 17 },
    ]);
  });

  it('an unclosed ( is a syntax error at its position', async () => {
    const e = await failure('name,(,a');
    expect(e.code).toBe('VIGIL_ERR_ASL_SYNTAX');
    expect(e.message).toBe('stack language syntax error at position 5 near "(": list opened here is never closed with )');
  });

  it('the outer unclosed ( of nested lists is reported', async () => {
    const e = await failure('(,(,a,)');
    expect(e.message).toContain('position 0 near "("');
  });

  it('a ) without ( is a syntax error at its position', async () => {
    const e = await failure('a,)');
    expect(e.code).toBe('VIGIL_ERR_ASL_SYNTAX');
    expect(e.message).toBe('stack language syntax error at position 2 near ")": closing parenthesis without a matching (');
  });

  it('a bare colon is a syntax error', async () => {
    const e = await failure('a, :');
    expect(e.message).toContain('position 3 near ":"');
  });
});
