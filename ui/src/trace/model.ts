// The trace page's model (pure): the span tree with orphans kept, clock skew adjusted, rows
// for the waterfall, the critical path and search within the trace. Times are nanoseconds
// relative to the trace's first start as drawn, as numbers (exact to well below a nanosecond
// for any real trace).
import type { Span } from '../../../query/traces/model.ts';

export interface SpanNode {
  span: Span;
  /** Relative to the trace start, ns. */
  start: number;
  end: number;
  depth: number;
  parent: SpanNode | undefined;
  children: SpanNode[];
  /** Its parent span is not in the trace (or its parent chain loops): shown as a root. */
  orphan: boolean;
  error: boolean;
  /** Index into TraceModel.services (for the colour). */
  serviceIndex: number;
  /** Shift applied for clock skew (ns, 0 when none), see adjustClockSkew. */
  skew: number;
  /** Position in TraceModel.order (pre-order of the tree). */
  index: number;
  /** One past the last pre-order position of its subtree. */
  subtreeEnd: number;
}

export interface TraceModel {
  /** Absolute start of the trace, ns. */
  startNs: bigint;
  /** Last end minus first start, ns. */
  duration: number;
  /** Every span in pre-order: roots by start (true roots first), children by start. */
  order: SpanNode[];
  byId: Map<string, SpanNode>;
  roots: SpanNode[];
  /** Service names, sorted. */
  services: string[];
  maxDepth: number;
  errorCount: number;
  orphanCount: number;
}

const byStart = (a: SpanNode, b: SpanNode) => a.start - b.start || a.end - b.end;

export function buildTrace(spans: readonly Span[]): TraceModel {
  if (spans.length === 0) return { startNs: 0n, duration: 0, order: [], byId: new Map(), roots: [], services: [], maxDepth: 0, errorCount: 0, orphanCount: 0 };
  let startNs = BigInt(spans[0]!.startNs);
  for (const s of spans) if (BigInt(s.startNs) < startNs) startNs = BigInt(s.startNs);
  const services = [...new Set(spans.map((s) => s.service))].sort();
  const serviceIndex = new Map(services.map((s, i) => [s, i]));
  const nodes: SpanNode[] = spans.map((span) => {
    const start = Number(BigInt(span.startNs) - startNs);
    return {
      span,
      start,
      end: start + Number(span.durationNs),
      depth: 0,
      parent: undefined,
      children: [],
      orphan: false,
      error: span.status.code === 'Error' || span.status.code === 'STATUS_CODE_ERROR',
      serviceIndex: serviceIndex.get(span.service)!,
      skew: 0,
      index: -1,
      subtreeEnd: -1,
    };
  });
  const byId = new Map<string, SpanNode>();
  for (const n of nodes) if (!byId.has(n.span.spanId)) byId.set(n.span.spanId, n);

  const roots: SpanNode[] = [];
  for (const n of nodes) {
    const parent = n.span.parentSpanId === '' ? undefined : byId.get(n.span.parentSpanId);
    if (parent === undefined || parent === n) {
      n.orphan = n.span.parentSpanId !== '';
      roots.push(n);
    } else {
      n.parent = parent;
      parent.children.push(n);
    }
  }
  for (const n of nodes) n.children.sort(byStart);
  // True roots first, then orphans, each by start.
  roots.sort((a, b) => Number(a.orphan) - Number(b.orphan) || byStart(a, b));

  const order: SpanNode[] = [];
  const visit = (root: SpanNode) => {
    // Iterative pre-order: traces can be thousands of levels deep.
    const stack: SpanNode[] = [root];
    root.depth = 0;
    while (stack.length > 0) {
      const n = stack.pop()!;
      n.index = order.length;
      order.push(n);
      for (let i = n.children.length - 1; i >= 0; i--) {
        const c = n.children[i]!;
        c.depth = n.depth + 1;
        stack.push(c);
      }
    }
  };
  for (const r of roots) visit(r);
  // Spans whose parent chain loops are reachable from no root: the loop is broken at its
  // first span in the answer's order (by start), which becomes an orphan root over the rest.
  for (const n of nodes) {
    if (n.index >= 0) continue;
    if (n.parent) n.parent.children.splice(n.parent.children.indexOf(n), 1);
    n.parent = undefined;
    n.orphan = true;
    roots.push(n);
    visit(n);
  }
  // Subtree ends, children before parents (reverse pre-order).
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    const last = n.children[n.children.length - 1];
    n.subtreeEnd = last === undefined ? i + 1 : last.subtreeEnd;
  }
  adjustClockSkew(order);
  // Moved spans may leave the start empty: time 0 is the earliest start as drawn.
  let first = Infinity;
  for (const n of nodes) first = Math.min(first, n.start);
  if (first !== 0) {
    for (const n of nodes) {
      n.start -= first;
      n.end -= first;
    }
    startNs += BigInt(Math.round(first));
  }
  let end = 0;
  let maxDepth = 0;
  let errorCount = 0;
  for (const n of nodes) {
    end = Math.max(end, n.end);
    maxDepth = Math.max(maxDepth, n.depth);
    if (n.error) errorCount++;
  }
  return { startNs, duration: end, order, byId, roots, services, maxDepth, errorCount, orphanCount: roots.filter((r) => r.orphan).length };
}

/** The machine a span ran on, for clock skew: its host, else its service. */
function hostOf(n: SpanNode): string {
  return n.span.resource['host.name'] ?? n.span.resource['host.id'] ?? n.span.service;
}

