// docs/asl.md lists every implemented word with an example and every unsupported one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UNSUPPORTED, WORDS } from '../query/asl/vocabulary.ts';

const doc = readFileSync(new URL('../docs/asl.md', import.meta.url), 'utf8');

describe('docs/asl.md', () => {
  it('has a table row for every implemented word', () => {
    const missing = [...WORDS.keys()].filter((name) => !doc.includes(`| \`:${name}\``));
    expect(missing).toEqual([]);
  });

  it('names every unsupported word', () => {
    const missing = [...UNSUPPORTED].filter((name) => !doc.includes(`\`:${name}\``));
    expect(missing).toEqual([]);
  });
});
