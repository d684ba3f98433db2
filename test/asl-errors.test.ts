// Bad programs answer catalogued 400s that name the word, its position and the problem.
import { describe, expect, it } from 'vitest';
import type { HandSeries } from './helpers/asl-memory-source.ts';
import { failure, run } from './helpers/asl-run.ts';
import { ASL_LIMITS } from '../query/asl/evaluator.ts';

describe('ASL errors', () => {
  it('unknown word', async () => {
    const e = await failure('name,cpu,:eq,:foo');
    expect(e.code).toBe('VIGIL_ERR_ASL_UNKNOWN_WORD');
    expect(e.message).toBe('unknown word :foo at position 13; docs/asl.md lists the vocabulary');
  });

  it('an Atlas word Vigil does not implement is named as unsupported, not unknown', async () => {
    const e = await failure('name,cpu,:eq,:sum,:approx-distinct');
    expect(e.code).toBe('VIGIL_ERR_ASL_UNSUPPORTED_WORD');
    expect(e.message).toBe('the Atlas word :approx-distinct at position 18 is not supported by Vigil; docs/asl.md lists the supported words');
  });

  it('stack underflow names the word and what it expects', async () => {
    const e = await failure('name,cpu,:eq,:sum,:add');
    expect(e.code).toBe('VIGIL_ERR_ASL_STACK_UNDERFLOW');
    expect(e.message).toBe('stack underflow: :add at position 18 expects TimeSeriesExpr TimeSeriesExpr but the stack holds 1 item(s)');
  });

  it('underflow inside a macro names the macro', async () => {
    const e = await failure(':nip');
    expect(e.message).toBe('stack underflow: :nip at position 0 expects any item any item but the stack holds 0 item(s)');
  });

  it('wrong types name the word, what it expects and what it found', async () => {
    const e = await failure('name,cpu,:eq,a,:and');
    expect(e.code).toBe('VIGIL_ERR_ASL_WRONG_TYPE');
    expect(e.message).toBe(
      'wrong type for :and at position 15: expected Query Query or TimeSeriesExpr TimeSeriesExpr, found a query, the string "a"',
    );
  });

  it('a list where a line is expected', async () => {
    const e = await failure('(,a,),:abs');
    expect(e.message).toBe('wrong type for :abs at position 6: expected TimeSeriesExpr, found a list of 1 item(s)');
  });

  it('a duration that does not parse', async () => {
    const e = await failure('name,cpu,:eq,:sum,soon,:offset');
    expect(e.code).toBe('VIGIL_ERR_ASL_WRONG_TYPE');
    expect(e.message).toContain('expected TimeSeriesExpr|StyleExpr Duration or TimeSeriesExpr|StyleExpr List[String], found a time series expression, the string "soon"');
  });

  it('a string left on the stack is not a line', async () => {
    const e = await failure('name,cpu,:eq,:sum,hello');
    expect(e.code).toBe('VIGIL_ERR_ASL_NOT_A_LINE');
    expect(e.message).toContain('stack item 1 (from the bottom, 0-based) is the string "hello"');
  });

  it('unbalanced parentheses', async () => {
    expect((await failure('name,cpu,:eq,(,app,:by')).message).toContain('position 13 near "("');
    expect((await failure('name,cpu,:eq,app,),:by')).message).toContain('position 17 near ")"');
  });

  it('too many tokens', async () => {
    const e = await failure(Array(ASL_LIMITS.maxTokens + 1).fill('a').join(','));
    expect(e.code).toBe('VIGIL_ERR_ASL_TOO_MANY_TOKENS');
    expect(e.message).toBe(`the expression has too many tokens (${ASL_LIMITS.maxTokens + 1}; the limit is ${ASL_LIMITS.maxTokens})`);
  });

  it('runaway recursion is stopped', async () => {
    const e = await failure('f,(,f,:fcall,),:set,f,:fcall');
    expect(e.code).toBe('VIGIL_ERR_ASL_TOO_MANY_TOKENS');
    expect(e.message).toContain('too many nested calls');
  });

  it('runaway loops are stopped', async () => {
    // 100 x 100 x 100 :drop = 1,000,000 word executions
    const xs = `xs,(,${Array(100).fill('x').join(',')},),:set`;
    const e = await failure(`${xs},xs,:get,(,:drop,xs,:get,(,:drop,xs,:get,(,:drop,),:each,),:each,),:each`);
    expect(e.message).toContain(`too many word executions (${ASL_LIMITS.maxSteps + 1}; the limit is ${ASL_LIMITS.maxSteps})`);
  });

  it('expressions that double at each step are stopped while they are built', async () => {
    // :dup,:add shares one node but means 2^n evaluations; 30 doublings would never finish.
    const e = await failure(`name,cpu,:eq,:sum${',:dup,:add'.repeat(30)}`);
    expect(e.message).toBe(`the expression has too many expression nodes (16383; the limit is ${ASL_LIMITS.maxNodes})`);
  });

  it('shared sub-expressions are fetched and evaluated once', async () => {
    // 12 doublings: 8191 nodes, 4096 uses of the sum: 14 * 4096 = 57344 per step.
    const [line] = await run(`name,cpu,:eq,:sum${',:dup,:add'.repeat(12)}`);
    expect([...line!.values]).toEqual([14 * 4096, 22 * 4096, 38 * 4096, 47 * 4096]);
  });

  it('too many lines', async () => {
    const many: HandSeries[] = Array.from({ length: ASL_LIMITS.maxLines + 1 }, (_, i) => ({ tags: { name: 'm', id: String(i) }, values: [1] }));
    const e = await failure('name,m,:eq,:all', many);
    expect(e.code).toBe('VIGIL_ERR_ASL_TOO_MANY_LINES');
    expect(e.message).toContain(`yields ${ASL_LIMITS.maxLines + 1} lines, more than the limit of ${ASL_LIMITS.maxLines}`);
    // The limit counts the lines drawn, after :limit.
    expect(await run('name,m,:eq,:all,5,:limit', many)).toHaveLength(5);
  });

  it('binary math where one key matches several lines', async () => {
    // Renaming app to node gives a and b identical tags.
    const e = await failure('name,cpu,:eq,:all,app,node,:as,:dup,:add');
    expect(e.code).toBe('VIGIL_ERR_ASL_EVALUATION');
  });
});