/**
 * Jaeger's clock-skew adjustment: a span from another host than its parent's that is shorter
 * than the parent but not inside it is moved to the middle of the parent (its clock is off,
 * not the call order); its descendants move with it. Same-host spans are left as they are.
 * `order` is pre-order, so parents are adjusted before their children.
 */
function adjustClockSkew(order: readonly SpanNode[]): void {
  for (const n of order) {
    const p = n.parent;
    if (p === undefined) continue;
    const inherited = p.skew;
    let start = n.start + inherited;
    const duration = n.end - n.start;
    const parentDuration = p.end - p.start;
    if (hostOf(n) !== hostOf(p) && duration < parentDuration && (start < p.start || start + duration > p.end)) {
      start = p.start + (parentDuration - duration) / 2;
    }
    n.skew = start - n.start;
    n.start = start;
    n.end = start + duration;
  }
}

/** The rows shown: pre-order, skipping the subtrees of collapsed spans. */
export function visibleRows(model: TraceModel, collapsed: ReadonlySet<string>): SpanNode[] {
  const rows: SpanNode[] = [];
  const { order } = model;
  for (let i = 0; i < order.length; ) {
    const n = order[i]!;
    rows.push(n);
    i = collapsed.has(n.span.spanId) && n.children.length > 0 ? n.subtreeEnd : i + 1;
  }
  return rows;
}

/** Spans with children, for "collapse all". */
export function parentIds(model: TraceModel): Set<string> {
  return new Set(model.order.filter((n) => n.children.length > 0).map((n) => n.span.spanId));
}

/** Collapsed set minus the ancestors of `node`, so that it shows. */
export function revealed(collapsed: ReadonlySet<string>, node: SpanNode): Set<string> {
  const next = new Set(collapsed);
  for (let p = node.parent; p; p = p.parent) next.delete(p.span.spanId);
  return next;
}

export interface CriticalSection {
  node: SpanNode;
  start: number;
  end: number;
}

/**
 * Jaeger's critical path: from the root, take the child that finished last, recurse into it;
 * back in the parent, take the child that finished before the previous one started, and so
 * on; the parent's own time between them is on the path. Children are first clipped to their
 * parent's interval (children wholly outside it are left out). Sections come in the order
 * found (latest first).
 */
export function criticalPath(model: TraceModel): CriticalSection[] {
  const root = model.roots.find((r) => !r.orphan) ?? model.roots[0];
  if (root === undefined) return [];
  // Clipped interval of each span within its parent's clipped interval.
  const clip = new Map<SpanNode, [number, number]>();
  for (const n of model.order) {
    const p = n.parent ? clip.get(n.parent) : undefined;
    if (n.parent && p === undefined) continue;
    const start = p ? Math.max(n.start, p[0]) : n.start;
    const end = p ? Math.min(n.end, p[1]) : n.end;
    if (n.parent === undefined || start < end) clip.set(n, [start, end]);
  }
  const sections: CriticalSection[] = [];
  let current = root;
  let returning: number | undefined;
  for (;;) {
    const [start, end] = clip.get(current)!;
    const limit = returning ?? end;
    let next: SpanNode | undefined;
    let nextEnd = -Infinity;
    for (const c of current.children) {
      const iv = clip.get(c);
      if (iv === undefined) continue;
      const fits = returning === undefined ? iv[1] <= limit : iv[1] < limit;
      if (fits && iv[1] > nextEnd) {
        next = c;
        nextEnd = iv[1];
      }
    }
    if (next !== undefined) {
      if (nextEnd < limit) sections.push({ node: current, start: nextEnd, end: limit });
      current = next;
      returning = undefined;
      continue;
    }
    if (start < limit) sections.push({ node: current, start, end: limit });
    if (current === root || current.parent === undefined) break;
    returning = start;
    current = current.parent;
  }
  return sections;
}

const DURATION_UNITS_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9 };

/** `>10ms`, `<500us`: a duration condition (ns), else undefined. */
export function durationWord(word: string): { above: boolean; ns: number } | undefined {
  const m = /^([<>])(\d+(?:\.\d+)?)(ns|us|µs|ms|s)$/.exec(word);
  return m ? { above: m[1] === '>', ns: Number(m[2]) * DURATION_UNITS_NS[m[3]!]! } : undefined;
}

/**
 * Spans matching every word of the query, in tree order: a word is found in the name,
 * service, ids, kind, status or `key=value` of an attribute; `>10ms` / `<1ms` bound the duration.
 */
export function searchSpans(model: TraceModel, query: string): SpanNode[] {
  const all = query.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (all.length === 0) return [];
  const durations = all.map(durationWord);
  const words = all.filter((_, i) => durations[i] === undefined);
  const bounds = durations.filter((d) => d !== undefined);
  return model.order.filter((n) => {
    const duration = n.end - n.start;
    if (!bounds.every((b) => (b.above ? duration > b.ns : duration < b.ns))) return false;
    if (words.length === 0) return true;
    const s = n.span;
    const haystack = [s.name, s.service, s.spanId, s.kind, s.status.code, s.status.message];
    for (const [k, v] of Object.entries(s.attributes)) haystack.push(`${k}=${v}`);
    for (const [k, v] of Object.entries(s.resource)) haystack.push(`${k}=${v}`);
    const text = haystack.join('\n').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** A span's kind without the OTLP prefix: 'server', 'client', ... */
export function kindLabel(kind: string): string {
  return kind.replace(/^SPAN_KIND_/, '').toLowerCase();
}
