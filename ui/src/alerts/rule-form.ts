// The alert rule editor's form <-> the rule JSON of /api/v1/alerts/rules (pure). Labels,
// annotations and receivers are edited as `key=value` lines.

export interface RuleJson {
  id?: string;
  name: string;
  expr: string;
  condition?: { op: string; threshold: number };
  for?: string;
  keep_firing_for?: string;
  interval?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  no_data?: string;
  on_error?: string;
  receivers?: Array<{ name: string; url: string }>;
  repeat_interval?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface RuleForm {
  name: string;
  expr: string;
  /** '' = no condition: the line is a signal (non-zero fires). */
  op: string;
  threshold: string;
  for: string;
  keepFiringFor: string;
  interval: string;
  labels: string;
  annotations: string;
  noData: string;
  onError: string;
  receivers: string;
}

export const EMPTY_FORM: RuleForm = {
  name: '',
  expr: '',
  op: '>',
  threshold: '0',
  for: '5m',
  keepFiringFor: '0s',
  interval: '1m',
  labels: 'severity=warning',
  annotations: '',
  noData: 'nodata',
  onError: 'error',
  receivers: '',
};

/** `key=value` lines (split at the first '='; blank lines skipped) -> a map; bad lines listed. */
export function parsePairs(text: string): { map: Record<string, string>; bad: string[] } {
  const map: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) bad.push(line);
    else map[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { map, bad };
}

export function formatPairs(map: Record<string, string> | undefined): string {
  return Object.entries(map ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

export function formOf(rule: RuleJson): RuleForm {
  return {
    name: rule.name,
    expr: rule.expr,
    op: rule.condition?.op ?? '',
    threshold: rule.condition ? String(rule.condition.threshold) : '0',
    for: rule.for ?? '0s',
    keepFiringFor: rule.keep_firing_for ?? '0s',
    interval: rule.interval ?? '1m',
    labels: formatPairs(rule.labels),
    annotations: formatPairs(rule.annotations),
    noData: rule.no_data ?? 'nodata',
    onError: rule.on_error ?? 'error',
    receivers: formatPairs(Object.fromEntries((rule.receivers ?? []).map((r) => [r.name, r.url]))),
  };
}

/** The body to POST/PUT, or the form's own mistakes (the server checks the rest). */
export function bodyOf(form: RuleForm): { body: RuleJson } | { error: string } {
  const labels = parsePairs(form.labels);
  const annotations = parsePairs(form.annotations);
  const receivers = parsePairs(form.receivers);
  const bad = [...labels.bad, ...annotations.bad, ...receivers.bad];
  if (bad.length > 0) return { error: `not key=value: ${bad.map((b) => JSON.stringify(b)).join(', ')}` };
  const threshold = Number(form.threshold);
  if (form.op !== '' && (form.threshold.trim() === '' || !Number.isFinite(threshold))) return { error: `threshold ${JSON.stringify(form.threshold)} is not a number` };
  return {
    body: {
      name: form.name.trim(),
      expr: form.expr.trim(),
      ...(form.op === '' ? {} : { condition: { op: form.op, threshold } }),
      for: form.for.trim(),
      keep_firing_for: form.keepFiringFor.trim(),
      interval: form.interval.trim(),
      labels: labels.map,
      annotations: annotations.map,
      no_data: form.noData,
      on_error: form.onError,
      receivers: Object.entries(receivers.map).map(([name, url]) => ({ name, url })),
    },
  };
}
