// Parser of the Atlas stack language: comma-separated tokens, `(` ... `)` lists (nested).
// Words (`:name`) stay plain tokens here: inside a list they are data until `:call`,
// `:each` or `:map` runs the list, so the interpreter decides, not the parser. Every
// token keeps its character offset so errors can say where they are.
import { vigilError } from '../../schemas/errors.ts';

export interface Token {
  readonly text: string;
  /** Character offset of the token's first character in the program. */
  readonly position: number;
}

export type Item =
  | { readonly kind: 'token'; readonly text: string; readonly position: number }
  | { readonly kind: 'list'; readonly items: readonly Item[]; readonly position: number };

/** Splits on commas and trims whitespace; empty tokens are dropped (as Atlas does). */
export function tokenize(program: string): Token[] {
  const tokens: Token[] = [];
  let start = 0;
  for (let i = 0; i <= program.length; i++) {
    if (i < program.length && program[i] !== ',') continue;
    const raw = program.slice(start, i);
    const text = raw.trim();
    if (text !== '') tokens.push({ text, position: start + raw.indexOf(text) });
    start = i + 1;
  }
  return tokens;
}

export function parse(program: string, maxTokens: number): Item[] {
  const tokens = tokenize(program);
  if (tokens.length > maxTokens) throw vigilError('VIGIL_ERR_ASL_TOO_MANY_TOKENS', 'tokens', tokens.length, maxTokens);
  const root: Item[] = [];
  // Each open list: where it started and the items collected so far.
  const open: { position: number; items: Item[] }[] = [];
  for (const token of tokens) {
    const current = open.at(-1)?.items ?? root;
    if (token.text === '(') {
      open.push({ position: token.position, items: [] });
    } else if (token.text === ')') {
      const list = open.pop();
      if (list === undefined) throw vigilError('VIGIL_ERR_ASL_SYNTAX', token.position, ')', 'closing parenthesis without a matching (');
      (open.at(-1)?.items ?? root).push({ kind: 'list', items: list.items, position: list.position });
    } else if (token.text === ':') {
      throw vigilError('VIGIL_ERR_ASL_SYNTAX', token.position, ':', 'a word needs a name after the colon');
    } else {
      current.push({ kind: 'token', text: token.text, position: token.position });
    }
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) throw vigilError('VIGIL_ERR_ASL_SYNTAX', unclosed.position, '(', 'list opened here is never closed with )');
  return root;
}
