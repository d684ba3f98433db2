// Label and annotation templates: `$labels.<key>` and `$value`, bare or in Prometheus's
// `{{ ... }}` form (`{{ $labels.instance }}`, `{{ $value }}`). Keys may hold dots
// (`$labels.service.name`); a trailing dot ends the sentence, not the key. An unknown key
// expands to the empty string, as Prometheus's templates do.

const TEMPLATE = /\{\{\s*(\$labels\.[A-Za-z_][A-Za-z0-9_.\-]*|\$value)\s*\}\}|(\$labels\.[A-Za-z_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?|\$value)/g;

/** A value as Prometheus prints it with `$value`: shortest round-trip decimal, NaN for no data. */
export function formatValue(value: number): string {
  return Number.isNaN(value) ? 'NaN' : String(value);
}

export function expand(template: string, labels: Readonly<Record<string, string>>, value: number): string {
  return template.replace(TEMPLATE, (_match, braced: string | undefined, bare: string | undefined) => {
    const ref = (braced ?? bare)!;
    return ref === '$value' ? formatValue(value) : (labels[ref.slice('$labels.'.length)] ?? '');
  });
}

export function expandAll(templates: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>, value: number): Record<string, string> {
  return Object.fromEntries(Object.entries(templates).map(([k, t]) => [k, expand(t, labels, value)]));
}
