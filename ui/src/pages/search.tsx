// Trace search: filters in the URL, a scatter plot of the results (start time x duration,
// errors in red; a click opens the trace) and a sortable result list.
import type uPlot from 'uplot';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { apiGet } from '../api.ts';
import { Chart, axisStyle } from '../components/chart.tsx';
import { LoadMore, usePaging } from '../components/load-more.tsx';
import { Panel, SendDataHint } from '../components/panel.tsx';
import { RangePicker } from '../components/range-picker.tsx';
import { SortHeader, type SortState, sortBy } from '../components/sort.tsx';
import { Time } from '../components/time.tsx';
import { serviceColor } from '../components/colors.ts';
import { formatDuration } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { navigate, withParams } from '../router.ts';
import type { JaegerList, TracePage, TraceSummary } from './api-types.ts';
import { usePageRange } from './common.ts';

const FILTERS = ['service', 'operation', 'minDuration', 'maxDuration', 'status', 'limit'] as const;
type Filter = (typeof FILTERS)[number];

/** Scatter columns: x ascending (seconds), ok durations, error durations (null where not). */
export function scatterData(traces: readonly TraceSummary[]): { data: uPlot.AlignedData; order: TraceSummary[] } {
  const order = [...traces].sort((a, b) => a.startMs - b.startMs);
  // A log scale cannot show 0: such traces sit at 1µs.
  const y = (t: TraceSummary) => Math.max(t.durationMs, 0.001);
  return {
    order,
    data: [order.map((t) => t.startMs / 1000), order.map((t) => (t.errorCount > 0 ? null : y(t))), order.map((t) => (t.errorCount > 0 ? y(t) : null))],
  };
}

function scatterOptions(order: () => TraceSummary[]): (width: number) => uPlot.Options {
  return (width) => ({
    width,
    height: 200,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: { x: { time: true }, y: { distr: 3 } },
    series: [
      {},
      { label: 'ok', stroke: '#3b82f6', fill: '#3b82f680', paths: () => null, points: { show: true, size: 8, width: 1 } },
      { label: 'error', stroke: '#dc2626', fill: '#dc2626c0', paths: () => null, points: { show: true, size: 9, width: 1 } },
    ],
    axes: [{ ...axisStyle() }, { ...axisStyle(), size: 60, values: (_u, vals) => vals.map((v) => formatDuration(v)) }],
    hooks: {
      ready: [
        (u) => {
          // Nearest point within 12px of the click opens its trace.
          u.over.addEventListener('click', (e) => {
            const rect = u.over.getBoundingClientRect();
            const px = e.clientX - rect.left;
            const py = e.clientY - rect.top;
            let best: TraceSummary | undefined;
            let bestD = 144;
            order().forEach((t, i) => {
              const yv = (u.data[1]?.[i] ?? u.data[2]?.[i]) as number | null | undefined;
              if (yv === null || yv === undefined) return;
              const dx = u.valToPos(t.startMs / 1000, 'x') - px;
              const dy = u.valToPos(yv, 'y') - py;
              const d = dx * dx + dy * dy;
              if (d < bestD) {
                bestD = d;
                best = t;
              }
            });
            if (best) navigate(`/traces/${best.traceId}`);
          });
          u.over.style.cursor = 'pointer';
        },
      ],
    },
  });
}

type Key = 'start' | 'duration' | 'spans' | 'errors';

