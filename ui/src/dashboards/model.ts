// Custom dashboards (pure): panels of ASL graphs, trace lists and log lists under variables
// and one time range. They are kept by a DashboardStore (dashboards/store.ts).

export type PanelKind = 'graph' | 'traces' | 'logs';

export interface DashboardPanel {
  title: string;
  kind: PanelKind;
  /** graph: an ASL expression; traces: a service; logs: a log query (words, "phrases"). */
  query: string;
  /** Spans both grid columns. */
  wide: boolean;
}

export interface DashboardVariable {
  name: string;
  /** 'services': the traced services; 'list': `values`. */
  source: 'services' | 'list';
  values: string[];
}

export interface Dashboard {
  id: string;
  title: string;
  variables: DashboardVariable[];
  panels: DashboardPanel[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isVariableName(name: string): boolean {
  return NAME.test(name);
}

/** `$name` and `$(name)` -> the variable's value; unknown names stay as written. */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, paren: string | undefined, bare: string | undefined) => {
    const v = values[(paren ?? bare)!];
    return v === undefined ? whole : v;
  });
}

/** Moves panel `i` by `delta` places (clamped); a new array. */
export function movePanel(panels: readonly DashboardPanel[], i: number, delta: number): DashboardPanel[] {
  const j = Math.max(0, Math.min(panels.length - 1, i + delta));
  const next = [...panels];
  const [p] = next.splice(i, 1);
  next.splice(j, 0, p!);
  return next;
}

/** The URL parameter holding a variable's chosen value. */
export const varParam = (name: string) => `var-${name}`;
