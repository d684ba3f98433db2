// A graph of an ASL expression: the /api/v1/graph request, the uPlot chart and the legend
// with per-line statistics (click a line to hide it). Used by the explorer and dashboards.
import type uPlot from 'uplot';
import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.ts';
import { Chart, axisStyle } from '../components/chart.tsx';
import { serviceColor } from '../components/colors.ts';
import { useLoad } from '../hooks.ts';
import type { TimeRange } from '../time.ts';
import { type GraphAnswer, graphColumns, lineStats } from './asl.ts';

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

function chartOptions(legend: string[], hidden: ReadonlySet<number>, height: number): (width: number) => uPlot.Options {
  return (width) => ({
    width,
    height,
    legend: { show: false },
    scales: { x: { time: true } },
    series: [{}, ...legend.map((label, i) => ({ label, stroke: serviceColor(i), width: 1.5, show: !hidden.has(i) }))],
    axes: [{ ...axisStyle() }, { ...axisStyle(), size: 60, values: (_u, vals) => vals.map((v) => formatValue(v)) }],
  });
}

export function GraphChart({ answer, label, height = 320 }: { answer: GraphAnswer; label: string; height?: number }) {
  const [hidden, setHidden] = useState<Set<number>>(new Set());
  useEffect(() => setHidden(new Set()), [answer]);
  const columns = graphColumns(answer);
  const data: uPlot.AlignedData = [columns.x, ...columns.lines];
  return (
    <>
      {answer.notices.length > 0 && (
        <ul class="notices">
          {answer.notices.map((n) => (
            <li>{n}</li>
          ))}
        </ul>
      )}
      <Chart shape={`graph ${height} ${answer.legend.join('\u0000')} ${[...hidden].join(',')}`} options={chartOptions(answer.legend, hidden, height)} data={data} label={label} class="metrics-chart" />
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
                    <span class="wf-swatch" style={{ background: serviceColor(i) }} /> {line}
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