export function SearchPage({ params }: { params: URLSearchParams }) {
  const { spec, range, key: rangeKey, setSpec } = usePageRange(params);
  const value = (f: Filter) => params.get(f) ?? '';
  const [form, setForm] = useState<Record<Filter | 'attr', string>>(() => ({ ...Object.fromEntries(FILTERS.map((f) => [f, value(f)])), attr: params.getAll('attr').join(' ') }) as Record<Filter | 'attr', string>);
  const urlKey = params.toString();
  useEffect(() => setForm({ ...(Object.fromEntries(FILTERS.map((f) => [f, value(f)])) as Record<Filter, string>), attr: params.getAll('attr').join(' ') }), [urlKey]);
  const [sort, setSort] = useState<SortState<Key>>({ key: 'start', desc: true });

  const services = useLoad('services', (signal) => apiGet<JaegerList>('/api/services', {}, signal));
  const operations = useLoad(form.service ? `ops ${form.service}` : null, (signal) => apiGet<JaegerList>(`/api/services/${encodeURIComponent(form.service)}/operations`, {}, signal));

  const searchParams = {
    start: range.startMs,
    end: range.endMs,
    service: value('service'),
    operation: value('operation'),
    minDuration: value('minDuration'),
    maxDuration: value('maxDuration'),
    status: value('status'),
    limit: value('limit') || '50',
    attr: params.getAll('attr'),
  };
  const result = useLoad(`search ${rangeKey} ${urlKey}`, (signal) => apiGet<TracePage>('/api/v1/traces', searchParams, signal));
  const firstPage = useMemo(() => result.data && { items: result.data.traces, nextCursor: result.data.nextCursor }, [result.data]);
  const paging = usePaging(firstPage, async (cursor) => {
    const page = await apiGet<TracePage>('/api/v1/traces', { ...searchParams, cursor });
    return { items: page.traces, nextCursor: page.nextCursor };
  });

  const submit = (e: Event) => {
    e.preventDefault();
    const attrs = form.attr.split(/\s+/).filter((a) => a !== '');
    navigate(withParams({ ...Object.fromEntries(FILTERS.map((f) => [f, form[f]])), attr: attrs }));
  };
  const set = (f: Filter | 'attr') => (e: Event) => setForm({ ...form, [f]: (e.target as HTMLInputElement).value, ...(f === 'service' ? { operation: '' } : {}) });

  const traces = paging.items;
  const scatter = scatterData(traces);
  // The chart is built once; its click handler reads the current points through this ref.
  const scatterOrder = useRef(scatter.order);
  scatterOrder.current = scatter.order;
  const rows = sortBy<TraceSummary, Key>(traces, sort, (t, k) => (k === 'start' ? t.startMs : k === 'duration' ? t.durationMs : k === 'spans' ? t.spanCount : t.errorCount));
  const maxDuration = Math.max(1e-9, ...traces.map((t) => t.durationMs));
  const allServices = [...new Set(traces.flatMap((t) => t.services.map((s) => s.service)))].sort();
  const colorOf = new Map(allServices.map((s, i) => [s, serviceColor(i)]));

  return (
    <main class="page">
      <div class="page-head">
        <h1>Traces</h1>
        <RangePicker spec={spec} onChange={setSpec} onRefresh={result.reload} />
      </div>
      <form class="filters" onSubmit={submit} aria-label="Trace search">
        <label>
          Service
          <select value={form.service} onChange={set('service')}>
            <option value="">any</option>
            {(services.data?.data ?? []).map((s) => (
              <option value={s}>{s}</option>
            ))}
            {form.service && !(services.data?.data ?? []).includes(form.service) && <option value={form.service}>{form.service}</option>}
          </select>
        </label>
        <label>
          Operation
          <select value={form.operation} onChange={set('operation')} disabled={!form.service}>
            <option value="">any</option>
            {(operations.data?.data ?? []).map((s) => (
              <option value={s}>{s}</option>
            ))}
            {form.operation && !(operations.data?.data ?? []).includes(form.operation) && <option value={form.operation}>{form.operation}</option>}
          </select>
        </label>
        <label>
          Min duration
          <input size={7} placeholder="100ms" value={form.minDuration} onInput={set('minDuration')} />
        </label>
        <label>
          Max duration
          <input size={7} placeholder="2s" value={form.maxDuration} onInput={set('maxDuration')} />
        </label>
        <label>
          Status
          <select value={form.status} onChange={set('status')}>
            <option value="">any</option>
            <option value="error">error</option>
            <option value="ok">ok</option>
            <option value="unset">unset</option>
          </select>
        </label>
        <label class="grow">
          Attributes
          <input placeholder="http.route=/cart  http.status_code!=200  user.id=~^4" value={form.attr} onInput={set('attr')} />
        </label>
        <label>
          Limit
          <select value={form.limit || '50'} onChange={set('limit')}>
            {['20', '50', '100', '500', '1000'].map((n) => (
              <option value={n}>{n}</option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <Panel title={`Duration over time (${traces.length} traces)`} load={result} empty={traces.length === 0} emptyHint={<SendDataHint what="traces matching these filters" />}>
        <Chart shape="scatter" options={scatterOptions(() => scatterOrder.current)} data={scatter.data} label="Trace durations over time; errors in red" class="scatter" />
      </Panel>
      <Panel title="Traces" load={result} empty={traces.length === 0} emptyHint={<p class="hint">No traces. Loosen the filters or widen the time range.</p>}>
        <table class="table traces-table">
          <thead>
            <tr>
              <SortHeader k="start" sort={sort} onSort={setSort}>
                Start
              </SortHeader>
              <th>Root</th>
              <SortHeader k="duration" sort={sort} onSort={setSort} class="num">
                Duration
              </SortHeader>
              <SortHeader k="spans" sort={sort} onSort={setSort} class="num">
                Spans
              </SortHeader>
              <SortHeader k="errors" sort={sort} onSort={setSort} class="num">
                Errors
              </SortHeader>
              <th>Services</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr data-trace={t.traceId} class={t.errorCount > 0 ? 'error-row' : ''}>
                <td>
                  <Time ms={t.startMs} withMs />
                </td>
                <td>
                  <a href={`/traces/${t.traceId}`}>
                    <strong>{t.rootService}</strong>: {t.rootOperation}
                  </a>
                  <div class="muted mono small">{t.traceId}</div>
                </td>
                <td class="num">
                  <div class="duration-cell">
                    <span class="duration-bar" style={{ width: `${(t.durationMs / maxDuration) * 100}%` }} />
                    <span>{formatDuration(t.durationMs)}</span>
                  </div>
                </td>
                <td class="num">{t.spanCount}</td>
                <td class={`num ${t.errorCount > 0 ? 'bad' : ''}`}>{t.errorCount}</td>
                <td>
                  {t.services.map((s) => (
                    <span class="chip" style={{ borderColor: colorOf.get(s.service) }}>
                      {s.service} {s.spanCount}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <LoadMore paging={paging} />
      </Panel>
    </main>
  );
}
