// Canary analysis: run a judgement (the ready-made version comparison of a service, or a
// stored Kayenta config with control and experiment scopes), list past judgements, and show
// a report like Kayenta's: score and verdict, group scores, one row per metric with its
// classification, and the control and experiment lines drawn over each other.
import type uPlot from 'uplot';
import { useState } from 'preact/hooks';
import { apiGet, apiSend } from '../api.ts';
import { Chart, axisStyle } from '../components/chart.tsx';
import { FieldError } from '../components/load-more.tsx';
import { Panel } from '../components/panel.tsx';
import { RangePicker } from '../components/range-picker.tsx';
import { Time } from '../components/time.tsx';
import { useLoad } from '../hooks.ts';
import type { JaegerList } from '../pages/api-types.ts';
import { usePageRange } from '../pages/common.ts';
import { navigate } from '../router.ts';
import type { ConfigSummary, JudgementSummary } from '../../../query/canary/store.ts';
import type { Judgement, StoredMetricSetPair } from '../../../query/canary/service.ts';

type Mode = 'versions' | 'config';

function RunForm({ params }: { params: URLSearchParams }) {
  const { spec, range, setSpec } = usePageRange(params);
  const [mode, setMode] = useState<Mode>('versions');
  const [form, setForm] = useState({ service: '', controlVersion: '', experimentVersion: '', configId: '', controlScope: '', experimentScope: '', step: '60', pass: '95', marginal: '75' });
  const [running, setRunning] = useState(false);
  const [error, setError] = useState('');
  const services = useLoad('services', (signal) => apiGet<JaegerList>('/api/services', {}, signal));
  const configs = useLoad(mode === 'config' ? 'configs' : null, (signal) => apiGet<{ configs: ConfigSummary[] }>('/api/v1/canary/configs', {}, signal));
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setRunning(true);
    setError('');
    const thresholds = { pass: Number(form.pass), marginal: Number(form.marginal) };
    const start = Math.floor(range.startMs);
    const end = Math.floor(range.endMs);
    const step = Number(form.step);
    const body =
      mode === 'versions'
        ? { template: 'span-red', service: form.service, controlVersion: form.controlVersion, experimentVersion: form.experimentVersion, start, end, step, thresholds }
        : {
            canaryConfigId: form.configId,
            executionRequest: {
              scopes: { default: { controlScope: { scope: form.controlScope, start, end, step }, experimentScope: { scope: form.experimentScope, start, end, step } } },
              thresholds,
            },
          };
    try {
      const judgement = await apiSend<Judgement>('POST', '/api/v1/canary/judge', body);
      navigate(`/canary/${judgement.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setRunning(false);
    }
  };

  return (
    <Panel title="Run a judgement" actions={<RangePicker spec={spec} onChange={setSpec} />}>
      <form class="canary-form" onSubmit={submit} aria-label="Run a canary judgement">
        <fieldset class="mode">
          <legend>Compare</legend>
          <label>
            <input type="radio" name="mode" checked={mode === 'versions'} onChange={() => setMode('versions')} /> two versions of a service (span RED metrics)
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === 'config'} onChange={() => setMode('config')} /> a stored canary config over two scopes
          </label>
        </fieldset>
        {mode === 'versions' ? (
          <div class="filters inline">
            <label>
              Service
              <input required list="canary-services" value={form.service} onInput={set('service')} placeholder="checkout" />
              <datalist id="canary-services">
                {(services.data?.data ?? []).map((s) => (
                  <option value={s} />
                ))}
              </datalist>
            </label>
            <label>
              Control (baseline) version
              <input required value={form.controlVersion} onInput={set('controlVersion')} placeholder="1.4.1" />
            </label>
            <label>
              Experiment (canary) version
              <input required value={form.experimentVersion} onInput={set('experimentVersion')} placeholder="1.4.2" />
            </label>
          </div>
        ) : (
          <div class="filters inline">
            <label>
              Config
              <select required value={form.configId} onChange={set('configId')}>
                <option value="">{configs.state === 'loading' ? 'loading…' : (configs.data?.configs.length ?? 0) === 0 ? 'no stored configs' : 'choose…'}</option>
                {(configs.data?.configs ?? []).map((c) => (
                  <option value={c.id}>{c.name}</option>
                ))}
              </select>
            </label>
            <label class="grow">
              Control scope (ASL)
              <input class="mono" value={form.controlScope} onInput={set('controlScope')} placeholder="service.version,1.4.1,:eq" />
            </label>
            <label class="grow">
              Experiment scope (ASL)
              <input class="mono" value={form.experimentScope} onInput={set('experimentScope')} placeholder="service.version,1.4.2,:eq" />
            </label>
          </div>
        )}
        <div class="filters inline">
          <label>
            Step (s)
            <input type="number" min="1" size={5} value={form.step} onInput={set('step')} />
          </label>
          <label>
            Pass ≥
            <input type="number" min="0" max="100" size={4} value={form.pass} onInput={set('pass')} />
          </label>
          <label>
            Marginal ≥
            <input type="number" min="0" max="100" size={4} value={form.marginal} onInput={set('marginal')} />
          </label>
          <button type="submit" class="primary" disabled={running}>
            {running ? 'Judging…' : 'Judge'}
          </button>
        </div>
        <FieldError message={error} />
      </form>
    </Panel>
  );
}

export function CanaryPage({ params }: { params: URLSearchParams }) {
  const list = useLoad('judgements', (signal) => apiGet<{ judgements: JudgementSummary[]; nextCursor: string | null }>('/api/v1/canary/judgements', { limit: 50 }, signal));
  const judgements = list.data?.judgements ?? [];
  return (
    <main class="page">
      <div class="page-head">
        <h1>Canary</h1>
      </div>
      <RunForm params={params} />
      <Panel
        title="Judgements"
        load={list}
        empty={judgements.length === 0}
        emptyHint={<p class="hint">No judgements yet. Deploy two versions side by side (spans carrying service.version), then judge them above.</p>}
      >
        <table class="table judgements-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Config</th>
              <th class="num">Score</th>
              <th>Verdict</th>
            </tr>
          </thead>
          <tbody>
            {judgements.map((j) => (
              <tr>
                <td>
                  <a href={`/canary/${j.id}`}>
                    <Time ms={j.createdAtMs} />
                  </a>
                </td>
                <td>{j.configName}</td>
                <td class="num">{j.score}</td>
                <td>
                  <span class={`verdict verdict-${j.classification}`}>{j.classification}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </main>
  );
}

function pairOptions(): (width: number) => uPlot.Options {
  return (width) => ({
    width,
    height: 220,
    scales: { x: { time: false } },
    series: [
      { label: 'minute' },
      { label: 'control', stroke: '#3b82f6', width: 1.5 },
      { label: 'experiment', stroke: '#f97316', width: 1.5 },
    ],
    axes: [{ ...axisStyle(), values: (_u, vals) => vals.map((v) => `+${Math.round(v)}m`) }, { ...axisStyle(), size: 60 }],
  });
}

/** Control and experiment samples on one axis of minutes from each scope's start (they may differ in time). */
export function pairColumns(pair: StoredMetricSetPair): uPlot.AlignedData {
  const n = Math.max(pair.values.control.length, pair.values.experiment.length);
  const stepMin = pair.scopes.control.stepMillis / 60_000;
  return [Array.from({ length: n }, (_, i) => i * stepMin), Array.from({ length: n }, (_, i) => pair.values.control[i] ?? null), Array.from({ length: n }, (_, i) => pair.values.experiment[i] ?? null)];
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(Number(v.toPrecision(4))));

export function CanaryReport({ id }: { id: string }) {
  const load = useLoad(`judgement ${id}`, (signal) => apiGet<Judgement>(`/api/v1/canary/judgements/${encodeURIComponent(id)}`, {}, signal));
  const [selected, setSelected] = useState<string | null>(null);
  const j = load.data;
  const chosen = selected ?? j?.results[0]?.id ?? null;
  const pair = j?.metricSetPairs.find((p) => p.id === chosen);
  return (
    <main class="page">
      <div class="page-head">
        <h1>
          <a href="/canary">Canary</a> / report
        </h1>
      </div>
      <Panel title="Judgement" load={load}>
        {j && (
          <div class="canary-report">
            <div class="canary-summary">
              <div class={`score-big verdict-${j.score.classification}`} data-testid="canary-score">
                {j.score.score}
              </div>
              <div>
                <span class={`verdict verdict-${j.score.classification}`}>{j.score.classification}</span>
                <p>{j.score.classificationReason}</p>
                <p class="muted small">
                  {String((j.canaryConfig as { name?: string }).name ?? '')} · judged <Time ms={j.createdAtMs} /> · thresholds pass {j.executionRequest.thresholds.pass}, marginal {j.executionRequest.thresholds.marginal}
                </p>
              </div>
              <ul class="group-scores" aria-label="Group scores">
                {j.groupScores.map((g) => (
                  <li>
                    <span>{g.name}</span>
                    <span class="group-bar">
                      <span style={{ width: `${g.score}%` }} />
                    </span>
                    <span class="num">{fmt(g.score)}</span>
                  </li>
                ))}
              </ul>
            </div>
            <table class="table canary-results">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th>Result</th>
                  <th class="num">Control mean</th>
                  <th class="num">Experiment mean</th>
                  <th class="num">Ratio</th>
                  <th>Groups</th>
                </tr>
              </thead>
              <tbody>
                {j.results.map((r) => (
                  <tr class={r.id === chosen ? 'selected' : ''} data-metric={r.name}>
                    <td>
                      <button type="button" class="link" aria-pressed={r.id === chosen} onClick={() => setSelected(r.id)}>
                        {r.name}
                        {Object.keys(r.tags).length > 0 && <span class="muted"> {Object.entries(r.tags).map(([k, v]) => `${k}=${v}`).join(' ')}</span>}
                      </button>
                      {r.critical && <span class="badge bad">critical</span>}
                      {r.muted && <span class="badge">muted</span>}
                    </td>
                    <td>
                      <span class={`classification cls-${r.classification}`} title={r.classificationReason ?? ''}>
                        {r.classification}
                      </span>
                    </td>
                    <td class="num">{fmt(r.controlMetadata.stats.mean)}</td>
                    <td class="num">{fmt(r.experimentMetadata.stats.mean)}</td>
                    <td class="num">{fmt(r.resultMetadata.ratio)}</td>
                    <td>{r.groups.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {pair && (
              <section class="pair-chart" aria-label="Control and experiment">
                <h3>
                  {pair.name} {Object.entries(pair.tags).map(([k, v]) => `${k}=${v}`).join(' ')}: control (blue) and experiment (orange)
                </h3>
                <Chart shape={`pair ${pair.id}`} options={pairOptions()} data={pairColumns(pair)} label={`${pair.name}: control and experiment samples`} />
              </section>
            )}
          </div>
        )}
      </Panel>
    </main>
  );
}
