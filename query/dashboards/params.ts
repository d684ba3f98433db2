// The dashboard JSON users send to /api/v1/dashboards (the UI's shape, ui/src/dashboards/model.ts)
// and its validation. Every mistake is a VIGIL_ERR_BAD_PARAMETER naming the JSON path, e.g.
// `panels[2].kind`; sizes are bounded so one dashboard stays a small row.
import { bad } from '../params.ts';

export const PANEL_KINDS = ['graph', 'traces', 'logs'] as const;
export type PanelKind = (typeof PANEL_KINDS)[number];
export const VARIABLE_SOURCES = ['services', 'list'] as const;
export type VariableSource = (typeof VARIABLE_SOURCES)[number];

export const DASHBOARD_LIMITS = {
  /** Characters of a dashboard or panel title, a variable value. */
  text: 200,
  /** Characters of a panel's query (an ASL expression, a service, a log query). */
  query: 10_000,
  variables: 20,
  values: 500,
  panels: 60,
} as const;

export interface DashboardPanel {
  readonly title: string;
  readonly kind: PanelKind;
  /** graph: an ASL expression; traces: a service; logs: a log query. `$name` uses a variable. */
  readonly query: string;
  /** Spans both grid columns. */
  readonly wide: boolean;
}

export interface DashboardVariable {
  /** Letters, digits and _, not starting with a digit (the UI's `$name`). */
  readonly name: string;
  readonly source: VariableSource;
  readonly values: readonly string[];
}

/** A validated dashboard, without its id (the store keeps that). */
export interface DashboardBody {
  readonly title: string;
  readonly variables: readonly DashboardVariable[];
  readonly panels: readonly DashboardPanel[];
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** What GET answers besides the body: `id` must name the dashboard written, the times are ignored. */
const READ_ONLY = ['id', 'createdAt', 'updatedAt'];

type Json = Record<string, unknown>;

function fields(value: unknown, path: string, known: readonly string[], optional: readonly string[] = []): Json {
  const what = path === '' ? 'the dashboard' : path;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(path === '' ? 'body' : path, `${what} must be a JSON object`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key) && !optional.includes(key)) throw bad(`${path === '' ? '' : `${path}.`}${key}`, `unknown field; ${what} takes ${known.join(', ')}`);
  }
  return value as Json;
}

function text(value: unknown, path: string, max: number): string {
  if (typeof value !== 'string') throw bad(path, value === undefined ? 'missing; a string is required' : 'must be a string');
  if (value.length > max) throw bad(path, `longer than ${max} characters`);
  return value;
}

/** An array of at most `max` items; absent is empty. */
function items<T>(value: unknown, path: string, max: number, read: (item: unknown, path: string) => T): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad(path, 'must be an array');
  if (value.length > max) throw bad(path, `has ${value.length} items; at most ${max}`);
  return value.map((item, i) => read(item, `${path}[${i}]`));
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) throw bad(path, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value as T;
}

function variable(value: unknown, path: string): DashboardVariable {
  const v = fields(value, path, ['name', 'source', 'values']);
  const name = text(v.name, `${path}.name`, DASHBOARD_LIMITS.text);
  if (!VARIABLE_NAME.test(name)) throw bad(`${path}.name`, `${JSON.stringify(name)}: letters, digits and _, not starting with a digit, at most 64`);
  return {
    name,
    source: oneOf(v.source, `${path}.source`, VARIABLE_SOURCES),
    values: items(v.values, `${path}.values`, DASHBOARD_LIMITS.values, (x, p) => text(x, p, DASHBOARD_LIMITS.text)),
  };
}

function panel(value: unknown, path: string): DashboardPanel {
  const p = fields(value, path, ['title', 'kind', 'query', 'wide']);
  if (p.wide !== undefined && typeof p.wide !== 'boolean') throw bad(`${path}.wide`, 'must be true or false');
  return {
    title: text(p.title, `${path}.title`, DASHBOARD_LIMITS.text),
    kind: oneOf(p.kind, `${path}.kind`, PANEL_KINDS),
    query: text(p.query, `${path}.query`, DASHBOARD_LIMITS.query),
    wide: p.wide === true,
  };
}

/**
 * The dashboard in a POST (`id` undefined: the server assigns it) or PUT body. `variables` and
 * `panels` may be left out (none); the title is trimmed and must not be empty.
 */
export function parseDashboard(value: unknown, id: string | undefined): DashboardBody {
  const d = fields(value, '', ['title', 'variables', 'panels'], READ_ONLY);
  if (d.id !== undefined) {
    if (id === undefined) throw bad('id', 'assigned by the server; to change a dashboard, PUT /api/v1/dashboards/{id}');
    if (d.id !== id) throw bad('id', `${JSON.stringify(d.id)} is not the id in the path (${JSON.stringify(id)})`);
  }
  const title = text(d.title, 'title', DASHBOARD_LIMITS.text).trim();
  if (title === '') throw bad('title', 'must not be empty');
  const variables = items(d.variables, 'variables', DASHBOARD_LIMITS.variables, variable);
  const seen = new Set<string>();
  variables.forEach((v, i) => {
    if (seen.has(v.name)) throw bad(`variables[${i}].name`, `${JSON.stringify(v.name)} is already the name of an earlier variable`);
    seen.add(v.name);
  });
  return { title, variables, panels: items(d.panels, 'panels', DASHBOARD_LIMITS.panels, panel) };
}
