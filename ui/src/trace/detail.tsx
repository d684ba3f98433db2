// The selected span: ids, kind, status, timing, attributes, resource, events (with offsets
// from the span's start), links (open the linked trace) and the span's logs.
import { CopyButton, KeyValues } from '../components/copy.tsx';
import { Time } from '../components/time.tsx';
import { formatDuration, severityGroup } from '../format.ts';
import type { LogRecord } from '../pages/api-types.ts';
import { kindLabel, type SpanNode } from './model.ts';

export function SpanDetail({ node, logs, onSelectSpan, onClose }: { node: SpanNode; logs: LogRecord[]; onSelectSpan: (spanId: string) => void; onClose: () => void }) {
  const s = node.span;
  const spanLogs = logs.filter((l) => l.spanId === s.spanId);
  return (
    <aside class="span-detail" aria-label="Span detail">
      <header>
        <h2>
          {s.service}: {s.name}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close span detail">
          ✕
        </button>
      </header>
      <dl class="facts">
        <dt>Kind</dt>
        <dd>{kindLabel(s.kind)}</dd>
        <dt>Status</dt>
        <dd class={node.error ? 'bad' : ''}>
          {s.status.code}
          {s.status.message && `: ${s.status.message}`}
        </dd>
        <dt>Duration</dt>
        <dd>{formatDuration((node.end - node.start) / 1e6)}</dd>
        <dt>Start</dt>
        <dd>
          <Time ms={s.startMs} withMs /> (+{formatDuration(node.start / 1e6)})
        </dd>
        {node.skew !== 0 && (
          <>
            <dt>Clock skew</dt>
            <dd class="warn">drawn {formatDuration(node.skew / 1e6)} from its recorded start (its host's clock differs from its parent's)</dd>
          </>
        )}
        <dt>Span id</dt>
        <dd class="mono">
          {s.spanId} <CopyButton value={s.spanId} label="Copy span id" />
        </dd>
        <dt>Parent</dt>
        <dd class="mono">
          {s.parentSpanId === '' ? (
            <span class="muted">none (root)</span>
          ) : node.parent ? (
            <button type="button" class="link" onClick={() => onSelectSpan(s.parentSpanId)}>
              {s.parentSpanId}
            </button>
          ) : (
            <span>
              {s.parentSpanId} <span class="badge warn">not in trace</span>
            </span>
          )}
        </dd>
        <dt>Scope</dt>
        <dd>
          {s.scope.name || <span class="muted">none</span>} {s.scope.version}
        </dd>
      </dl>
      <h3>Attributes</h3>
      <KeyValues values={s.attributes} empty="No attributes." />
      <h3>Resource</h3>
      <KeyValues values={s.resource} empty="No resource attributes." />
      <h3>Events ({s.events.length})</h3>
      {s.events.length === 0 ? (
        <p class="muted">No events.</p>
      ) : (
        <ul class="events">
          {s.events.map((e) => (
            <li>
              <span class="mono">+{formatDuration(Number(BigInt(e.timeNs) - BigInt(s.startNs)) / 1e6)}</span> <strong>{e.name}</strong>
              <KeyValues values={e.attributes} empty="" />
            </li>
          ))}
        </ul>
      )}
      <h3>Links ({s.links.length})</h3>
      {s.links.length === 0 ? (
        <p class="muted">No links.</p>
      ) : (
        <ul class="links-list">
          {s.links.map((l) => (
            <li>
              <a href={`/traces/${l.traceId}?span=${l.spanId}`} class="mono">
                {l.traceId} / {l.spanId}
              </a>
              <KeyValues values={l.attributes} empty="" />
            </li>
          ))}
        </ul>
      )}
      <h3>Logs ({spanLogs.length})</h3>
      {spanLogs.length === 0 ? (
        <p class="muted">No logs with this span id.</p>
      ) : (
        <ul class="span-logs">
          {spanLogs.map((l) => (
            <li>
              <Time ms={l.timeMs} withMs /> <span class={`sev sev-${severityGroup(l.severityNumber)}`}>{l.severityText || severityGroup(l.severityNumber)}</span> {l.body}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

