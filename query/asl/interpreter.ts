// The stack machine: runs tokens left to right, pushing plain tokens and executing words.
// A word declares the types it pops (bottom to top); several words may share a name
// (`:and` on queries or on lines, `:sum` on a query or on lines) and the first whose
// types match the stack runs, as in Atlas. Errors name the word and its position.
import { vigilError } from '../../schemas/errors.ts';
import { parseDuration } from './duration.ts';
import { describe, type StyleSettings, type TsExpr, type Value } from './expr.ts';
import type { Item } from './parser.ts';
import { parse } from './parser.ts';
import { expandedSize } from './tree.ts';
import type { TagQuery } from './types.ts';

/** A line-producing value as the style words see it. */
export interface Presentation {
  readonly expr: TsExpr;
  readonly style: StyleSettings;
  /** Whether the value was a styled expression (style words keep it styled). */
  readonly styled: boolean;
}

/** The value for a presentation whose expression was rewritten. */
export function present(p: Presentation, expr: TsExpr, style: StyleSettings = p.style): Value {
  return p.styled || style !== p.style ? { type: 'styled', expr, style } : { type: 'expr', expr };
}

interface ParamTypes {
  any: Value;
  string: string;
  int: number;
  number: number;
  duration: number;
  list: readonly Value[];
  strings: readonly string[];
  query: TagQuery;
  ts: TsExpr;
  presentation: Presentation;
}
export type Param = keyof ParamTypes;
type Args<P extends readonly Param[]> = { -readonly [I in keyof P]: P[I] extends Param ? ParamTypes[P[I]] : never };

const TYPE_NAMES: Record<Param, string> = {
  any: 'any item',
  string: 'String',
  int: 'Int',
  number: 'Double',
  duration: 'Duration',
  list: 'List',
  strings: 'List[String]',
  query: 'Query',
  ts: 'TimeSeriesExpr',
  presentation: 'TimeSeriesExpr|StyleExpr',
};

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export function parseNumber(text: string): number | undefined {
  if (NUMBER.test(text)) return Number(text);
  if (text === 'NaN') return NaN;
  if (text === 'Infinity' || text === '+Infinity') return Infinity;
  if (text === '-Infinity') return -Infinity;
  return undefined;
}

/** A bare query used as a line means `:sum` (Atlas rule). */
export function sumOf(query: TagQuery): TsExpr {
  return { kind: 'data', data: { query, fn: 'sum', groupBy: null, cf: null, offsetMs: 0 } };
}

function convert(param: Param, value: Value): unknown {
  switch (param) {
    case 'any':
      return value;
    case 'string':
      return value.type === 'string' ? value.text : undefined;
    case 'int':
      return value.type === 'string' && /^[-+]?\d+$/.test(value.text) ? Number(value.text) : undefined;
    case 'number':
      return value.type === 'string' ? parseNumber(value.text) : undefined;
    case 'duration':
      return value.type === 'string' ? parseDuration(value.text) : undefined;
    case 'list':
      return value.type === 'list' ? value.items : undefined;
    case 'strings':
      return value.type === 'list' && value.items.every((v) => v.type === 'string')
        ? value.items.map((v) => (v as { text: string }).text)
        : undefined;
    case 'query':
      return value.type === 'query' ? value.query : undefined;
    case 'ts':
      return asTs(value);
    case 'presentation': {
      if (value.type === 'styled') return { expr: value.expr, style: value.style, styled: true };
      const expr = asTs(value);
      return expr === undefined ? undefined : { expr, style: {}, styled: false };
    }
  }
}

function asTs(value: Value): TsExpr | undefined {
  if (value.type === 'expr') return value.expr;
  if (value.type === 'query') return sumOf(value.query);
  if (value.type === 'string') {
    const n = parseNumber(value.text);
    return n === undefined ? undefined : { kind: 'const', value: n };
  }
  return undefined;
}

export type WordResult = Value | readonly Value[] | void;

/** What a running word can reach besides its arguments. */
export interface WordCall {
  readonly interpreter: Interpreter;
  /** `:name` as written. */
  readonly word: string;
  readonly position: number;
  /** Throws VIGIL_ERR_ASL_BAD_ARGUMENT naming this word. */
  fail(detail: string): never;
}

export interface Word {
  readonly name: string;
  readonly params: readonly Param[];
  /** Stack effect as Atlas documents it, e.g. `TimeSeriesExpr TimeSeriesExpr -- TimeSeriesExpr`. */
  readonly signature: string;
  /** Macros run this program instead (their params are only checked, not popped). */
  readonly macro?: readonly Item[];
  /** The macro's result is a named rewrite: a later `:by` regroups the aggregates inside. */
  readonly rewrite?: boolean;
  readonly run: (args: unknown[], call: WordCall) => WordResult;
}

export function word<const P extends readonly Param[]>(
  name: string,
  params: P,
  outputs: string,
  run: (args: Args<P>, call: WordCall) => WordResult,
): Word {
  const signature = `${params.map((p) => TYPE_NAMES[p]).join(' ')} -- ${outputs}`.trim();
  return { name, params, signature, run: run as Word['run'] };
}

/** A word defined as a program of other words, e.g. `:avg`. */
export function macro(name: string, params: readonly Param[], body: string, rewrite = false): Word {
  const signature = `${params.map((p) => TYPE_NAMES[p]).join(' ')} -- ? (${body})`.trim();
  return { name, params, signature, macro: parse(body, Infinity), rewrite, run: () => undefined };
}

export interface Limits {
  /** Words executed, macros and loops included. */
  readonly maxSteps: number;
  /** Nested list executions (`:call` inside `:call`, recursive `:fcall`). */
  readonly maxDepth: number;
  /** Nodes of one expression, shared sub-expressions counted at each use. */
  readonly maxNodes: number;
}

