// Alerts: the active alerts with their state and since when, the rules (list, create, edit,
// delete; an expression preview checks it against the data before saving) and the
// transition history.
import { useState } from 'preact/hooks';
import { apiGet, apiSend } from '../api.ts';
import { FieldError } from '../components/load-more.tsx';
import { Panel } from '../components/panel.tsx';
import { Time } from '../components/time.tsx';
import { useLoad } from '../hooks.ts';
import { GraphChart, formatValue, useGraph } from '../metrics/graph.tsx';
import { EMPTY_FORM, type RuleForm, type RuleJson, bodyOf, formOf } from './rule-form.ts';

interface ActiveAlert {
  ruleId: string;
  ruleName: string;
  fingerprint: string;
  state: string;
  labels: Record<string, string>;
  value: number | null;
  activeAt: string | null;
  firedAt: string | null;
}

interface HistoryEntry {
  at: number;
  ruleName: string;
  labels: Record<string, string>;
  from: string;
  to: string;
  value: number | null;
}

const Labels = ({ labels }: { labels: Record<string, string> }) => (
  <>
    {Object.entries(labels).map(([k, v]) => (
      <span class="chip">
        {k}={v}
      </span>
    ))}
  </>
);

const PREVIEW_MS = 3_600_000;

function RuleEditor({ initial, onDone }: { initial: RuleJson | null; onDone: (saved: boolean) => void }) {
  const [form, setForm] = useState<RuleForm>(initial ? formOf(initial) : EMPTY_FORM);
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const [preview, setPreview] = useState<{ q: string; at: number } | null>(null);
  const now = preview?.at ?? Date.now();
  const graph = useGraph(preview?.q ?? '', { startMs: now - PREVIEW_MS, endMs: now }, String(preview?.at ?? 0));
  const set = (k: keyof RuleForm) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });

  const save = async (e: Event) => {
    e.preventDefault();
    const built = bodyOf(form);
    if ('error' in built) return setError(built.error);
    setSaving(true);
    setError('');
    try {
      if (initial?.id) await apiSend('PUT', `/api/v1/alerts/rules/${encodeURIComponent(initial.id)}`, built.body);
      else await apiSend('POST', '/api/v1/alerts/rules', built.body);
      onDone(true);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Panel title={initial?.id ? `Edit rule ${initial.name}` : 'New rule'}>
      <form class="rule-form" onSubmit={save} aria-label="Alert rule">
        <label>
          Name
          <input required value={form.name} onInput={set('name')} placeholder="checkout error ratio" />
        </label>
        <label class="wide">
          Expression (ASL)
          <textarea class="mono" rows={2} required value={form.expr} onInput={set('expr')} placeholder="name,vigil.span.errors,:eq,service.name,checkout,:eq,:and,:sum" />
        </label>
        <div class="rule-row">
          <label>
            Condition
            <select value={form.op} onChange={set('op')}>
              <option value="">signal (non-zero fires)</option>
              {['>', '>=', '<', '<=', '==', '!='].map((op) => (
                <option value={op}>value {op}</option>
              ))}
            </select>
          </label>
          {form.op !== '' && (
            <label>
              Threshold
              <input size={8} value={form.threshold} onInput={set('threshold')} />
            </label>
          )}
          <label>
            For
            <input size={6} value={form.for} onInput={set('for')} />
          </label>
          <label>
            Keep firing for
            <input size={6} value={form.keepFiringFor} onInput={set('keepFiringFor')} />
          </label>
          <label>
            Every
            <input size={6} value={form.interval} onInput={set('interval')} />
          </label>
          <label>
            No data
            <select value={form.noData} onChange={set('noData')}>
              {['nodata', 'ok', 'alerting', 'keep-last'].map((v) => (
                <option value={v}>{v}</option>
              ))}
            </select>
          </label>
          <label>
            On error
            <select value={form.onError} onChange={set('onError')}>
              {['error', 'alerting', 'ok', 'keep-last'].map((v) => (
                <option value={v}>{v}</option>
              ))}
            </select>
          </label>
        </div>
        <div class="rule-row">
          <label class="grow">
            Labels (key=value per line)
            <textarea class="mono" rows={2} value={form.labels} onInput={set('labels')} />
          </label>
          <label class="grow">
            Annotations
            <textarea class="mono" rows={2} value={form.annotations} onInput={set('annotations')} placeholder="summary=Checkout errors above 5%" />
          </label>
          <label class="grow">
            Webhooks (name=url per line)
            <textarea class="mono" rows={2} value={form.receivers} onInput={set('receivers')} placeholder="oncall=https://alertmanager.example/api/v2/alerts" />
          </label>
        </div>
        <div class="rule-row">
          <button type="submit" class="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={() => setPreview({ q: form.expr.trim(), at: Date.now() })} disabled={form.expr.trim() === ''}>
            Preview last hour
          </button>
          <button type="button" onClick={() => onDone(false)}>
            Cancel
          </button>
        </div>
        <FieldError message={error} />
      </form>
      {preview && (
        <div class="rule-preview" aria-label="Preview">
          {graph.state === 'loading' && <p role="status">Evaluating…</p>}
          {graph.state === 'error' && (
            <p class="field-error" role="alert">
              {graph.error.message}
            </p>
          )}
          {graph.data &&
            (graph.data.legend.length === 0 ? (
              <p class="hint">The expression gives no line over the last hour: the rule would report no data.</p>
            ) : (
              <>
                {form.op !== '' && (
                  <p class="muted small">
                    Fires where the value is {form.op} {form.threshold}.
                  </p>
                )}
                <GraphChart answer={graph.data} label="Preview of the rule's expression" height={180} />
              </>
            ))}
        </div>
      )}
    </Panel>
  );
}

