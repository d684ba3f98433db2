// Dashboard panels: an ASL graph, a list of traces and a list of log lines, each loading
// its own data for the dashboard's shared time range.
import type { ComponentChildren } from 'preact';
import { type Params, apiGet } from '../api.ts';
import { Panel } from '../components/panel.tsx';
import { Time } from '../components/time.tsx';
import { formatDuration, severityGroup } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { GraphChart, useGraph } from '../metrics/graph.tsx';
import type { LogPage, TracePage } from '../pages/api-types.ts';
import type { TimeRange } from '../time.ts';

interface PanelProps {
  title: string;
  range: TimeRange;
  /** Changes when the range is re-read (refresh). */
  rangeKey: string;
  emptyHint?: ComponentChildren;
}

export function GraphPanel({ title, q, range, rangeKey, emptyHint, actions }: PanelProps & { q: string; actions?: ComponentChildren }) {
  const graph = useGraph(q, range, rangeKey);
  return (
    <Panel title={title} load={graph} empty={graph.data?.legend.length === 0} emptyHint={emptyHint ?? <p class="hint">No series match {q}.</p>} actions={actions}>
      {graph.data && <GraphChart answer={graph.data} label={title} height={200} />}
    </Panel>
  );
}

/** Traces matching `filter` (parameters of /api/v1/traces besides the range). */
export function TracesPanel({ title, filter, range, rangeKey, emptyHint }: PanelProps & { filter: Params }) {
  const load = useLoad(`panel traces ${JSON.stringify(filter)} ${rangeKey}`, (signal) => apiGet<TracePage>('/api/v1/traces', { limit: 10, ...filter, start: range.startMs, end: range.endMs }, signal));
  return (
    <Panel title={title} load={load} empty={(load.data?.traces.length ?? 0) === 0} emptyHint={emptyHint ?? <p class="hint">No traces in this range.</p>}>
      <table class="table">
        <tbody>
          {load.data?.traces.map((t) => (
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
    </Panel>
  );
}

/** Log records matching `filter` (parameters of /api/v1/logs besides the range). */
export function LogsPanel({ title, filter, range, rangeKey, emptyHint }: PanelProps & { filter: Params }) {
  const load = useLoad(`panel logs ${JSON.stringify(filter)} ${rangeKey}`, (signal) => apiGet<LogPage>('/api/v1/logs', { limit: 20, ...filter, start: range.startMs, end: range.endMs }, signal));
  return (
    <Panel title={title} load={load} empty={(load.data?.logs.length ?? 0) === 0} emptyHint={emptyHint ?? <p class="hint">No records match.</p>}>
      <ul class="log-lines">
        {load.data?.logs.map((l) => (
          <li>
            <Time ms={l.timeMs} /> <span class={`sev sev-${severityGroup(l.severityNumber)}`}>{l.severityText || severityGroup(l.severityNumber)}</span> {l.body}{' '}
            {l.traceId && <a href={`/traces/${l.traceId}${l.spanId ? `?span=${l.spanId}` : ''}`}>trace</a>}
          </li>
        ))}
      </ul>
    </Panel>
  );
}
