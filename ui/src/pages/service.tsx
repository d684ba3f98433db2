// One service: its request rate, errors and p99 over time, and its operations with links to
// their traces.
import type uPlot from 'uplot';
import { apiGet } from '../api.ts';
import { Chart, axisStyle } from '../components/chart.tsx';
import { Panel, SendDataHint } from '../components/panel.tsx';
import { RangePicker } from '../components/range-picker.tsx';
import { Sparkline } from '../components/sparkline.tsx';
import { formatDuration, formatPercent } from '../format.ts';
import { useLoad } from '../hooks.ts';
import type { OperationsAnswer } from './api-types.ts';
import { usePageRange } from './common.ts';
import { serviceSeries } from './services.tsx';

function seriesOptions(stepS: number): (width: number) => uPlot.Options {
  return (width) => ({
    width,
    height: 220,
    series: [
      {},
      { label: 'requests/s', stroke: '#3b82f6', width: 1.5, value: (_u, v) => (v == null ? '–' : v.toPrecision(3)) },
      { label: 'errors/s', stroke: '#ef4444', width: 1.5, value: (_u, v) => (v == null ? '–' : v.toPrecision(3)) },
      { label: 'p99', stroke: '#a855f7', width: 1.5, scale: 'ms', value: (_u, v) => (v == null ? '–' : formatDuration(v)) },
    ],
    scales: { x: { time: true } },
    axes: [
      { ...axisStyle() },
      { ...axisStyle(), label: `per second (step ${stepS / 60}m)` },
      { ...axisStyle(), scale: 'ms', side: 1, grid: { show: false }, values: (_u, vals) => vals.map((v) => formatDuration(v)) },
    ],
  });
}

export function ServicePage({ service, params }: { service: string; params: URLSearchParams }) {
  const { spec, range, key, setSpec } = usePageRange(params);
  const load = useLoad(`ops ${service} ${key}`, (signal) =>
    apiGet<OperationsAnswer>(`/api/v1/services/${encodeURIComponent(service)}/operations`, { start: range.startMs * 1000, end: range.endMs * 1000 }, signal),
  );
  const answer = load.data;
  const total = answer ? serviceSeries(answer) : undefined;
  const data: uPlot.AlignedData | undefined =
    answer && total ? [answer.timestamps.map((t) => t / 1e6), total.calls.map((c) => c / answer.step), total.errors.map((c) => c / answer.step), total.p99Ms] : undefined;
  const rangeQuery = new URLSearchParams(params).toString();
  return (
    <main class="page">
      <div class="page-head">
        <h1>
          <a href={`/services?${rangeQuery}`}>Services</a> / {service}
        </h1>
        <RangePicker spec={spec} onChange={setSpec} onRefresh={load.reload} />
      </div>
      <p class="links">
        <a href={`/traces?service=${encodeURIComponent(service)}&${rangeQuery}`}>Traces of {service}</a> ·{' '}
        <a href={`/logs?service=${encodeURIComponent(service)}&${rangeQuery}`}>Logs of {service}</a>
      </p>
      <Panel title="Requests, errors and p99" load={load} empty={answer?.operations.length === 0} emptyHint={<SendDataHint what={`spans of ${service}`} />}>
        {data && answer && <Chart shape={`service ${answer.step}`} options={seriesOptions(answer.step)} data={data} label={`${service} requests, errors and p99 over time`} />}
      </Panel>
      <Panel title="Operations" load={load} empty={answer?.operations.length === 0} emptyHint={<p class="hint">No operations in this range.</p>}>
        <table class="table">
          <thead>
            <tr>
              <th>Operation</th>
              <th>Kind</th>
              <th class="num">Calls</th>
              <th>Calls over time</th>
              <th class="num">Errors</th>
              <th class="num">Worst p99</th>
              <th>p99 over time</th>
            </tr>
          </thead>
          <tbody>
            {answer?.operations.map((o) => {
              const calls = o.calls.reduce((a, b) => a + b, 0);
              const errors = o.errors.reduce((a, b) => a + b, 0);
              const p99 = Math.max(0, ...o.p99Ms.filter((v): v is number => v !== null));
              const href = `/traces?service=${encodeURIComponent(service)}&operation=${encodeURIComponent(o.name)}&${rangeQuery}`;
              return (
                <tr data-operation={o.name}>
                  <td>
                    <a href={href}>{o.name}</a>
                  </td>
                  <td>{o.spanKind}</td>
                  <td class="num">{calls}</td>
                  <td>
                    <Sparkline values={o.calls} label={`${o.name} calls`} />
                  </td>
                  <td class={`num ${errors > 0 ? 'bad' : ''}`}>
                    {errors} ({formatPercent(calls ? errors / calls : 0)})
                  </td>
                  <td class="num">{formatDuration(p99)}</td>
                  <td>
                    <Sparkline values={o.p99Ms} label={`${o.name} p99`} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Panel>
    </main>
  );
}
