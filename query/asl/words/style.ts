// Style vocabulary: how an expression's lines are drawn and labelled. The settings ride
// along with the expression and are applied to its lines after evaluation (style.ts at
// the top of query/asl).
import type { SortBy, StyleSettings } from '../expr.ts';
import { type Presentation, type Word, type WordCall, macro, present, word } from '../interpreter.ts';
import type { LineStyle } from '../types.ts';

const LINE_STYLES: readonly LineStyle[] = ['line', 'area', 'stack', 'vspan', 'heatmap'];
const SORTS: readonly SortBy[] = ['legend', 'min', 'max', 'avg', 'count', 'total', 'last'];
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)[*+{]/;

function styled(name: string, param: 'string' | 'int', apply: (value: never, call: WordCall) => StyleSettings): Word {
  return word(name, ['presentation', param] as const, 'StyleExpr', ([p, value]: [Presentation, string | number], call) =>
    present(p, p.expr, { ...p.style, ...apply(value as never, call) }),
  );
}

function oneOf<T extends string>(value: string, allowed: readonly T[], call: WordCall): T {
  if (!(allowed as readonly string[]).includes(value)) call.fail(`${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value as T;
}

function hexColor(text: string, call: WordCall): StyleSettings {
  const hex = text.replace(/^#/, '');
  if (!/^(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/.test(hex)) call.fail(`${JSON.stringify(text)} is not a hex color (RGB, RRGGBB or AARRGGBB)`);
  if (hex.length === 3) return { color: [...hex].map((c) => c + c).join('').toLowerCase() };
  if (hex.length === 8) return { color: hex.slice(2).toLowerCase(), alpha: parseInt(hex.slice(0, 2), 16) };
  return { color: hex.toLowerCase() };
}

export const styleWords: readonly Word[] = [
  styled('legend', 'string', (legend: string) => ({ legend })),
  styled('color', 'string', hexColor),
  styled('alpha', 'string', (text: string, call) => {
    if (!/^[0-9a-fA-F]{2}$/.test(text)) call.fail(`${JSON.stringify(text)} is not a two-digit hex alpha (00 transparent .. ff opaque)`);
    return { alpha: parseInt(text, 16) };
  }),
  styled('palette', 'string', (palette: string) => ({ palette })),
  styled('ls', 'string', (text: string, call) => ({ lineStyle: oneOf(text, LINE_STYLES, call) })),
  styled('lw', 'int', (n: number, call) => {
    if (n < 1 || n > 20) call.fail(`the line width must be in 1..20, got ${n}`);
    return { lineWidth: n };
  }),
  styled('axis', 'int', (n: number, call) => {
    if (n < 0 || n > 4) call.fail(`the axis must be in 0..4, got ${n}`);
    return { axis: n };
  }),
  styled('decode', 'string', (text: string, call) => ({ decode: oneOf(text, ['none', 'hex'] as const, call) })),
  styled('sort', 'string', (text: string, call) => ({ sort: oneOf(text, SORTS, call) })),
  styled('order', 'string', (text: string, call) => ({ order: oneOf(text, ['asc', 'desc'] as const, call) })),
  styled('limit', 'int', (n: number, call) => {
    if (n < 0) call.fail(`the limit must not be negative, got ${n}`);
    return { limit: n };
  }),
  word('s', ['presentation', 'string', 'string'] as const, 'StyleExpr', ([p, search, replace], call) => {
    try {
      new RegExp(search);
    } catch (e) {
      call.fail(`${JSON.stringify(search)} is not a valid regular expression (${(e as Error).message})`);
    }
    // JavaScript regexes backtrack: a repeated group that itself repeats, e.g. (a+)+, can take
    // exponential time on a legend, so such patterns are refused.
    if (NESTED_QUANTIFIER.test(search)) call.fail(`${JSON.stringify(search)} repeats a group that itself repeats; simplify the pattern`);
    return present(p, p.expr, { ...p.style, replacements: [...(p.style.replacements ?? []), { search, replace }] });
  }),
  word('strip-style', ['presentation'] as const, 'TimeSeriesExpr', ([p]) => ({ type: 'expr', expr: p.expr })),
  macro('head', ['presentation', 'int'], ':limit'),
  ...LINE_STYLES.map((style) => macro(style, ['presentation'], `${style},:ls`)),
];
