// The built-in dashboard of a service, from its span RED series: one variable (the service)
// and one time range shared by every panel; metric panels are ASL graphs, and the service's
// slowest recent traces and latest warnings sit beside them.
import { useState } from 'preact/hooks';
import { apiGet } from '../api.ts';
import { Panel, SendDataHint } from '../components/panel.tsx';
import { RangePicker } from '../components/range-picker.tsx';
import { useLoad } from '../hooks.ts';
import type { JaegerList } from '../pages/api-types.ts';
import { usePageRange } from '../pages/common.ts';
import { navigate, withParams } from '../router.ts';
import { GraphPanel, LogsPanel, TracesPanel } from './panels.tsx';

/** The RED panels of a service, as ASL (the service name is one token: no comma). */
export function serviceRedQueries(service: string): Array<{ title: string; q: string }> {
  const svc = `service.name,${service},:eq`;
  return [
    { title: 'Requests per second by operation', q: `name,vigil.span.requests,:eq,${svc},:and,(,span.name,),:by` },
    { title: 'Error ratio', q: `name,vigil.span.errors,:eq,${svc},:and,:sum,name,vigil.span.requests,:eq,${svc},:and,:sum,:div,error ratio,:legend` },
    { title: 'Latency (seconds)', q: `name,vigil.span.duration,:eq,${svc},:and,(,50,90,99,),:percentiles` },
  ];
}

export function ServiceDashboard({ params }: { params: URLSearchParams }) {
  const { spec, range, key: rangeKey, setSpec } = usePageRange(params);
  // Refresh re-reads a relative range in every panel.
  const [refreshes, setRefreshes] = useState(0);
  const key = `${rangeKey} ${refreshes}`;
  const services = useLoad('services', (signal) => apiGet<JaegerList>('/api/services', {}, signal));
  const names = services.data?.data ?? [];
  const service = params.get('service') ?? names[0] ?? '';
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
            <GraphPanel
              title={p.title}
              q={p.q}
              range={range}
              rangeKey={key}
              emptyHint={<SendDataHint what="spans of this service" />}
              actions={
                <a href={`/metrics?${new URLSearchParams({ q: p.q }).toString()}`} class="small">
                  explore
                </a>
              }
            />
          ))}
          <TracesPanel title="Slowest traces" filter={{ service, sort: 'duration' }} range={range} rangeKey={key} />
          <LogsPanel title="Warnings and errors" filter={{ service, severity: 'WARN' }} range={range} rangeKey={key} />
        </div>
      )}
    </main>
  );
}
