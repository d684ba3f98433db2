// Query vocabulary: which hand-made series each query selects (seen through :all).
import { describe, expect, it } from 'vitest';
import type { HandSeries } from './helpers/asl-memory-source.ts';
import { CPU, run } from './helpers/asl-run.ts';

const SERIES: HandSeries[] = [...CPU, { tags: { name: 'mem', app: 'www', node: 'a', zone: 'us-east-1a' }, values: [5, 5, 5, 5] }];

/** `name/node` of every series the query selects, sorted. */
async function selected(query: string): Promise<string[]> {
  const lines = await run(`${query},:all`, SERIES);
  return lines.map((l) => `${l.tags.name}/${l.tags.node}`).sort();
}

describe('ASL query words', () => {
  it.each([
    [':true', ['cpu/a', 'cpu/b', 'cpu/c', 'mem/a']],
    [':false', []],
    ['zone,:has', ['mem/a']],
    ['name,cpu,:eq', ['cpu/a', 'cpu/b', 'cpu/c']],
    // Tag values compare as strings: "api" < "b" < "www".
    ['app,b,:lt', ['cpu/c']],
    ['app,api,:le', ['cpu/c']],
    ['app,b,:gt', ['cpu/a', 'cpu/b', 'mem/a']],
    ['app,www,:ge', ['cpu/a', 'cpu/b', 'mem/a']],
    ['app,ww,:re', ['cpu/a', 'cpu/b', 'mem/a']],
    // :re is anchored at the start: "api" contains "pi" but does not start with it.
    ['app,pi,:re', []],
    ['app,WWW,:reic', ['cpu/a', 'cpu/b', 'mem/a']],
    ['app,pi,:contains', ['cpu/c']],
    ['app,ap,:starts', ['cpu/c']],
    ['app,ww,:ends', ['cpu/a', 'cpu/b', 'mem/a']],
    ['node,(,a,c,),:in', ['cpu/a', 'cpu/c', 'mem/a']],
    ['name,cpu,:eq,app,www,:eq,:and', ['cpu/a', 'cpu/b']],
    ['node,a,:eq,node,c,:eq,:or', ['cpu/a', 'cpu/c', 'mem/a']],
    ['name,cpu,:eq,:not', ['mem/a']],
  ])('%s', async (query, expected) => {
    expect(await selected(query)).toEqual(expected);
  });

  it(':and / :or with :true and :false simplify (Atlas)', async () => {
    const lines = await run('name,cpu,:eq,:true,:and,:sum,name,cpu,:eq,:false,:or,:sum');
    expect(lines.map((l) => l.expression)).toEqual(['name,cpu,:eq,:sum', 'name,cpu,:eq,:sum']);
  });

  it('a bad :re pattern is a catalogued 400 naming the word', async () => {
    await expect(run('app,[,:re,:all')).rejects.toThrow('invalid argument for :re at position 6');
  });
});
