// The service dependency map: a box per service, an arrow per caller -> callee with its call
// and error counts. Boxes are links to the service's page.
import { formatCount, formatPercent } from '../format.ts';
import { type Edge, NODE_H, NODE_W, layoutServices } from './dependency-layout.ts';

export function DependencyMap({ services, edges, errorRatio }: { services: string[]; edges: Edge[]; errorRatio: Map<string, number> }) {
  const layout = layoutServices(services, edges);
  const at = new Map(layout.nodes.map((n) => [n.service, n]));
  return (
    <div class="depmap-scroll">
      <svg class="depmap" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="group" aria-label="Service dependency map">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" class="depmap-arrow" />
          </marker>
        </defs>
        {edges.map((e) => {
          const a = at.get(e.parent)!;
          const b = at.get(e.child)!;
          if (a === b) return null;
          const x1 = a.x + NODE_W;
          const y1 = a.y + NODE_H / 2;
          const x2 = b.x;
          const y2 = b.y + NODE_H / 2;
          // Edges that go back (cycles) leave from the bottom and loop under.
          const back = x2 <= x1;
          const d = back
            ? `M${a.x + NODE_W / 2},${a.y + NODE_H} C${a.x + NODE_W / 2},${a.y + NODE_H + 60} ${b.x + NODE_W / 2},${b.y + NODE_H + 60} ${b.x + NODE_W / 2},${b.y + NODE_H}`
            : `M${x1},${y1} C${x1 + 50},${y1} ${x2 - 50},${y2} ${x2},${y2}`;
          const label = `${formatCount(e.calls)} calls${e.errors > 0 ? `, ${formatCount(e.errors)} err` : ''}`;
          return (
            <g class={`depmap-edge ${e.errors > 0 ? 'has-errors' : ''}`} data-edge={`${e.parent}->${e.child}`}>
              <title>{`${e.parent} → ${e.child}: ${e.calls} calls, ${e.errors} errors (${formatPercent(e.calls ? e.errors / e.calls : 0)})`}</title>
              <path d={d} marker-end="url(#arrow)" />
              {/* Labels sit by the arrow head, so fan-outs from one caller do not overlap. */}
              <text x={back ? (a.x + b.x + NODE_W) / 2 : x2 - 6} y={back ? Math.max(a.y, b.y) + NODE_H + 50 : y2 - 7} text-anchor={back ? 'middle' : 'end'}>
                {label}
              </text>
            </g>
          );
        })}
        {layout.nodes.map((n) => {
          const ratio = errorRatio.get(n.service) ?? 0;
          return (
            <a href={`/services/${encodeURIComponent(n.service)}`} class={`depmap-node ${ratio > 0.05 ? 'bad' : ratio > 0 ? 'warn' : ''}`} data-service={n.service}>
              <title>{`${n.service}: error ratio ${formatPercent(ratio)}`}</title>
              <rect x={n.x} y={n.y} width={NODE_W} height={NODE_H} rx="6" />
              <text x={n.x + NODE_W / 2} y={n.y + NODE_H / 2 + 4} text-anchor="middle">
                {n.service.length > 20 ? `${n.service.slice(0, 19)}…` : n.service}
              </text>
            </a>
          );
        })}
      </svg>
    </div>
  );
}
