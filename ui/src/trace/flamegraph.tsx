// The trace as a flame graph (icicle): one row per depth, each span a box on the shared time
// axis, drawn on a canvas (thousands of spans stay cheap). A click selects the span under it.
import { useEffect, useRef } from 'preact/hooks';
import { freshContext, useContainerWidth } from '../components/canvas.ts';
import { serviceColor } from '../components/colors.ts';
import type { SpanNode, TraceModel } from './model.ts';
import type { Zoom } from './zoom.ts';

export const FLAME_ROW = 20;

export function Flamegraph({ model, zoom, selected, onSelect }: { model: TraceModel; zoom: Zoom; selected: SpanNode | undefined; onSelect: (n: SpanNode) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useContainerWidth(canvas);
  const height = (model.maxDepth + 1) * FLAME_ROW;
  const from = zoom[0] * model.duration;
  const span = (zoom[1] - zoom[0]) * model.duration || 1;

  useEffect(() => {
    const ctx = freshContext(canvas.current!, width, height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const n of model.order) {
      const x0 = ((n.start - from) / span) * width;
      const x1 = ((n.end - from) / span) * width;
      if (x1 < 0 || x0 > width) continue;
      const x = Math.max(0, x0);
      const w = Math.max(1, Math.min(width, x1) - x);
      const y = n.depth * FLAME_ROW;
      ctx.fillStyle = n.error ? '#dc2626' : serviceColor(n.serviceIndex);
      ctx.fillRect(x, y + 1, w, FLAME_ROW - 2);
      if (n === selected) {
        ctx.strokeStyle = '#111827';
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 2, Math.max(1, w - 2), FLAME_ROW - 4);
      }
      if (w > 40) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(x, y, w - 2, FLAME_ROW);
        ctx.clip();
        ctx.fillStyle = '#fff';
        ctx.fillText(`${n.span.service}: ${n.span.name}`, x + 4, y + FLAME_ROW / 2);
        ctx.restore();
      }
    }
  }, [model, width, height, from, span, selected]);

  const pick = (e: MouseEvent) => {
    const rect = canvas.current!.getBoundingClientRect();
    const depth = Math.floor((e.clientY - rect.top) / FLAME_ROW);
    const t = from + ((e.clientX - rect.left) / rect.width) * span;
    // The narrowest span at that depth under the pointer (orphans share depth 0 with the root).
    let best: SpanNode | undefined;
    for (const n of model.order) {
      if (n.depth === depth && n.start <= t && t <= n.end && (!best || n.end - n.start < best.end - best.start)) best = n;
    }
    if (best) onSelect(best);
  };

  return (
    <div class="flamegraph">
      <canvas ref={canvas} style={{ width: `${width}px`, height: `${height}px` }} onClick={pick} role="img" aria-label="Flame graph of the trace; the span tree view is keyboard usable" data-testid="flamegraph" />
    </div>
  );
}