export class Interpreter {
  /** Bottom first. */
  stack: Value[] = [];
  /** `:freeze` moves the stack here; it stays below the normal stack at the end. */
  frozen: Value[] = [];
  readonly variables = new Map<string, Value>();
  private steps = 0;
  private depth = 0;

  constructor(
    private readonly words: ReadonlyMap<string, readonly Word[]>,
    private readonly unsupported: ReadonlySet<string>,
    private readonly limits: Limits,
  ) {}

  /** Runs parser items (top level or a `:call`ed list). */
  run(items: readonly Item[]): void {
    this.execute(items.map((item) => toValue(item)));
  }

  execute(values: readonly Value[]): void {
    if (++this.depth > this.limits.maxDepth) {
      throw vigilError('VIGIL_ERR_ASL_TOO_MANY_TOKENS', 'nested calls', this.depth, this.limits.maxDepth);
    }
    for (const value of values) {
      if (value.type === 'string' && value.text.startsWith(':') && value.text.length > 1) {
        this.invoke(value.text.slice(1), value.position);
      } else {
        this.stack.push(value);
      }
    }
    this.depth--;
  }

  /** The stack as the program leaves it: frozen items first. */
  result(): Value[] {
    return [...this.frozen, ...this.stack];
  }

  private invoke(name: string, position: number): void {
    if (++this.steps > this.limits.maxSteps) {
      throw vigilError('VIGIL_ERR_ASL_TOO_MANY_TOKENS', 'word executions', this.steps, this.limits.maxSteps);
    }
    const candidates = this.words.get(name);
    if (candidates === undefined) {
      if (this.unsupported.has(name)) throw vigilError('VIGIL_ERR_ASL_UNSUPPORTED_WORD', `:${name}`, position);
      throw vigilError('VIGIL_ERR_ASL_UNKNOWN_WORD', `:${name}`, position);
    }
    for (const candidate of candidates) {
      const args = this.match(candidate.params);
      if (args === undefined) continue;
      if (candidate.macro !== undefined) {
        this.expand(candidate, candidate.macro, args, position);
        return;
      }
      const call: WordCall = {
        interpreter: this,
        word: `:${name}`,
        position,
        fail: (detail) => {
          throw vigilError('VIGIL_ERR_ASL_BAD_ARGUMENT', `:${name}`, position, detail);
        },
      };
      this.stack.length -= candidate.params.length;
      const result = candidate.run(args, call);
      if (result === undefined) return;
      const pushed = Array.isArray(result) ? (result as Value[]) : [result as Value];
      for (const value of pushed) this.checkSize(value);
      this.stack.push(...pushed);
      return;
    }
    const expected = candidates.map((c) => c.params.map((p) => TYPE_NAMES[p]).join(' ') || '(nothing)').join(' or ');
    const needed = Math.min(...candidates.map((c) => c.params.length));
    if (this.stack.length < needed) {
      throw vigilError('VIGIL_ERR_ASL_STACK_UNDERFLOW', `:${name}`, position, expected, this.stack.length);
    }
    const most = Math.max(...candidates.map((c) => c.params.length));
    const found = this.stack.slice(-Math.min(most, this.stack.length)).map(describe).join(', ');
    throw vigilError('VIGIL_ERR_ASL_WRONG_TYPE', `:${name}`, position, expected, found);
  }

  private checkSize(value: Value): void {
    if (value.type !== 'expr' && value.type !== 'styled') return;
    const size = expandedSize(value.expr);
    if (size > this.limits.maxNodes) throw vigilError('VIGIL_ERR_ASL_TOO_MANY_TOKENS', 'expression nodes', size, this.limits.maxNodes);
  }

  /**
   * Runs a macro's body. Like Atlas's typed macros, arguments enter the body converted (a
   * query given where a line is expected is already its `:sum`); a rewrite macro's result
   * is marked so that a later `:by` regroups inside it.
   */
  private expand(macro: Word, body: readonly Item[], args: unknown[], position: number): void {
    const base = this.stack.length - macro.params.length;
    macro.params.forEach((param, i) => {
      if (param === 'ts') this.stack[base + i] = { type: 'expr', expr: args[i] as TsExpr };
      if (param === 'presentation' && this.stack[base + i]!.type !== 'styled') {
        this.stack[base + i] = { type: 'expr', expr: (args[i] as Presentation).expr };
      }
    });
    this.execute(body.map((item) => toValue(item, position)));
    const top = this.stack.at(-1);
    if (macro.rewrite && top?.type === 'expr') {
      const rewrite: Value = { type: 'expr', expr: { kind: 'rewrite', name: macro.name, expr: top.expr } };
      this.checkSize(rewrite);
      this.stack[this.stack.length - 1] = rewrite;
    }
  }

  /** Converted arguments when the top of the stack fits `params`, else undefined. */
  private match(params: readonly Param[]): unknown[] | undefined {
    if (this.stack.length < params.length) return undefined;
    const base = this.stack.length - params.length;
    const args: unknown[] = [];
    for (let i = 0; i < params.length; i++) {
      const arg = convert(params[i]!, this.stack[base + i]!);
      if (arg === undefined) return undefined;
      args.push(arg);
    }
    return args;
  }
}

/** Parser items become stack values; words inside lists stay `:name` strings until run. */
function toValue(item: Item, macroPosition?: number): Value {
  const position = macroPosition ?? item.position;
  if (item.kind === 'list') return { type: 'list', items: item.items.map((i) => toValue(i, macroPosition)) };
  return { type: 'string', text: item.text, position };
}
