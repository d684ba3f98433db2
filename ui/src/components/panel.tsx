// A panel with a title and the four states every data panel has: loading, error, empty, data.
import type { ComponentChildren } from 'preact';
import type { Load } from '../hooks.ts';

interface PanelProps {
  title: ComponentChildren;
  actions?: ComponentChildren;
  load?: Load<unknown> & { reload?: () => void };
  /** True when the data is there but has nothing to show. */
  empty?: boolean;
  emptyHint?: ComponentChildren;
  class?: string;
  id?: string;
  children?: ComponentChildren;
}

export function Panel({ title, actions, load, empty, emptyHint, class: cls, id, children }: PanelProps) {
  let body: ComponentChildren = children;
  if (load && load.data === undefined && load.state === 'loading') {
    body = (
      <div class="state loading" role="status">
        <span class="spinner" aria-hidden="true" /> Loading…
      </div>
    );
  } else if (load?.state === 'error') {
    body = (
      <div class="state error" role="alert">
        <strong>Could not load.</strong> {load.error.message}
        {load.reload && (
          <button type="button" onClick={load.reload}>
            Retry
          </button>
        )}
      </div>
    );
  } else if (empty) {
    body = <div class="state empty">{emptyHint ?? 'Nothing here.'}</div>;
  }
  return (
    <section class={`panel ${cls ?? ''}`} id={id} aria-busy={load?.state === 'loading'}>
      <header class="panel-head">
        <h2>{title}</h2>
        {load?.state === 'loading' && load.data !== undefined && <span class="spinner small" role="status" aria-label="Refreshing" />}
        <div class="panel-actions">{actions}</div>
      </header>
      <div class="panel-body">{body}</div>
    </section>
  );
}

/** What to do when there is no data: point an OpenTelemetry exporter at Vigil. */
export function SendDataHint({ what }: { what: string }) {
  const host = location.hostname || 'localhost';
  return (
    <div class="hint">
      <p>
        No {what} in this time range. Widen the range, or send OpenTelemetry data to Vigil:
      </p>
      <pre>
        {`export OTEL_EXPORTER_OTLP_ENDPOINT=http://${host}:4318   # OTLP/HTTP (gRPC: port 4317)
export OTEL_SERVICE_NAME=my-service`}
      </pre>
      <p>or add an <code>otlphttp</code> exporter with that endpoint to your OpenTelemetry Collector.</p>
    </div>
  );
}
