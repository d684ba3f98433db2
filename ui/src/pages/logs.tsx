// Logs: a query bar (text, service, severity, attributes, trace id), the volume by severity
// (stacked bars; drag across the chart to zoom the time range) and the records, newest
// first, each expandable, with a link to its trace.
import uPlot from 'uplot';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { apiGet } from '../api.ts';
import { Chart, SEVERITY_COLORS, axisStyle } from '../components/chart.tsx';
import { KeyValues } from '../components/copy.tsx';
import { LoadMore, usePaging } from '../components/load-more.tsx';
import { Panel, SendDataHint } from '../components/panel.tsx';
import { RangePicker } from '../components/range-picker.tsx';
import { Time } from '../components/time.tsx';
import { formatCount, severityGroup } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { navigate, withParams } from '../router.ts';
import { rangeParams } from '../time.ts';
import type { LogPage, LogRecord, LogVolume } from './api-types.ts';
import { usePageRange } from './common.ts';

const FIELDS = ['q', 'service', 'severity', 'traceId'] as const;
type Field = (typeof FIELDS)[number] | 'attr';

/** Cumulative columns for stacked bars: series i is the sum of series 0..i (drawn top first). */
export function stackVolume(volume: LogVolume): { names: string[]; data: uPlot.AlignedData } {
  const names = Object.keys(volume.series);
  const sums: number[][] = [];
  names.forEach((name, i) => {
    const own = volume.series[name]!;
    sums.push(own.map((v, j) => v + (i > 0 ? sums[i - 1]![j]! : 0)));
  });
  // uPlot draws series in order: the tallest (the full stack) first, so smaller ones sit on it.
  return { names: [...names].reverse(), data: [volume.buckets.map((b) => b / 1000), ...[...sums].reverse()] };
}

function volumeOptions(names: string[], onZoom: (startMs: number, endMs: number) => void): (width: number) => uPlot.Options {
  return (width) => ({
    width,
    height: 150,
    cursor: { drag: { x: true, y: false, setScale: false } },
    scales: { x: { time: true } },
    legend: { show: true },
    series: [
      { value: (_u, v) => (v == null ? '' : new Date(v * 1000).toLocaleString()) },
      ...names.map((name) => ({
        label: name,
        stroke: SEVERITY_COLORS[name] ?? '#888',
        fill: SEVERITY_COLORS[name] ?? '#888',
        width: 0,
        paths: barPaths,
        points: { show: false },
        value: (u: uPlot, _v: number | null, si: number, di: number | null) => {
          // The legend shows each severity's own count, not the stacked sum.
          if (di == null) return '';
          const own = (u.data[si]![di] ?? 0) - (si < u.data.length - 1 ? (u.data[si + 1]![di] ?? 0) : 0);
          return formatCount(own);
        },
      })),
    ],
    axes: [{ ...axisStyle() }, { ...axisStyle(), size: 50, values: (_u, vals) => vals.map((v) => formatCount(v)) }],
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width < 3) return;
          const start = u.posToVal(u.select.left, 'x') * 1000;
          const end = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          onZoom(Math.floor(start), Math.ceil(end));
        },
      ],
    },
  });
}

// Bars start at their bucket's time and fill most of the step.
const barPaths = uPlot.paths.bars!({ size: [0.9, Infinity], align: 1 });

