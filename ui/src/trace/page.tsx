// The trace view: header, search within the trace, minimap, waterfall, span detail and the
// trace's logs. The selected span is kept in the URL (?span=) so a view can be shared.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiGet } from '../api.ts';
import { CopyButton } from '../components/copy.tsx';
import { Panel } from '../components/panel.tsx';
import { Time } from '../components/time.tsx';
import { formatDuration, severityGroup } from '../format.ts';
import { useLoad } from '../hooks.ts';
import type { LogRecord, TraceDetail } from '../pages/api-types.ts';
import { navigate, withParams } from '../router.ts';
import { SpanDetail } from './detail.tsx';
import { Flamegraph } from './flamegraph.tsx';
import { Minimap } from './minimap.tsx';
import type { Zoom } from './zoom.ts';
import { type CriticalSection, buildTrace, criticalPath, parentIds, revealed, searchSpans, type SpanNode, type TraceModel, visibleRows } from './model.ts';
import { TimeAxis, Waterfall } from './waterfall.tsx';

/** Log lines listed under the waterfall (the Logs page pages through the rest). */
const LOG_LINES_MAX = 500;

export function TracePage({ traceId, params }: { traceId: string; params: URLSearchParams }) {
  const load = useLoad(`trace ${traceId}`, (signal) => apiGet<TraceDetail>(`/api/v1/traces/${encodeURIComponent(traceId)}`, {}, signal));
  const model = useMemo(() => (load.data ? buildTrace(load.data.spans) : undefined), [load.data]);
  return (
    <main class="page trace-page">
      <Panel
        title="Trace"
        load={load}
        empty={model?.order.length === 0}
        emptyHint={<p class="hint">This trace has no spans.</p>}
      >
        {model && load.data && <TraceView key={traceId} detail={load.data} model={model} params={params} />}
      </Panel>
    </main>
  );
}

