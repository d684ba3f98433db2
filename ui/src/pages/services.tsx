// Services: RED metrics per service (rate, error ratio, p50/p99, sparklines) and the
// dependency map, over the chosen range; each service links to its operations and traces.
import { useState } from 'preact/hooks';
import { apiGet } from '../api.ts';
import { DependencyMap } from '../components/dependency-map.tsx';
import { Panel, SendDataHint } from '../components/panel.tsx';
import { RangePicker } from '../components/range-picker.tsx';
import { SortHeader, type SortState, sortBy } from '../components/sort.tsx';
import { Sparkline } from '../components/sparkline.tsx';
import { formatDuration, formatPercent, formatRate } from '../format.ts';
import { useLoad } from '../hooks.ts';
import type { DependenciesAnswer, OperationsAnswer, OverviewAnswer, ServiceOverview } from './api-types.ts';
import { usePageRange } from './common.ts';

/** Sparklines are fetched for this many services at most (one request each). */
const SPARKLINE_SERVICES = 40;

export interface ServiceSeries {
  calls: number[];
  errors: number[];
  p99Ms: Array<number | null>;
}

/** Sums a service's operations into one series; entry points (server/consumer) when it has any. */
export function serviceSeries(answer: OperationsAnswer): ServiceSeries {
  const entry = answer.operations.filter((o) => o.spanKind === 'server' || o.spanKind === 'consumer');
  const ops = entry.length > 0 ? entry : answer.operations;
  const n = answer.timestamps.length;
  const calls = new Array<number>(n).fill(0);
  const errors = new Array<number>(n).fill(0);
  const p99Ms = new Array<number | null>(n).fill(null);
  for (const o of ops) {
    for (let i = 0; i < n; i++) {
      calls[i]! += o.calls[i] ?? 0;
      errors[i]! += o.errors[i] ?? 0;
      const p = o.p99Ms[i];
      // The slowest operation's p99 bounds the service's p99 in that step.
      if (p !== null && p !== undefined) p99Ms[i] = Math.max(p99Ms[i] ?? 0, p);
    }
  }
  return { calls, errors, p99Ms };
}

type Key = 'service' | 'rate' | 'errorRatio' | 'p50Ms' | 'p99Ms';

export function ServicesPage({ params }: { params: URLSearchParams }) {
  const { spec, range, key, setSpec } = usePageRange(params);
  const [sort, setSort] = useState<SortState<Key>>({ key: 'service', desc: false });
  const us = { start: range.startMs * 1000, end: range.endMs * 1000 };
  const overview = useLoad(`overview ${key}`, (signal) => apiGet<OverviewAnswer>('/api/v1/services/overview', us, signal));
  const deps = useLoad(`deps ${key}`, (signal) => apiGet<DependenciesAnswer>('/api/v1/services/dependencies', us, signal));
  const names = overview.data?.services.slice(0, SPARKLINE_SERVICES).map((s) => s.service) ?? [];
  const series = useLoad(overview.state === 'ok' ? `series ${key} ${names.join(',')}` : null, async (signal) => {
    const answers = await Promise.all(names.map((s) => apiGet<OperationsAnswer>(`/api/v1/services/${encodeURIComponent(s)}/operations`, us, signal)));
    return new Map(answers.map((a) => [a.service, serviceSeries(a)]));
  });
  const refresh = () => {
    overview.reload();
    deps.reload();
  };
  const services = overview.data?.services ?? [];
  const rows = sortBy<ServiceOverview, Key>(services, sort, (s, k) => s[k]);
  const errorRatio = new Map(services.map((s) => [s.service, s.errorRatio]));
  return (
    <main class="page">
      <div class="page-head">
        <h1>Services</h1>
        <RangePicker spec={spec} onChange={setSpec} onRefresh={refresh} />
      </div>
      <Panel title="Services" load={overview} empty={services.length === 0} emptyHint={<SendDataHint what="services (server or consumer spans)" />}>
        <table class="table services-table">
          <thead>
            <tr>
              <SortHeader k="service" sort={sort} onSort={setSort}>
                Service
              </SortHeader>
              <SortHeader k="rate" sort={sort} onSort={setSort} class="num">
                Rate
              </SortHeader>
              <th>Requests</th>
              <SortHeader k="errorRatio" sort={sort} onSort={setSort} class="num">
                Errors
              </SortHeader>
              <th>Errors over time</th>
              <SortHeader k="p50Ms" sort={sort} onSort={setSort} class="num">
                p50
              </SortHeader>
              <SortHeader k="p99Ms" sort={sort} onSort={setSort} class="num">
                p99
              </SortHeader>
              <th>p99 over time</th>
              <th>
                <span class="visually-hidden">Links</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => {
              const sp = series.data?.get(s.service);
              const q = `service=${encodeURIComponent(s.service)}&${new URLSearchParams(params).toString()}`;
              return (
                <tr data-service={s.service}>
                  <td>
                    <a href={`/services/${encodeURIComponent(s.service)}?${params.toString()}`}>{s.service}</a>
                  </td>
                  <td class="num">{formatRate(s.rate)}</td>
                  <td>{sp ? <Sparkline values={sp.calls} label={`${s.service} requests`} /> : <span class="muted">…</span>}</td>
                  <td class={`num ${s.errorRatio > 0 ? 'bad' : ''}`}>{formatPercent(s.errorRatio)}</td>
                  <td>{sp ? <Sparkline values={sp.errors} label={`${s.service} errors`} class="bad" /> : <span class="muted">…</span>}</td>
                  <td class="num">{formatDuration(s.p50Ms)}</td>
                  <td class="num">{formatDuration(s.p99Ms)}</td>
                  <td>{sp ? <Sparkline values={sp.p99Ms} label={`${s.service} p99`} /> : <span class="muted">…</span>}</td>
                  <td class="links">
                    <a href={`/traces?${q}`}>Traces</a> <a href={`/logs?${q}`}>Logs</a> <a href={`/dashboards/service?${q}`}>Dashboard</a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {series.state === 'error' && <p class="field-error">Sparklines: {series.error.message}</p>}
      </Panel>
      <Panel title="Dependencies" load={deps} empty={(deps.data?.edges.length ?? 0) === 0} emptyHint={<p class="hint">No calls between services in this range. The map shows a service calling another when a span's parent belongs to a different service (propagate the trace context between them).</p>}>
        {deps.data && <DependencyMap services={services.map((s) => s.service)} edges={deps.data.edges} errorRatio={errorRatio} />}
      </Panel>
    </main>
  );
}