export function LogsPage({ params }: { params: URLSearchParams }) {
  const { spec, range, key: rangeKey, setSpec } = usePageRange(params);
  const read = () => ({ ...(Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ''])) as Record<(typeof FIELDS)[number], string>), attr: params.getAll('attr').join(' ') });
  const [form, setForm] = useState<Record<Field, string>>(read);
  const urlKey = params.toString();
  useEffect(() => setForm(read()), [urlKey]);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());

  const filter = {
    start: range.startMs,
    end: range.endMs,
    q: params.get('q') ?? '',
    service: params.get('service') ?? '',
    severity: params.get('severity') ?? '',
    traceId: params.get('traceId') ?? '',
    attr: params.getAll('attr'),
  };
  const key = `${rangeKey} ${urlKey}`;
  const logs = useLoad(`logs ${key}`, (signal) => apiGet<LogPage>('/api/v1/logs', { ...filter, limit: 100 }, signal));
  const volume = useLoad(`volume ${key}`, (signal) => apiGet<LogVolume>('/api/v1/logs/volume', filter, signal));
  const services = useLoad(`log services ${rangeKey}`, (signal) =>
    apiGet<{ values: Array<{ value: string }> }>('/api/v1/metadata/attributes/values', { signal: 'logs', key: 'service.name', start: range.startMs, end: range.endMs }, signal),
  );
  const firstPage = useMemo(() => logs.data && { items: logs.data.logs, nextCursor: logs.data.nextCursor }, [logs.data]);
  const paging = usePaging(firstPage, async (cursor) => {
    const page = await apiGet<LogPage>('/api/v1/logs', { ...filter, limit: 100, cursor });
    return { items: page.logs, nextCursor: page.nextCursor };
  });
  useEffect(() => setExpanded(new Set()), [logs.data]);

  const submit = (e: Event) => {
    e.preventDefault();
    navigate(withParams({ ...Object.fromEntries(FIELDS.map((f) => [f, form[f].trim()])), attr: form.attr.split(/\s+/).filter((a) => a !== '') }));
  };
  const set = (f: Field) => (e: Event) => setForm({ ...form, [f]: (e.target as HTMLInputElement).value });
  const refresh = () => {
    logs.reload();
    volume.reload();
  };

  const stacked = volume.data ? stackVolume(volume.data) : undefined;
  const onZoomRef = useRef((startMs: number, endMs: number) => navigate(withParams(rangeParams({ startMs, endMs }))));
  const records = paging.items;
  const recordKey = (l: LogRecord, i: number) => `${l.timeNs}-${i}`;
  const serviceNames = (services.data?.values ?? []).map((v) => v.value);

  return (
    <main class="page">
      <div class="page-head">
        <h1>Logs</h1>
        <RangePicker spec={spec} onChange={setSpec} onRefresh={refresh} />
      </div>
      <form class="filters" onSubmit={submit} aria-label="Log search">
        <label class="grow">
          Search
          <input type="search" placeholder={'words and "quoted phrases"'} value={form.q} onInput={set('q')} />
        </label>
        <label>
          Service
          <select value={form.service} onChange={set('service')}>
            <option value="">any</option>
            {serviceNames.map((s) => (
              <option value={s}>{s}</option>
            ))}
            {form.service && !serviceNames.includes(form.service) && <option value={form.service}>{form.service}</option>}
          </select>
        </label>
        <label>
          Severity
          <select value={form.severity} onChange={set('severity')}>
            <option value="">any</option>
            {['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].map((s) => (
              <option value={s}>≥ {s}</option>
            ))}
          </select>
        </label>
        <label>
          Attributes
          <input placeholder="http.route=/cart k=~re" value={form.attr} onInput={set('attr')} />
        </label>
        <label>
          Trace id
          <input size={12} class="mono" value={form.traceId} onInput={set('traceId')} />
        </label>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <Panel title={`Volume${volume.data ? ` (${formatCount(volume.data.total)} records)` : ''}`} load={volume} empty={volume.data?.total === 0} emptyHint={<SendDataHint what="log records matching this query" />} actions={<span class="muted small">drag across the chart to zoom</span>}>
        {stacked && (
          <Chart shape={`volume ${stacked.names.join(',')}`} options={volumeOptions(stacked.names, (a, b) => onZoomRef.current(a, b))} data={stacked.data} label="Log records per bucket by severity" class="volume" />
        )}
      </Panel>
      <Panel title="Records" load={logs} empty={records.length === 0} emptyHint={<p class="hint">No records match. Loosen the query or widen the time range.</p>}>
        <ul class="log-list">
          {records.map((l, i) => {
            const k = recordKey(l, i);
            const open = expanded.has(k);
            const sev = severityGroup(l.severityNumber);
            return (
              <li class={`log-record${open ? ' open' : ''}`} data-severity={sev}>
                <button
                  type="button"
                  class="log-summary"
                  aria-expanded={open}
                  onClick={() =>
                    setExpanded((s) => {
                      const next = new Set(s);
                      if (!next.delete(k)) next.add(k);
                      return next;
                    })
                  }
                >
                  <Time ms={l.timeMs} withMs />
                  <span class={`sev sev-${sev}`}>{l.severityText || sev}</span>
                  <span class="log-service">{l.service}</span>
                  <span class="log-body">{l.body}</span>
                </button>
                {open && (
                  <div class="log-detail">
                    {l.traceId && (
                      <p>
                        <a href={`/traces/${l.traceId}${l.spanId ? `?span=${l.spanId}` : ''}`}>Open trace {l.traceId}</a>
                        {l.spanId && <span class="muted mono"> span {l.spanId}</span>}
                      </p>
                    )}
                    <pre class="log-full">{l.body}</pre>
                    <h3>Attributes</h3>
                    <KeyValues values={l.attributes} empty="No attributes." />
                    <h3>Resource</h3>
                    <KeyValues values={l.resource} empty="No resource attributes." />
                    <p class="muted small">
                      severity {l.severityNumber}
                      {l.eventName && ` · event ${l.eventName}`} · scope {l.scope.name || 'none'} {l.scope.version} · observed <Time ms={Number(BigInt(l.observedTimeNs) / 1_000_000n)} withMs />
                    </p>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
        <LoadMore paging={paging} />
      </Panel>
    </main>
  );
}
