// A tiny inline SVG line (cheaper than a chart instance per table row).

export function Sparkline({ values, width = 120, height = 24, label, class: cls }: { values: ReadonlyArray<number | null>; width?: number; height?: number; label: string; class?: string }) {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return <svg class={`sparkline ${cls ?? ''}`} width={width} height={height} role="img" aria-label={`${label}: no data`} />;
  const max = Math.max(...finite, 0);
  const min = Math.min(...finite, 0);
  const span = max - min || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    const x = (i * step).toFixed(1);
    const y = (height - 1 - ((v - min) / span) * (height - 2)).toFixed(1);
    const next = values[i + 1];
    const alone = !pen && (next === null || next === undefined || !Number.isFinite(next));
    // A point with no neighbour is drawn as a dot (a zero-length stroke with round caps).
    d += `${pen ? 'L' : 'M'}${x},${y}${alone ? 'h0.01' : ''}`;
    pen = true;
  });
  return (
    <svg class={`sparkline ${cls ?? ''}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: max ${max.toPrecision(3)}`}>
      <path d={d} fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
    </svg>
  );
}
