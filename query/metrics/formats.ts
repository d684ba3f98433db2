// The graph API's output formats, as Atlas writes them. Timestamps label the start of each step
// interval (values[i] covers [start + i*step, start + (i+1)*step)).
//   json       {start, step, legend, metrics, values: [row per step: one column per line], notices,
//              styles}; NaN and infinities written bare (NaN), as Atlas's json does. `styles` is
//              Vigil's addition (Atlas clients ignore it): per line, its style words as
//              {lineStyle, color?, alpha?, palette?, lineWidth, axis}, which Vigil's UI draws
//   std.json   the same, with "NaN" / "Infinity" as strings so any JSON parser reads it
//   stats.json {start, end, step, legend, metrics, stats: [{count, avg, total, max, min, last}], notices}
//   csv, txt   a header ("timestamp", then each legend) and one row per step, comma or tab separated,
//              timestamps in ISO-8601 in the graph's time zone
import { vigilError } from '../../schemas/errors.ts';
import { summaryStats } from '../asl/numeric.ts';
import type { GraphResult, Series, Window } from '../asl/types.ts';
import { formatInZone } from './time.ts';

export const GRAPH_FORMATS = ['json', 'std.json', 'stats.json', 'csv', 'txt'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** `format`, default json. png (Atlas's default) is drawn by Vigil's UI, not by the API. */
export function parseFormat(raw: string | undefined): GraphFormat {
  if (raw === undefined) return 'json';
  if ((GRAPH_FORMATS as readonly string[]).includes(raw)) return raw as GraphFormat;
  const served = `use ${GRAPH_FORMATS.join(', ')}`;
  if (raw === 'png') throw vigilError('VIGIL_ERR_BAD_FORMAT', raw, `Vigil does not render images; use the UI to see the graph, or ${served}`);
  throw vigilError('VIGIL_ERR_BAD_FORMAT', raw, served);
}

export interface Rendered {
  contentType: string;
  body: string;
}

/** A number as JSON: finite numbers as JavaScript prints them; NaN/Infinity bare or quoted. */
export function jsonNumber(v: number, quoteNonFinite: boolean): string {
  if (Number.isFinite(v)) return String(v);
  const word = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  return quoteNonFinite ? `"${word}"` : word;
}

/** Tags with keys sorted, as Atlas lists them. */
export function sortedTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(tags).sort()) sorted[key] = tags[key]!;
  return sorted;
}

function steps(window: Window): number {
  return Math.round((window.end - window.start) / window.step);
}

function head(result: GraphResult): string {
  const legend = JSON.stringify(result.lines.map((l) => l.label));
  const metrics = JSON.stringify(result.lines.map((l) => sortedTags(l.tags)));
  return `"legend":${legend},"metrics":${metrics}`;
}

function valueRows(lines: readonly Series[], window: Window, quote: boolean): string {
  // ~1,440 rows x dozens of lines per graph: JSON.stringify writes the numbers (in C++, ~4x
  // faster than concatenating String(v) in a loop) and every non-finite one as null, so null
  // can only be a NaN there; rows holding an infinity take the slow path.
  const rows = new Array<number[]>(steps(window));
  let infinite = false;
  for (let i = 0; i < rows.length; i++) {
    const row = new Array<number>(lines.length);
    for (let j = 0; j < lines.length; j++) {
      const v = lines[j]!.values[i] ?? NaN;
      if (v === Infinity || v === -Infinity) infinite = true;
      row[j] = v;
    }
    rows[i] = row;
  }
  if (!infinite) return JSON.stringify(rows).replaceAll('null', quote ? '"NaN"' : 'NaN');
  return `[${rows.map((row) => `[${row.map((v) => jsonNumber(v, quote)).join(',')}]`).join(',')}]`;
}

function json(result: GraphResult, window: Window, quote: boolean): string {
  const styles = JSON.stringify(result.lines.map((l) => l.style));
  return `{"start":${window.start},"step":${window.step},${head(result)},"values":${valueRows(result.lines, window, quote)},"notices":${JSON.stringify(result.notices)},"styles":${styles}}`;
}

function statsJson(result: GraphResult, window: Window): string {
  const stats = result.lines.map((l) => {
    const s = summaryStats(l.values);
    const n = (v: number) => jsonNumber(v, false);
    return `{"count":${s.count},"avg":${n(s.avg)},"total":${n(s.total)},"max":${n(s.max)},"min":${n(s.min)},"last":${n(s.last)}}`;
  });
  return `{"start":${window.start},"end":${window.end},"step":${window.step},${head(result)},"stats":[${stats.join(',')}],"notices":${JSON.stringify(result.notices)}}`;
}

function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function separated(result: GraphResult, window: Window, tz: string, sep: string): string {
  const lines = [[quoted('timestamp'), ...result.lines.map((l) => quoted(l.label))].join(sep)];
  for (let i = 0; i < steps(window); i++) {
    const cells = result.lines.map((l) => String(l.values[i] ?? NaN));
    lines.push([formatInZone(window.start + i * window.step, tz), ...cells].join(sep));
  }
  return `${lines.join('\n')}\n`;
}

export function renderGraph(format: GraphFormat, result: GraphResult, window: Window, tz: string): Rendered {
  switch (format) {
    case 'json':
      return { contentType: 'application/json', body: json(result, window, false) };
    case 'std.json':
      return { contentType: 'application/json', body: json(result, window, true) };
    case 'stats.json':
      return { contentType: 'application/json', body: statsJson(result, window) };
    case 'csv':
      return { contentType: 'text/csv; charset=utf-8', body: separated(result, window, tz, ',') };
    case 'txt':
      return { contentType: 'text/plain; charset=utf-8', body: separated(result, window, tz, '\t') };
  }
}