export function AlertsPage() {
  const [tick, setTick] = useState(0);
  const active = useLoad(`active ${tick}`, (signal) => apiGet<{ alerts: ActiveAlert[] }>('/api/v1/alerts', {}, signal));
  const rules = useLoad(`rules ${tick}`, (signal) => apiGet<{ rules: RuleJson[] }>('/api/v1/alerts/rules', {}, signal));
  const history = useLoad(`history ${tick}`, (signal) => apiGet<{ history: HistoryEntry[] }>('/api/v1/alerts/history', { limit: 200 }, signal));
  const [editing, setEditing] = useState<RuleJson | null | undefined>(undefined);
  const [error, setError] = useState('');
  const refresh = () => setTick((t) => t + 1);
  const remove = async (rule: RuleJson) => {
    if (!confirm(`Delete the rule "${rule.name}"?`)) return;
    try {
      await apiSend('DELETE', `/api/v1/alerts/rules/${encodeURIComponent(rule.id!)}`);
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const alerts = active.data?.alerts ?? [];
  return (
    <main class="page">
      <div class="page-head">
        <h1>Alerts</h1>
        <div class="range-picker">
          <button type="button" class="primary" onClick={() => setEditing(null)}>
            New rule
          </button>
          <button type="button" onClick={refresh} aria-label="Refresh">
            ↻
          </button>
        </div>
      </div>
      {editing !== undefined && (
        <RuleEditor
          key={editing?.id ?? 'new'}
          initial={editing}
          onDone={(saved) => {
            setEditing(undefined);
            if (saved) refresh();
          }}
        />
      )}
      <Panel title={`Active alerts (${alerts.length})`} load={active} empty={alerts.length === 0} emptyHint={<p class="hint">No alert is pending or firing.</p>}>
        <table class="table active-alerts">
          <thead>
            <tr>
              <th>State</th>
              <th>Rule</th>
              <th>Labels</th>
              <th class="num">Value</th>
              <th>Since</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr data-rule={a.ruleName}>
                <td>
                  <span class={`alert-state state-${a.state}`}>{a.state}</span>
                </td>
                <td>{a.ruleName}</td>
                <td>
                  <Labels labels={a.labels} />
                </td>
                <td class="num">{formatValue(a.value)}</td>
                <td>{a.firedAt ? <Time ms={Date.parse(a.firedAt)} /> : a.activeAt ? <Time ms={Date.parse(a.activeAt)} /> : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      <Panel title="Rules" load={rules} empty={(rules.data?.rules.length ?? 0) === 0} emptyHint={<p class="hint">No rules yet. "New rule" alerts on any ASL expression, e.g. a service's error ratio.</p>}>
        <FieldError message={error} />
        <table class="table rules-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Expression</th>
              <th>Fires when</th>
              <th>For</th>
              <th>Every</th>
              <th>Labels</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.data?.rules.map((r) => (
              <tr data-rule={r.name}>
                <td>{r.name}</td>
                <td class="mono small expr-cell" title={r.expr}>
                  {r.expr}
                </td>
                <td>{r.condition ? `value ${r.condition.op} ${r.condition.threshold}` : 'non-zero'}</td>
                <td>{r.for}</td>
                <td>{r.interval}</td>
                <td>
                  <Labels labels={r.labels ?? {}} />
                </td>
                <td class="links">
                  <button type="button" onClick={() => setEditing(r)}>
                    Edit
                  </button>{' '}
                  <button type="button" onClick={() => remove(r)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      <Panel title="History (last 24 h)" load={history} empty={(history.data?.history.length ?? 0) === 0} emptyHint={<p class="hint">No state changes in the last 24 hours.</p>}>
        <table class="table history-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Rule</th>
              <th>Labels</th>
              <th>Change</th>
              <th class="num">Value</th>
            </tr>
          </thead>
          <tbody>
            {history.data?.history.map((h) => (
              <tr>
                <td>
                  <Time ms={h.at} />
                </td>
                <td>{h.ruleName}</td>
                <td>
                  <Labels labels={h.labels} />
                </td>
                <td>
                  <span class={`alert-state state-${h.from}`}>{h.from}</span> → <span class={`alert-state state-${h.to}`}>{h.to}</span>
                </td>
                <td class="num">{formatValue(h.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </main>
  );
}
