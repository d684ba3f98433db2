// The span tree with duration bars on a shared time axis. Rows are virtualized: only those
// in view (plus a margin) are rendered, and scrolling re-renders at most once per frame.
// Keyboard: up/down move, right expands (or goes to the first child), left collapses (or goes
// to the parent), Enter/Space toggles.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { serviceColor } from '../components/colors.ts';
import { formatDuration } from '../format.ts';
import type { Zoom } from './zoom.ts';
import { type CriticalSection, kindLabel, type SpanNode } from './model.ts';

export const ROW_HEIGHT = 26;
const OVERSCAN = 12;
const INDENT = 14;
const MAX_INDENT_LEVELS = 25;

export interface WaterfallProps {
  rows: SpanNode[];
  duration: number;
  zoom: Zoom;
  selected: SpanNode | undefined;
  collapsed: ReadonlySet<string>;
  matches: ReadonlySet<SpanNode>;
  critical: ReadonlyMap<SpanNode, CriticalSection[]> | undefined;
  /** Bumped to scroll the selected row into view. */
  scrollRequest: number;
  onSelect: (node: SpanNode) => void;
  onToggle: (node: SpanNode) => void;
}

/** Nice tick step (1, 2, 5 x 10^n ns) for about `count` ticks over `span` ns. */
function tickStep(span: number, count: number): number {
  const raw = span / count;
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? pow * 10;
}

export function TimeAxis({ duration, zoom, nameColumn }: { duration: number; zoom: Zoom; nameColumn: boolean }) {
  const from = zoom[0] * duration;
  const to = zoom[1] * duration;
  const step = tickStep(to - from, 5);
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return (
    <div class="wf-axis" aria-hidden="true">
      {nameColumn && <div class="wf-name-col">Service / operation</div>}
      <div class="wf-time-col">
        {ticks.map((t) => (
          <span class="wf-tick" style={{ left: `${((t - from) / (to - from || 1)) * 100}%` }}>
            {formatDuration(t / 1e6)}
          </span>
        ))}
      </div>
    </div>
  );
}

