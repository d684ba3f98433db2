// A time in the user's zone, with the UTC time on hover.
import { formatLocal, formatUtc } from '../time.ts';

export function Time({ ms, withMs }: { ms: number; withMs?: boolean }) {
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatUtc(ms)}>
      {formatLocal(ms, withMs)}
    </time>
  );
}
