// The built-in dashboard of a service, from its span RED series: one variable (the service)
// and one time range shared by every panel; metric panels are ASL graphs, and the service's
// slowest recent traces and latest warnings sit beside them.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { apiGet } from '../api.ts';
import { Panel, SendDataHint } from '../components/panel.tsx';
import { RangePicker } from '../components/range-picker.tsx';
import { Time } from '../components/time.tsx';
import { formatDuration, severityGroup } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { GraphChart, useGraph } from '../metrics/graph.tsx';
import type { JaegerList, LogPage, TracePage } from '../pages/api-types.ts';
import { usePageRange } from '../pages/common.ts';
import { navigate, withParams } from '../router.ts';
import type { TimeRange } from '../time.ts';

/** The RED panels of a service, as ASL (the service name is one token: no comma). */
export function serviceRedQueries(service: string): Array<{ title: string; q: string }> {
  const svc = `service.name,${service},:eq`;
  return [
    { title: 'Requests per second by operation', q: `name,vigil.span.requests,:eq,${svc},:and,(,span.name,),:by` },
    { title: 'Error ratio', q: `name,vigil.span.errors,:eq,${svc},:and,:sum,name,vigil.span.requests,:eq,${svc},:and,:sum,:div,error ratio,:legend` },
    { title: 'Latency (seconds)', q: `name,vigil.span.duration,:eq,${svc},:and,(,50,90,99,),:percentiles` },
  ];
}

function GraphPanel({ title, q, range, rangeKey }: { title: string; q: string; range: TimeRange; rangeKey: string }) {
  const graph = useGraph(q, range, rangeKey);
  return (
    <Panel
      title={title}
      load={graph}
      empty={graph.data?.legend.length === 0}
      emptyHint={<SendDataHint what="spans of this service" />}
      actions={
        <a href={`/metrics?${new URLSearchParams({ q }).toString()}`} class="small">
          explore
        </a>
      }
    >
      {graph.data && <GraphChart answer={graph.data} label={title} height={200} />}
    </Panel>
  );
}

function ListPanel({ title, load, empty, children }: { title: string; load: ReturnType<typeof useLoad<unknown>>; empty: boolean; children: ComponentChildren }) {
  return (
    <Panel title={title} load={load} empty={empty} emptyHint={<p class="hint">Nothing in this range.</p>}>
      {children}
    </Panel>
  );
}

export function ServiceDashboard({ params }: { params: URLSearchParams }) {
  const { spec, range, key: rangeKey, setSpec } = usePageRange(params);
  // Refresh re-reads a relative range in every panel.
  const [refreshes, setRefreshes] = useState(0);
  const key = `${rangeKey} ${refreshes}`;
  const services = useLoad('services', (signal) => apiGet<JaegerList>('/api/services', {}, signal));
  const names = services.data?.data ?? [];
  const service = params.get('service') ?? names[0] ?? '';
  const traces = useLoad(service ? `dash traces ${service} ${key}` : null, (signal) =>
    apiGet<TracePage>('/api/v1/traces', { service, start: range.startMs, end: range.endMs, sort: 'duration', limit: 10 }, signal),
  );
  const logs = useLoad(service ? `dash logs ${service} ${key}` : null, (signal) =>
    apiGet<LogPage>('/api/v1/logs', { service, severity: 'WARN', start: range.startMs, end: range.endMs, limit: 20 }, signal),
  );
  const valid = service !== '' && !service.includes(',');
  return (
    <main class="page">
      <div class="page-head">
        <h1>Service dashboard</h1>
        <div class="range-picker">
          <label class="variable">
            service
            <select value={service} onChange={(e) => navigate(withParams({ service: (e.target as HTMLSelectElement).value }))}>
              {names.map((s) => (
                <option value={s}>{s}</option>
              ))}
              {service && !names.includes(service) && <option value={service}>{service}</option>}
            </select>
          </label>
          <RangePicker spec={spec} onChange={setSpec} onRefresh={() => setRefreshes((n) => n + 1)} />
        </div>
      </div>
      {!valid ? (
        <Panel title="No service">
          {service.includes(',') ? <p class="hint">The service name contains a comma, which the stack language cannot carry.</p> : <SendDataHint what="services" />}
        </Panel>
      ) : (
        <div class="dashboard-grid" key={service}>
          {serviceRedQueries(service).map((p) => (
            <GraphPanel title={p.title} q={p.q} range={range} rangeKey={key} />
          ))}
          <ListPanel title="Slowest traces" load={traces} empty={(traces.data?.traces.length ?? 0) === 0}>
            <table class="table">
              <tbody>
                {traces.data?.traces.map((t) => (
                  <tr class={t.errorCount > 0 ? 'error-row' : ''}>
                    <td>
                      <Time ms={t.startMs} />
                    </td>
                    <td>
                      <a href={`/traces/${t.traceId}`}>
                        {t.rootService}: {t.rootOperation}
                      </a>
                    </td>
                    <td class="num">{formatDuration(t.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ListPanel>
          <ListPanel title="Warnings and errors" load={logs} empty={(logs.data?.logs.length ?? 0) === 0}>
            <ul class="log-lines">
              {logs.data?.logs.map((l) => (
                <li>
                  <Time ms={l.timeMs} /> <span class={`sev sev-${severityGroup(l.severityNumber)}`}>{l.severityText || severityGroup(l.severityNumber)}</span> {l.body}{' '}
                  {l.traceId && <a href={`/traces/${l.traceId}${l.spanId ? `?span=${l.spanId}` : ''}`}>trace</a>}
                </li>
              ))}
            </ul>
          </ListPanel>
        </div>
      )}
    </main>
  );
}
