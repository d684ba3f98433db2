// Layout of the service dependency map (pure): callers left of the services they call, in
// columns by the longest call chain that reaches them (cycles broken), rows by name.

export interface Edge {
  parent: string;
  child: string;
  calls: number;
  errors: number;
}

export interface NodeBox {
  service: string;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface Layout {
  nodes: NodeBox[];
  width: number;
  height: number;
}

export const NODE_W = 150;
export const NODE_H = 34;
const COL_GAP = 110;
const ROW_GAP = 26;
const PAD = 12;

export function layoutServices(services: readonly string[], edges: readonly Edge[]): Layout {
  const names = [...new Set([...services, ...edges.flatMap((e) => [e.parent, e.child])])].sort();
  const out = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges) if (e.parent !== e.child) out.get(e.parent)!.push(e.child);
  // Longest path from any source, by depth-first search that ignores back edges (cycles).
  const column = new Map<string, number>();
  const state = new Map<string, 'open' | 'done'>();
  const incoming = new Set(edges.filter((e) => e.parent !== e.child).map((e) => e.child));
  const relax = (start: string) => {
    const stack: Array<[string, number]> = [[start, 0]];
    column.set(start, Math.max(column.get(start) ?? 0, 0));
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      state.set(node, 'open');
      const children = out.get(node)!;
      if (i >= children.length) {
        state.set(node, 'done');
        stack.pop();
        continue;
      }
      top[1]++;
      const child = children[i]!;
      if (state.get(child) === 'open') continue; // back edge
      const depth = column.get(node)! + 1;
      if ((column.get(child) ?? -1) < depth) {
        column.set(child, depth);
        state.delete(child);
        stack.push([child, 0]);
      } else if (!state.has(child)) stack.push([child, 0]);
    }
  };
  for (const n of names) if (!incoming.has(n)) relax(n);
  for (const n of names) if (!column.has(n)) relax(n); // nodes only on cycles
  const columns: string[][] = [];
  for (const n of names) (columns[column.get(n)!] ??= []).push(n);
  const nodes: NodeBox[] = [];
  columns.forEach((list, c) =>
    (list ?? []).forEach((service, r) => nodes.push({ service, column: c, row: r, x: PAD + c * (NODE_W + COL_GAP), y: PAD + r * (NODE_H + ROW_GAP) })),
  );
  const maxRows = Math.max(1, ...columns.map((l) => l?.length ?? 0));
  return {
    nodes,
    width: PAD * 2 + Math.max(1, columns.length) * NODE_W + Math.max(0, columns.length - 1) * COL_GAP,
    height: PAD * 2 + maxRows * NODE_H + (maxRows - 1) * ROW_GAP,
  };
}
