// Relative ("last 1h") or absolute (from/to in the local zone) time range, plus refresh.
import { useEffect, useState } from 'preact/hooks';
import { RELATIVE_RANGES, type RangeSpec, formatUtc, fromDateTimeLocal, relativeMs, resolveRange, toDateTimeLocal } from '../time.ts';

interface Props {
  spec: RangeSpec;
  onChange: (spec: RangeSpec) => void;
  onRefresh?: () => void;
}

export function RangePicker({ spec, onChange, onRefresh }: Props) {
  const [custom, setCustom] = useState(spec.relative === undefined);
  const resolved = resolveRange(spec, Date.now());
  const [from, setFrom] = useState(toDateTimeLocal(resolved.startMs));
  const [to, setTo] = useState(toDateTimeLocal(resolved.endMs));
  const [error, setError] = useState('');
  // A range set elsewhere (a drag on a chart, a link) shows in the absolute fields.
  useEffect(() => {
    if (spec.relative !== undefined) return;
    setCustom(true);
    setFrom(toDateTimeLocal(spec.startMs!));
    setTo(toDateTimeLocal(spec.endMs!));
  }, [spec.relative, spec.startMs, spec.endMs]);
  const apply = (e: Event) => {
    e.preventDefault();
    const startMs = fromDateTimeLocal(from);
    const endMs = fromDateTimeLocal(to);
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || startMs >= endMs) {
      setError('"From" must be before "to".');
      return;
    }
    setError('');
    onChange({ startMs, endMs });
  };
  const value = custom ? 'custom' : (spec.relative ?? 'custom');
  return (
    <div class="range-picker">
      <label>
        <span class="visually-hidden">Time range</span>
        <select
          aria-label="Time range"
          value={value}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            if (v === 'custom') {
              const r = resolveRange(spec, Date.now());
              setFrom(toDateTimeLocal(r.startMs));
              setTo(toDateTimeLocal(r.endMs));
              setCustom(true);
            } else {
              setCustom(false);
              onChange({ relative: v });
            }
          }}
        >
          {RELATIVE_RANGES.map((r) => (
            <option value={r}>Last {r}</option>
          ))}
          {spec.relative !== undefined && !(RELATIVE_RANGES as readonly string[]).includes(spec.relative) && relativeMs(spec.relative) && (
            <option value={spec.relative}>Last {spec.relative}</option>
          )}
          <option value="custom">Absolute…</option>
        </select>
      </label>
      {custom && (
        <form class="absolute-range" onSubmit={apply}>
          <label>
            From <input type="datetime-local" step="1" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            to <input type="datetime-local" step="1" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" title={`${formatUtc(resolved.startMs)} – ${formatUtc(resolved.endMs)}`}>
            Apply
          </button>
          {error && <span class="field-error">{error}</span>}
        </form>
      )}
      {onRefresh && (
        <button type="button" onClick={onRefresh} title="Refresh (r)" aria-label="Refresh">
          ↻
        </button>
      )}
    </div>
  );
}
