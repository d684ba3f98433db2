// The whole trace in miniature (one line per span, coloured per service) with the zoom window;
// drag across it to zoom the waterfall, double-click to reset.
import { useEffect, useRef, useState } from 'preact/hooks';
import { freshContext, useContainerWidth } from '../components/canvas.ts';
import { serviceColor } from '../components/colors.ts';
import type { TraceModel } from './model.ts';
import { type Zoom, keyZoom } from './zoom.ts';

const HEIGHT = 60;

export function Minimap({ model, zoom, onZoom }: { model: TraceModel; zoom: Zoom; onZoom: (z: Zoom) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const width = useContainerWidth(canvas);

  useEffect(() => {
    const ctx = freshContext(canvas.current!, width, HEIGHT);
    const n = model.order.length;
    const rowH = Math.max(HEIGHT / Math.max(n, 1), 0.5);
    const scale = model.duration > 0 ? width / model.duration : 0;
    model.order.forEach((node, i) => {
      ctx.fillStyle = node.error ? '#dc2626' : serviceColor(node.serviceIndex);
      const x = node.start * scale;
      ctx.fillRect(x, (i / Math.max(n, 1)) * HEIGHT, Math.max(1, (node.end - node.start) * scale), Math.max(rowH - (rowH > 2 ? 1 : 0), 0.5));
    });
  }, [model, width]);

  const fraction = (e: MouseEvent) => {
    const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width));
  };
  const shown = drag ? ([Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)] as const) : zoom;
  return (
    <div
      class="minimap"
      data-testid="minimap"
      onMouseDown={(e) => {
        e.preventDefault();
        const f = fraction(e);
        setDrag({ from: f, to: f });
      }}
      onMouseMove={(e) => drag && setDrag({ ...drag, to: fraction(e) })}
      onMouseUp={() => {
        if (drag && Math.abs(drag.to - drag.from) * width >= 3) onZoom([Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)]);
        setDrag(null);
      }}
      onMouseLeave={() => setDrag(null)}
      onDblClick={() => onZoom([0, 1])}
      onKeyDown={(e) => {
        const next = keyZoom(zoom, e.key);
        if (next) {
          e.preventDefault();
          onZoom(next);
        }
      }}
      tabIndex={0}
      role="slider"
      aria-label="Zoom of the waterfall: drag, or + and - to zoom, arrows to move, 0 to reset"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(zoom[0] * 100)}
      aria-valuetext={`showing ${Math.round(zoom[0] * 100)}% to ${Math.round(zoom[1] * 100)}% of the trace`}
      title="Drag to zoom; double-click to reset"
    >
      <canvas ref={canvas} style={{ width: `${width}px`, height: `${HEIGHT}px` }} aria-label="Minimap of the trace" role="img" />
      <div class="minimap-shade" style={{ left: 0, width: `${shown[0] * 100}%` }} />
      <div class="minimap-shade" style={{ left: `${shown[1] * 100}%`, right: 0 }} />
      <div class="minimap-window" style={{ left: `${shown[0] * 100}%`, width: `${(shown[1] - shown[0]) * 100}%` }} />
    </div>
  );
}