function TraceView({ detail, model, params }: { detail: TraceDetail; model: TraceModel; params: URLSearchParams }) {
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [zoom, setZoom] = useState<Zoom>([0, 1]);
  const [showCritical, setShowCritical] = useState(false);
  const [query, setQuery] = useState('');
  const [matchesOnly, setMatchesOnly] = useState(false);
  const [matchIndex, setMatchIndex] = useState(0);
  const [scrollRequest, setScrollRequest] = useState(0);
  const [logsOfSpan, setLogsOfSpan] = useState(false);
  const [view, setView] = useState<'tree' | 'flame'>('tree');
  const selectedId = params.get('span') ?? '';
  const selected = model.byId.get(selectedId);

  const matches = useMemo(() => searchSpans(model, query), [model, query]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const rows = useMemo(() => (matchesOnly && query.trim() !== '' ? matches : visibleRows(model, collapsed)), [model, collapsed, matchesOnly, matches, query]);
  const critical = useMemo(() => {
    if (!showCritical) return undefined;
    const byNode = new Map<SpanNode, CriticalSection[]>();
    for (const c of criticalPath(model)) (byNode.get(c.node) ?? byNode.set(c.node, []).get(c.node)!).push(c);
    return byNode;
  }, [model, showCritical]);

  const select = (node: SpanNode | undefined, scroll = true) => {
    if (!node) return;
    setCollapsed((c) => revealed(c, node));
    navigate(withParams({ span: node.span.spanId }), true);
    if (scroll) setScrollRequest((r) => r + 1);
  };
  // A span given in the URL (from a log or a link) is revealed and scrolled to once.
  useEffect(() => select(selected), []);

  const goToMatch = (delta: number) => {
    if (matches.length === 0) return;
    const next = (matchIndex + delta + matches.length) % matches.length;
    setMatchIndex(next);
    select(matches[next]);
  };
  const toggle = (n: SpanNode) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (!next.delete(n.span.spanId)) next.add(n.span.spanId);
      return next;
    });

  const root = model.roots[0]!;
  const logs: LogRecord[] = logsOfSpan && selected ? detail.logs.filter((l) => l.spanId === selected.span.spanId) : detail.logs;
  const exportJson = () => {
    const url = URL.createObjectURL(new Blob([JSON.stringify(detail, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `trace-${detail.traceId}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <div class="trace-view">
      <div class="trace-header">
        <h1>
          <span class="wf-service">{root.span.service}</span>: {root.span.name}
        </h1>
        <div class="trace-meta">
          <span class="mono" data-testid="trace-id">
            {detail.traceId}
          </span>
          <CopyButton value={detail.traceId} label="Copy trace id" />
          <span>
            Start <Time ms={detail.startMs} withMs />
          </span>
          <span>
            Duration <strong>{formatDuration(model.duration / 1e6)}</strong>
          </span>
          <span>
            <strong>{model.order.length}</strong> spans
          </span>
          <span>
            <strong>{model.services.length}</strong> services
          </span>
          <span>
            depth <strong>{model.maxDepth + 1}</strong>
          </span>
          <span class={model.errorCount > 0 ? 'bad' : ''}>
            <strong>{model.errorCount}</strong> errors
          </span>
          {model.orphanCount > 0 && (
            <span class="warn" title="Spans whose parent span is not in this trace (yet)">
              <strong>{model.orphanCount}</strong> orphans
            </span>
          )}
        </div>
      </div>
      <div class="toolbar" role="toolbar" aria-label="Trace tools">
        <input
          type="search"
          aria-label="Find in trace"
          placeholder="Find spans: text, key=value, >10ms"
          value={query}
          onInput={(e) => {
            setQuery((e.target as HTMLInputElement).value);
            setMatchIndex(-1);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              goToMatch(e.shiftKey ? -1 : 1);
            }
          }}
        />
        <span class="match-count" aria-live="polite">
          {query.trim() === '' ? '' : matches.length === 0 ? 'no matches' : `${matchIndex >= 0 ? matchIndex + 1 : 0} of ${matches.length}`}
        </span>
        <button type="button" onClick={() => goToMatch(-1)} disabled={matches.length === 0} aria-label="Previous match">
          ↑
        </button>
        <button type="button" onClick={() => goToMatch(1)} disabled={matches.length === 0} aria-label="Next match">
          ↓
        </button>
        <label>
          <input type="checkbox" checked={matchesOnly} onChange={(e) => setMatchesOnly((e.target as HTMLInputElement).checked)} /> matches only
        </label>
        <span class="sep" />
        <button type="button" onClick={() => setCollapsed(new Set())}>
          Expand all
        </button>
        <button type="button" onClick={() => setCollapsed(parentIds(model))}>
          Collapse all
        </button>
        <label>
          <input type="checkbox" checked={showCritical} onChange={(e) => setShowCritical((e.target as HTMLInputElement).checked)} /> critical path
        </label>
        <button type="button" onClick={() => setZoom([0, 1])} disabled={zoom[0] === 0 && zoom[1] === 1}>
          Reset zoom
        </button>
        <button type="button" onClick={exportJson}>
          JSON
        </button>
        <button type="button" onClick={() => setView(view === 'tree' ? 'flame' : 'tree')}>
          {view === 'tree' ? 'Flame graph' : 'Span tree'}
        </button>
      </div>
      <Minimap model={model} zoom={zoom} onZoom={setZoom} />
      <div class={`trace-body${selected ? ' with-detail' : ''}`}>
        <div class="waterfall">
          <TimeAxis duration={model.duration} zoom={zoom} nameColumn={view === 'tree'} />
          {view === 'flame' ? (
            <Flamegraph model={model} zoom={zoom} selected={selected} onSelect={(n) => select(n, false)} />
          ) : (
            <Waterfall
              rows={rows}
              duration={model.duration}
              zoom={zoom}
              selected={selected}
              collapsed={collapsed}
              matches={matchSet}
              critical={critical}
              scrollRequest={scrollRequest}
              onSelect={(n) => select(n)}
              onToggle={toggle}
            />
          )}
        </div>
        {selected && <SpanDetail node={selected} logs={detail.logs} onSelectSpan={(id) => select(model.byId.get(id))} onClose={() => navigate(withParams({ span: undefined }), true)} />}
      </div>
      <section class="trace-logs" aria-label="Logs of this trace">
        <header class="panel-head">
          <h2>Logs ({logs.length})</h2>
          <label>
            <input type="checkbox" checked={logsOfSpan} disabled={!selected} onChange={(e) => setLogsOfSpan((e.target as HTMLInputElement).checked)} /> selected span only
          </label>
        </header>
        {logs.length === 0 ? (
          <p class="hint">No logs carry this trace id. Logs emitted inside an active span by an OpenTelemetry SDK or log bridge get its trace and span ids.</p>
        ) : (
          <ul class="log-lines">
            {logs.slice(0, LOG_LINES_MAX).map((l) => {
              const span = model.byId.get(l.spanId);
              return (
                <li>
                  <Time ms={l.timeMs} withMs /> <span class={`sev sev-${severityGroup(l.severityNumber)}`}>{l.severityText || severityGroup(l.severityNumber)}</span> <span class="muted">{l.service}</span> {l.body}{' '}
                  {span && (
                    <button type="button" class="link" onClick={() => select(span)}>
                      {span.span.name}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {logs.length > LOG_LINES_MAX && (
          <p class="muted">
            The first {LOG_LINES_MAX} of {logs.length} shown; <a href={`/logs?traceId=${detail.traceId}&start=${Math.floor(detail.startMs) - 60_000}&end=${Math.ceil(detail.startMs + detail.durationMs) + 60_000}`}>all in Logs</a>.
          </p>
        )}
      </section>
    </div>
  );
}
