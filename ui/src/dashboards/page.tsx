// Dashboards: the list (built-in service dashboard and custom ones), and a custom dashboard's
// view and editor: variables on top, one time range, a grid of graph / trace / log panels.
import { useState } from 'preact/hooks';
import { apiGet } from '../api.ts';
import { FieldError } from '../components/load-more.tsx';
import { Panel } from '../components/panel.tsx';
import { RangePicker } from '../components/range-picker.tsx';
import { useLoad } from '../hooks.ts';
import type { JaegerList } from '../pages/api-types.ts';
import { usePageRange } from '../pages/common.ts';
import { navigate, withParams } from '../router.ts';
import { type Dashboard, type DashboardPanel, type DashboardVariable, type PanelKind, isVariableName, movePanel, substitute, varParam } from './model.ts';
import { GraphPanel, LogsPanel, TracesPanel } from './panels.tsx';
import { serverDashboards as store } from './store.ts';

const KINDS: Record<PanelKind, string> = { graph: 'Graph (ASL)', traces: 'Traces of a service', logs: 'Logs matching' };

export function DashboardsPage() {
  const list = useLoad('dashboards', () => store.list());
  const [error, setError] = useState('');
  const create = async () => {
    try {
      const d = await store.create({ title: 'New dashboard', variables: [], panels: [] });
      navigate(`/dashboards/d/${d.id}?edit=1`);
    } catch (e) {
      setError(`the dashboard was not created: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <main class="page">
      <div class="page-head">
        <h1>Dashboards</h1>
        <button type="button" class="primary" onClick={create}>
          New dashboard
        </button>
      </div>
      <FieldError message={error} />
      <Panel title="Built in">
        <p>
          <a href="/dashboards/service">Service</a>: a service's request rate, error ratio, latency percentiles, slowest traces and warnings.
        </p>
      </Panel>
      <Panel title="Yours" load={list} empty={(list.data?.length ?? 0) === 0} emptyHint={<p class="hint">No dashboards yet: "New dashboard" makes one. Vigil keeps them in ClickHouse, for everyone using this Vigil.</p>}>
        <ul class="dashboard-list">
          {list.data?.map((d) => (
            <li>
              <a href={`/dashboards/d/${d.id}`}>{d.title}</a> <span class="muted small">{d.panels.length} panels</span>
            </li>
          ))}
        </ul>
      </Panel>
    </main>
  );
}

function VariablePicker({ variable, value, services }: { variable: DashboardVariable; value: string; services: string[] }) {
  const options = variable.source === 'services' ? services : variable.values;
  return (
    <label class="variable">
      {variable.name}
      <select value={value} onChange={(e) => navigate(withParams({ [varParam(variable.name)]: (e.target as HTMLSelectElement).value }))}>
        {options.map((o) => (
          <option value={o}>{o}</option>
        ))}
        {value && !options.includes(value) && <option value={value}>{value}</option>}
      </select>
    </label>
  );
}

function Editor({ dashboard, onSave, onCancel }: { dashboard: Dashboard; onSave: (d: Dashboard) => Promise<void>; onCancel: () => void }) {
  const [d, setD] = useState<Dashboard>(dashboard);
  const [error, setError] = useState('');
  const setPanel = (i: number, patch: Partial<DashboardPanel>) => setD({ ...d, panels: d.panels.map((p, k) => (k === i ? { ...p, ...patch } : p)) });
  const setVariable = (i: number, patch: Partial<DashboardVariable>) => setD({ ...d, variables: d.variables.map((v, k) => (k === i ? { ...v, ...patch } : v)) });
  const save = async (e: Event) => {
    e.preventDefault();
    const badName = d.variables.find((v) => !isVariableName(v.name));
    if (badName) return setError(`variable name ${JSON.stringify(badName.name)}: letters, digits and _, not starting with a digit`);
    if (d.title.trim() === '') return setError('the dashboard needs a title');
    try {
      await onSave({ ...d, title: d.title.trim() });
    } catch (error) {
      // The server's message names the field (e.g. "invalid panels[2].query: longer than ...").
      setError(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <form class="dashboard-editor" onSubmit={save} aria-label="Dashboard editor">
      <label>
        Title
        <input value={d.title} onInput={(e) => setD({ ...d, title: (e.target as HTMLInputElement).value })} />
      </label>
      <h3>Variables</h3>
      {d.variables.map((v, i) => (
        <div class="rule-row" data-variable={i}>
          <label>
            Variable name
            <input value={v.name} onInput={(e) => setVariable(i, { name: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            Values
            <select value={v.source} onChange={(e) => setVariable(i, { source: (e.target as HTMLSelectElement).value as DashboardVariable['source'] })}>
              <option value="services">the traced services</option>
              <option value="list">a list</option>
            </select>
          </label>
          {v.source === 'list' && (
            <label class="grow">
              Comma-separated values
              <input value={v.values.join(',')} onInput={(e) => setVariable(i, { values: (e.target as HTMLInputElement).value.split(',').map((x) => x.trim()).filter((x) => x !== '') })} />
            </label>
          )}
          <button type="button" onClick={() => setD({ ...d, variables: d.variables.filter((_, k) => k !== i) })}>
            Remove variable
          </button>
        </div>
      ))}
      <div>
        <button type="button" onClick={() => setD({ ...d, variables: [...d.variables, { name: d.variables.length ? `var${d.variables.length + 1}` : 'service', source: 'services', values: [] }] })}>
          Add variable
        </button>
      </div>
      <h3>Panels</h3>
      {d.panels.map((p, i) => (
        <div class="rule-row panel-edit" data-panel={i}>
          <label>
            Panel title
            <input value={p.title} onInput={(e) => setPanel(i, { title: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            Kind
            <select value={p.kind} onChange={(e) => setPanel(i, { kind: (e.target as HTMLSelectElement).value as PanelKind })}>
              {Object.entries(KINDS).map(([k, label]) => (
                <option value={k}>{label}</option>
              ))}
            </select>
          </label>
          <label class="grow">
            Query ($variable allowed)
            <input class="mono" value={p.query} onInput={(e) => setPanel(i, { query: (e.target as HTMLInputElement).value })} />
          </label>
          <label class="inline-check">
            <input type="checkbox" checked={p.wide} onChange={(e) => setPanel(i, { wide: (e.target as HTMLInputElement).checked })} /> wide
          </label>
          <button type="button" aria-label={`Move ${p.title} up`} onClick={() => setD({ ...d, panels: movePanel(d.panels, i, -1) })} disabled={i === 0}>
            ↑
          </button>
          <button type="button" aria-label={`Move ${p.title} down`} onClick={() => setD({ ...d, panels: movePanel(d.panels, i, 1) })} disabled={i === d.panels.length - 1}>
            ↓
          </button>
          <button type="button" onClick={() => setD({ ...d, panels: d.panels.filter((_, k) => k !== i) })}>
            Remove panel
          </button>
        </div>
      ))}
      <div>
        <button type="button" onClick={() => setD({ ...d, panels: [...d.panels, { title: `Panel ${d.panels.length + 1}`, kind: 'graph', query: '', wide: false }] })}>
          Add panel
        </button>
      </div>
      <div class="rule-row">
        <button type="submit" class="primary">
          Save dashboard
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <FieldError message={error} />
    </form>
  );
}

export function DashboardView({ id, params }: { id: string; params: URLSearchParams }) {
  const { spec, range, key: rangeKey, setSpec } = usePageRange(params);
  const [refreshes, setRefreshes] = useState(0);
  const [version, setVersion] = useState(0);
  const load = useLoad(`dashboard ${id} ${version}`, () => store.get(id));
  const services = useLoad('services', (signal) => apiGet<JaegerList>('/api/services', {}, signal));
  const d = load.data;
  const serviceNames = services.data?.data ?? [];
  const editing = params.get('edit') === '1';
  const values: Record<string, string> = {};
  for (const v of d?.variables ?? []) values[v.name] = params.get(varParam(v.name)) ?? (v.source === 'services' ? serviceNames[0] : v.values[0]) ?? '';
  const key = `${rangeKey} ${refreshes}`;
  return (
    <main class="page">
      <div class="page-head">
        <h1>
          <a href="/dashboards">Dashboards</a> / {d?.title ?? id}
        </h1>
        <div class="range-picker">
          {d?.variables.map((v) => <VariablePicker variable={v} value={values[v.name]!} services={serviceNames} />)}
          <RangePicker spec={spec} onChange={setSpec} onRefresh={() => setRefreshes((n) => n + 1)} />
          {d && !editing && (
            <button type="button" onClick={() => navigate(withParams({ edit: '1' }))}>
              Edit
            </button>
          )}
          {d && !editing && (
            <button
              type="button"
              onClick={async () => {
                if (!confirm(`Delete the dashboard "${d.title}"?`)) return;
                try {
                  await store.remove(d.id);
                  navigate('/dashboards');
                } catch (e) {
                  alert(`The dashboard was not deleted: ${e instanceof Error ? e.message : String(e)}`);
                }
              }}
            >
              Delete
            </button>
          )}
        </div>
      </div>
      {load.state === 'ok' && d === undefined && (
        <Panel title="Not found">
          <p class="hint">
            No dashboard {id}: it was deleted, or the link is wrong. <a href="/dashboards">All dashboards</a>
          </p>
        </Panel>
      )}
      {d && editing && (
        <Panel title="Edit dashboard">
          <Editor
            key={`${d.id} ${version}`}
            dashboard={d}
            onCancel={() => navigate(withParams({ edit: undefined }))}
            onSave={async (next) => {
              await store.save(next);
              setVersion((n) => n + 1);
              navigate(withParams({ edit: undefined }));
            }}
          />
        </Panel>
      )}
      {d && d.panels.length === 0 && !editing && (
        <Panel title="No panels">
          <p class="hint">This dashboard has no panels yet: Edit, then Add panel.</p>
        </Panel>
      )}
      {d && (
        <div class="dashboard-grid custom">
          {d.panels.map((p, i) => {
            const q = substitute(p.query, values);
            const common = { title: p.title, range, rangeKey: key };
            return (
              <div key={`${i} ${p.kind} ${q}`} class={p.wide ? 'wide' : ''} data-panel-title={p.title}>
                {p.kind === 'graph' ? <GraphPanel {...common} q={q} /> : p.kind === 'traces' ? <TracesPanel {...common} filter={{ service: q }} /> : <LogsPanel {...common} filter={{ q }} />}
              </div>
            );
          })}
        </div>
      )}
    </main>
  );
}
