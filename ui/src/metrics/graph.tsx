// A graph of an ASL expression: the /api/v1/graph request, the uPlot chart and the legend
// with per-line statistics (click a line to hide it). Used by the explorer and dashboards.
import type uPlot from 'uplot';
import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.ts';
import { Chart, axisStyle } from '../components/chart.tsx';
import { serviceColor } from '../components/colors.ts';
import { useLoad } from '../hooks.ts';
import type { TimeRange } from '../time.ts';
import { type DrawnLine, type GraphAnswer, drawnLines, graphColumns, lineStats, stackedColumns } from './asl.ts';

/** Loads the graph of `q` over `range`; `key` changes when the range does (or on refresh). */
export function useGraph(q: string, range: TimeRange, key: string) {
  return useLoad(q ? `graph ${key} ${q}` : null, (signal) =>
    apiGet<GraphAnswer>('/api/v1/graph', { q, s: Math.floor(range.startMs), e: Math.ceil(range.endMs), format: 'std.json', w: 1000 }, signal),
  );
}

export function formatValue(v: number | null): string {
  if (v === null) return '–';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Lines with fewer values than this show their points (a lone value between gaps draws no line). */
const SPARSE_POINTS = 30;

function chartOptions(legend: string[], drawn: DrawnLine[], sparse: readonly boolean[], hidden: ReadonlySet<number>, height: number): (width: number) => uPlot.Options {
  const axes = [...new Set([0, ...drawn.map((d) => d.axis)])].sort((a, b) => a - b);
  const scale = (axis: number) => (axis === 0 ? 'y' : `y${axis}`);
  return (width) => ({
    width,
    height,
    legend: { show: false },
    scales: { x: { time: true } },
    series: [
      {},
      ...legend.map((label, i) => {
        const d = drawn[i]!;
        // A stacked line fills down to the line it sits on (a band), others down to zero.
        return {
          label,
          stroke: d.stroke,
          width: d.width,
          scale: scale(d.axis),
          show: !hidden.has(i),
          ...(d.fill && d.stackedOn === undefined ? { fill: d.fill } : {}),
          ...(sparse[i] ? { points: { show: true, size: 5 } } : {}),
        };
      }),
    ],
    bands: drawn.flatMap((d, i) => (d.stackedOn !== undefined && d.fill ? [{ series: [i + 1, d.stackedOn + 1] as [number, number], fill: d.fill }] : [])),
    axes: [
      { ...axisStyle() },
      ...axes.map((a, k) => ({ ...axisStyle(), scale: scale(a), side: k % 2 === 0 ? 3 : 1, size: 60, ...(k > 0 ? { grid: { show: false } } : {}), values: (_u: uPlot, vals: number[]) => vals.map((v) => formatValue(v)) })),
    ],
  });
}

export function GraphChart({ answer, label, height = 320 }: { answer: GraphAnswer; label: string; height?: number }) {
  const [hidden, setHidden] = useState<Set<number>>(new Set());
  useEffect(() => setHidden(new Set()), [answer]);
  const columns = graphColumns(answer);
  const drawn = drawnLines(answer, serviceColor);
  const sparse = columns.lines.map((l) => l.filter((v) => v !== null).length < SPARSE_POINTS);
  const data: uPlot.AlignedData = [columns.x, ...stackedColumns(columns.lines, drawn)];
  return (
    <>
      {answer.notices.length > 0 && (
        <ul class="notices">
          {answer.notices.map((n) => (
            <li>{n}</li>
          ))}
        </ul>
      )}
      <Chart shape={`graph ${height} ${answer.legend.join('\u0000')} ${JSON.stringify(answer.styles ?? [])} ${[...hidden].join(',')}`} options={chartOptions(answer.legend, drawn, sparse, hidden, height)} data={data} label={label} class="metrics-chart" />
      <table class="table legend-table">
        <thead>
          <tr>
            <th>Line</th>
            <th class="num">avg</th>
            <th class="num">min</th>
            <th class="num">max</th>
            <th class="num">last</th>
            <th class="num">total</th>
          </tr>
        </thead>
        <tbody>
          {answer.legend.map((line, i) => {
            const s = lineStats(columns.lines[i]!);
            return (
              <tr class={hidden.has(i) ? 'hidden-line' : ''} data-line={line}>
                <td>
                  <button
                    type="button"
                    class="legend-toggle"
                    aria-pressed={!hidden.has(i)}
                    title={JSON.stringify(answer.metrics[i])}
                    onClick={() =>
                      setHidden((h) => {
                        const next = new Set(h);
                        if (!next.delete(i)) next.add(i);
                        return next;
                      })
                    }
                  >
                    <span class="wf-swatch" style={{ background: drawn[i]!.stroke }} /> {line}
                  </button>
                </td>
                <td class="num">{formatValue(s.avg)}</td>
                <td class="num">{formatValue(s.min)}</td>
                <td class="num">{formatValue(s.max)}</td>
                <td class="num">{formatValue(s.last)}</td>
                <td class="num">{formatValue(s.total)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
