// Applies an expression's style settings to its evaluated lines: order, limit, legend
// ($(key) substitution, decoding, search-and-replace) and drawing attributes.
import type { StyleSettings, TsExpr } from './expr.ts';
import type { Line } from './lines.ts';
import { stat } from './numeric.ts';
import { exprText, finalGrouping } from './tree.ts';
import type { StyledLine } from './types.ts';

/** `$(key)` or `$key` -> the tag's value; an absent tag leaves the key's name (Atlas). */
export function substitute(template: string, tags: Readonly<Record<string, string>>): string {
  return template.replace(/\$\(([^)]+)\)|\$([-_.a-zA-Z0-9]+)/g, (_, paren: string | undefined, bare: string | undefined) => {
    const key = (paren ?? bare)!;
    return tags[key] ?? key;
  });
}

/** Atlas hex decoding of legends: `_2E` -> `.`. */
function hexDecode(text: string): string {
  return text.replace(/_([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function legend(line: Line, style: StyleSettings): string {
  let text = style.legend === undefined ? line.label : substitute(style.legend, line.tags);
  if (style.decode === 'hex') text = hexDecode(text);
  for (const { search, replace } of style.replacements ?? []) text = text.replace(new RegExp(search, 'g'), replace);
  return text;
}

function sortLines(lines: Line[], style: StyleSettings): Line[] {
  if (style.sort === undefined && style.order === undefined) return lines;
  const by = style.sort ?? 'legend';
  const keyed = lines.map((line) => ({ line, key: by === 'legend' ? legend(line, style) : stat(line.values, by) }));
  const sign = style.order === 'desc' ? -1 : 1;
  keyed.sort((a, b) => {
    if (typeof a.key === 'string' || typeof b.key === 'string') {
      const [x, y] = [String(a.key), String(b.key)];
      return sign * (x < y ? -1 : x > y ? 1 : 0);
    }
    // NaN sorts last in either order.
    if (Number.isNaN(a.key)) return Number.isNaN(b.key) ? 0 : 1;
    if (Number.isNaN(b.key)) return -1;
    return sign * (a.key - b.key);
  });
  return keyed.map((k) => k.line);
}

export function present(expr: TsExpr, style: StyleSettings, lines: Line[]): StyledLine[] {
  const expression = exprText(expr);
  const groupByKeys = finalGrouping(expr);
  const ordered = sortLines(lines, style);
  const kept = style.limit === undefined ? ordered : ordered.slice(0, style.limit);
  return kept.map((line) => ({
    tags: line.tags,
    values: line.values,
    label: legend(line, style),
    expression,
    groupByKeys,
    style: {
      lineStyle: style.lineStyle ?? 'line',
      ...(style.color === undefined ? {} : { color: style.color }),
      ...(style.alpha === undefined ? {} : { alpha: style.alpha }),
      ...(style.palette === undefined ? {} : { palette: style.palette }),
      lineWidth: style.lineWidth ?? 1,
      axis: style.axis ?? 0,
    },
  }));
}
