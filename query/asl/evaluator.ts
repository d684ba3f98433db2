// Evaluates an Atlas stack-language program: parse, run the words (building expression
// trees), fetch every distinct data request from the store once (in parallel), then
// evaluate the trees and apply their styles. `compile` is the I/O-free first half.
import { vigilError } from '../../schemas/errors.ts';
import type { DataNode, StyleSettings, TsExpr, Value } from './expr.ts';
import { describe } from './expr.ts';
import { Interpreter, parseNumber, sumOf } from './interpreter.ts';
import { type EvalData, evalExpr } from './lines.ts';
import { parse } from './parser.ts';
import { present } from './presentation.ts';
import { fetches, withOffset } from './tree.ts';
import type { DataRequest, Evaluate, GraphResult, PercentilesRequest, Series, SeriesSource, StyledLine, Window } from './types.ts';
import { UNSUPPORTED, WORDS } from './vocabulary.ts';

export const ASL_LIMITS = {
  /** Tokens in the program text. */
  maxTokens: 10_000,
  /** Words executed, macros and `:each`/`:map` iterations included. */
  maxSteps: 100_000,
  /** Nested list executions (`:call`, `:each`, macros, recursive `:fcall`). */
  maxDepth: 200,
  /** Expression nodes, shared sub-expressions counted at each use (`:dup` doubles them). */
  maxNodes: 10_000,
  /** Lines in the result, all expressions together. */
  maxLines: 10_000,
} as const;

/** One expression to draw, as the program left it on the stack (bottom first). */
export interface CompiledLine {
  readonly expr: TsExpr;
  readonly style: StyleSettings;
}

function toCompiled(value: Value, index: number): CompiledLine {
  switch (value.type) {
    case 'styled':
      return { expr: value.expr, style: value.style };
    case 'expr':
      return { expr: value.expr, style: {} };
    case 'query':
      return { expr: sumOf(value.query), style: {} };
    case 'string': {
      // A number left on the stack is a constant line (Atlas).
      const n = parseNumber(value.text);
      if (n !== undefined) return { expr: { kind: 'const', value: n }, style: {} };
      throw vigilError('VIGIL_ERR_ASL_NOT_A_LINE', index, describe(value));
    }
    case 'list':
      throw vigilError('VIGIL_ERR_ASL_NOT_A_LINE', index, describe(value));
  }
}

/** A list of offsets draws the expression once per offset. */
function expandOffsets(line: CompiledLine): CompiledLine[] {
  const { offsets, ...style } = line.style;
  return offsets === undefined ? [line] : offsets.map((ms) => ({ expr: withOffset(line.expr, ms), style }));
}

/** Parses and runs the program; throws catalogued 400s for bad programs. No I/O. */
export function compile(program: string): CompiledLine[] {
  const interpreter = new Interpreter(WORDS, UNSUPPORTED, ASL_LIMITS);
  interpreter.run(parse(program, ASL_LIMITS.maxTokens));
  return interpreter.result().map(toCompiled).flatMap(expandOffsets);
}

const DEFAULT_CF = { sum: 'avg', count: 'avg', all: 'avg', min: 'min', max: 'max' } as const;

export function dataRequest(node: DataNode): DataRequest {
  return {
    query: node.query,
    aggregation: node.fn,
    groupBy: node.groupBy ?? [],
    consolidation: node.cf ?? DEFAULT_CF[node.fn],
    offsetMs: node.offsetMs,
  };
}

function percentilesRequest(node: Extract<TsExpr, { kind: 'percentiles' }>): PercentilesRequest {
  return { query: node.query, groupBy: node.groupBy, percentiles: node.percentiles, offsetMs: node.offsetMs };
}

type Fetched = ReturnType<typeof fetches>[number];

function requestKey(node: Fetched): string {
  return 'fn' in node ? `d${JSON.stringify(dataRequest(node))}` : `p${JSON.stringify(percentilesRequest(node))}`;
}

/** Every distinct request of the program, fetched once and in parallel. */
async function fetchAll(lines: readonly CompiledLine[], window: Window, source: SeriesSource): Promise<Map<string, Series[]>> {
  const pending = new Map<string, Promise<Series[]>>();
  for (const node of lines.flatMap((l) => fetches(l.expr))) {
    const key = requestKey(node);
    if (pending.has(key)) continue;
    pending.set(key, 'fn' in node ? source.fetch(dataRequest(node), window) : source.percentiles(percentilesRequest(node), window));
  }
  const keys = [...pending.keys()];
  const results = await Promise.all(pending.values());
  return new Map(keys.map((k, i) => [k, results[i]!]));
}

export async function evaluateCompiled(lines: readonly CompiledLine[], window: Window, source: SeriesSource, now = Date.now()): Promise<GraphResult> {
  const fetched = await fetchAll(lines, window, source);
  const data: EvalData = {
    window,
    length: Math.max(0, Math.ceil((window.end - window.start) / window.step)),
    now,
    memo: new Map(),
    series: (node) => fetched.get(requestKey(node)) ?? [],
    percentiles: (node) => fetched.get(requestKey(node)) ?? [],
  };
  const result: StyledLine[] = [];
  for (const line of lines) {
    // Counted after :limit / :head, so `:all,5,:limit` over many series is fine.
    const styled = present(line.expr, line.style, evalExpr(line.expr, data));
    if (result.length + styled.length > ASL_LIMITS.maxLines) {
      throw vigilError('VIGIL_ERR_ASL_TOO_MANY_LINES', result.length + styled.length, ASL_LIMITS.maxLines);
    }
    result.push(...styled);
  }
  return { lines: result, notices: [] };
}

export const evaluate: Evaluate = (program, window, source) => evaluateCompiled(compile(program), window, source);
