// Helpers for the stack-language golden tests: evaluate against hand-made series and
// compare values (NaN-aware) with numbers worked out by hand.
import { expect } from 'vitest';
import { ASL_LIMITS, evaluate } from '../../query/asl/evaluator.ts';
import type { Value } from '../../query/asl/expr.ts';
import { Interpreter } from '../../query/asl/interpreter.ts';
import { parse } from '../../query/asl/parser.ts';
import { queryText } from '../../query/asl/query.ts';
import { exprText } from '../../query/asl/tree.ts';
import type { StyledLine, Window } from '../../query/asl/types.ts';
import { UNSUPPORTED, WORDS } from '../../query/asl/vocabulary.ts';
import { VigilError } from '../../schemas/errors.ts';
import { type HandSeries, MemorySource, windowOf } from './asl-memory-source.ts';

/** Three CPU series over four one-minute steps. By hand: sum [14,22,38,47], count [3,2,3,2]. */
export const CPU: HandSeries[] = [
  { tags: { name: 'cpu', app: 'www', node: 'a' }, values: [1, 2, 3, NaN] },
  { tags: { name: 'cpu', app: 'www', node: 'b' }, values: [3, NaN, 5, 7] },
  { tags: { name: 'cpu', app: 'api', node: 'c' }, values: [10, 20, 30, 40] },
];

export async function run(program: string, series: readonly HandSeries[] = CPU, window: Window = windowOf(4), percentiles: readonly HandSeries[] = []): Promise<readonly StyledLine[]> {
  return (await evaluate(program, window, new MemorySource(series, percentiles))).lines;
}

/** The only line of the result. */
export async function single(program: string, series: readonly HandSeries[] = CPU, window?: Window): Promise<StyledLine> {
  const lines = await run(program, series, window);
  expect(lines, program).toHaveLength(1);
  return lines[0]!;
}

export function expectValues(actual: Float64Array, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    if (Number.isNaN(e)) expect(actual[i], `value ${i}`).toBeNaN();
    else if (!Number.isFinite(e)) expect(actual[i], `value ${i}`).toBe(e);
    else expect(actual[i], `value ${i}`).toBeCloseTo(e, 9);
  });
}

/** The single line's values. */
export async function valuesOf(program: string, series: readonly HandSeries[] = CPU, window?: Window): Promise<Float64Array> {
  return (await single(program, series, window)).values;
}

function show(value: Value): string {
  switch (value.type) {
    case 'string':
      return value.text;
    case 'list':
      return `(${value.items.map(show).join(' ')})`;
    case 'query':
      return queryText(value.query);
    case 'expr':
    case 'styled':
      return exprText(value.expr);
  }
}

/** The stack a program leaves (bottom first), each item shown as text. */
export function stackAfter(program: string): string[] {
  const interpreter = new Interpreter(WORDS, UNSUPPORTED, ASL_LIMITS);
  interpreter.run(parse(program, 10_000));
  return interpreter.result().map(show);
}

/** Runs the program and returns the catalogued error it must fail with. */
export async function failure(program: string, series: readonly HandSeries[] = CPU): Promise<VigilError> {
  try {
    await run(program, series);
  } catch (e) {
    expect(e).toBeInstanceOf(VigilError);
    expect((e as VigilError).status).toBe(400);
    return e as VigilError;
  }
  throw new Error(`expected ${program} to fail`);
}