export function Waterfall(props: WaterfallProps) {
  const { rows, duration, zoom, selected, collapsed, matches, critical, scrollRequest, onSelect, onToggle } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const frame = useRef(0);

  useEffect(() => {
    const el = scroller.current!;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    if (!selected) return;
    const el = scroller.current!;
    const i = rows.indexOf(selected);
    if (i < 0) return;
    const top = i * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    setScrollTop(el.scrollTop);
  }, [scrollRequest]);

  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setScrollTop(scroller.current?.scrollTop ?? 0);
    });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (rows.length === 0) return;
    const i = selected ? rows.indexOf(selected) : -1;
    const go = (n: SpanNode | undefined) => {
      if (n) {
        e.preventDefault();
        onSelect(n);
      }
    };
    switch (e.key) {
      case 'ArrowDown':
        return go(rows[Math.min(rows.length - 1, i + 1)]);
      case 'ArrowUp':
        return go(rows[Math.max(0, i - 1)]);
      case 'Home':
        return go(rows[0]);
      case 'End':
        return go(rows[rows.length - 1]);
      case 'PageDown':
        return go(rows[Math.min(rows.length - 1, i + Math.floor(viewport / ROW_HEIGHT))]);
      case 'PageUp':
        return go(rows[Math.max(0, i - Math.floor(viewport / ROW_HEIGHT))]);
      case 'ArrowRight':
        if (!selected || selected.children.length === 0) return;
        e.preventDefault();
        return collapsed.has(selected.span.spanId) ? onToggle(selected) : onSelect(selected.children[0]!);
      case 'ArrowLeft':
        if (!selected) return;
        e.preventDefault();
        if (selected.children.length > 0 && !collapsed.has(selected.span.spanId)) return onToggle(selected);
        return selected.parent ? onSelect(selected.parent) : undefined;
      case 'Enter':
      case ' ':
        if (selected && selected.children.length > 0) {
          e.preventDefault();
          onToggle(selected);
        }
        return;
      default:
        return;
    }
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  const from = zoom[0] * duration;
  const width = (zoom[1] - zoom[0]) * duration || 1;
  const pct = (t: number) => ((t - from) / width) * 100;

  return (
    <div
      class="wf-scroller"
      ref={scroller}
      onScroll={onScroll}
      tabIndex={0}
      role="tree"
      aria-label="Spans"
      aria-activedescendant={selected ? `span-${selected.span.spanId}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div class="wf-canvas" style={{ height: `${rows.length * ROW_HEIGHT}px` }}>
        {rows.slice(first, last).map((n, k) => {
          const s = n.span;
          const left = pct(n.start);
          const right = pct(n.end);
          const hasChildren = n.children.length > 0;
          const open = hasChildren && !collapsed.has(s.spanId);
          const color = serviceColor(n.serviceIndex);
          const sections = critical?.get(n);
          const barLeft = Math.max(0, Math.min(100, left));
          const barWidth = Math.max(0, Math.min(100, right) - barLeft);
          // Duration label right of the bar; left of it near the end; inside it when the bar fills the row.
          const labelAt = barLeft + barWidth <= 80 ? 'after' : barLeft >= 15 ? 'before' : 'inside';
          return (
            <div
              id={`span-${s.spanId}`}
              key={s.spanId + n.index}
              class={`wf-row${n === selected ? ' selected' : ''}${n.error ? ' error' : ''}${matches.has(n) ? ' match' : ''}${sections ? ' critical' : ''}`}
              style={{ top: `${(first + k) * ROW_HEIGHT}px` }}
              role="treeitem"
              aria-level={n.depth + 1}
              aria-expanded={hasChildren ? open : undefined}
              aria-selected={n === selected}
              data-span={s.spanId}
              onClick={() => onSelect(n)}
            >
              <div class="wf-name-col" style={{ paddingLeft: `${Math.min(n.depth, MAX_INDENT_LEVELS) * INDENT + 4}px` }}>
                {hasChildren ? (
                  <button
                    type="button"
                    class="wf-toggle"
                    tabIndex={-1}
                    aria-label={open ? 'Collapse' : 'Expand'}
                    onClick={(e) => {
                      e.stopPropagation();
                      onToggle(n);
                    }}
                  >
                    {open ? '▾' : '▸'}
                  </button>
                ) : (
                  <span class="wf-toggle" />
                )}
                <span class="wf-swatch" style={{ background: color }} />
                {n.depth > MAX_INDENT_LEVELS && <span class="badge">{n.depth}</span>}
                <span class="wf-service">{s.service}</span>
                <span class="wf-op" title={`${s.name} (${kindLabel(s.kind)})`}>
                  {s.name}
                </span>
                {n.error && <span class="badge bad" title={s.status.message || 'Error'}>error</span>}
                {n.orphan && <span class="badge warn" title={`Parent span ${s.parentSpanId} is not in this trace`}>orphan</span>}
                {n.skew !== 0 && (
                  <span class="badge warn" title={`Clock skew: drawn ${formatDuration(n.skew / 1e6)} from its recorded time (another host than its parent's, not inside it)`}>
                    skew
                  </span>
                )}
                {hasChildren && !open && <span class="badge">{n.subtreeEnd - n.index - 1}</span>}
              </div>
              <div class="wf-time-col">
                {right >= 0 && left <= 100 && (
                  <span class="wf-bar" style={{ left: `${barLeft}%`, width: `${barWidth}%`, background: n.error ? undefined : color }}>
                    {sections?.map((c) => (
                      <span class="wf-cp" style={{ left: `${((c.start - n.start) / (n.end - n.start || 1)) * 100}%`, width: `${((c.end - c.start) / (n.end - n.start || 1)) * 100}%` }} />
                    ))}
                  </span>
                )}
                {s.events.map((ev) => {
                  const t = Number(BigInt(ev.timeNs) - BigInt(s.startNs)) + n.start;
                  const x = pct(t);
                  return x >= 0 && x <= 100 ? <span class="wf-event" style={{ left: `${x}%` }} title={ev.name} /> : null;
                })}
                <span
                  class={`wf-label${labelAt === 'inside' ? ' inside' : ''}`}
                  style={labelAt === 'after' ? { left: `${barLeft + barWidth + 0.5}%` } : labelAt === 'before' ? { right: `${100 - barLeft + 0.5}%` } : { right: `${100 - barLeft - barWidth + 0.5}%` }}
                >
                  {formatDuration((n.end - n.start) / 1e6)}
                </span>
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
