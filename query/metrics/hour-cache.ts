// Lines of rolled-up hours, kept in memory between graph queries (VictoriaMetrics keeps its
// rollup results the same way): a dashboard that redraws the last day every minute reads the
// 23 closed hours once and then only the open one. An entry is one hour of one data request's
// lines as the engine grouped them, keyed by what decides them: the request's tag query,
// grouping and aggregation, and the version of each metric's roll of that hour. A late point
// makes a roll stale (the hour is computed, never looked up here) and the next roll has a new
// version, so an entry is never outdated; it only ages out (least recently used first).
import { size } from '../../schemas/settings.ts';
import type { TagQuery } from '../asl/types.ts';
import type { Roll } from './sql.ts';

export const metricCacheSettings = {
  metricCacheSize: size(
    'VIGIL_METRIC_CACHE_SIZE',
    '64MiB',
    'Memory the query service keeps the lines of rolled-up metric hours in, so that repeated graph queries at a one-minute step read only the hours not rolled up yet; 0 turns it off.',
  ),
};

/** One line's minutes of the hour that have a value: absolute unix ms and the values. */
export interface HourLine {
  line: string;
  minutes: number[];
  values: number[];
}

/** What decides an hour's lines besides the hour's rolls. */
export interface HourRequest {
  query: TagQuery;
  groupBy: readonly string[];
  aggregation: string;
}

// Rough bytes of an entry: the key, per line its key and per minute two doubles in arrays.
const ENTRY_BYTES = 200;
const LINE_BYTES = 120;
const MINUTE_BYTES = 20;

export class HourCache {
  private readonly entries = new Map<string, { lines: HourLine[]; bytes: number }>();
  private bytes = 0;

  /** maxBytes 0: nothing is kept. */
  constructor(private readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /** The key of a rolled hour: its rolls (name, version), one per metric of the request. */
  key(request: HourRequest, hour: number, rolls: readonly Roll[]): string {
    const versions = rolls.map((r) => [r.name, r.version]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    return JSON.stringify([request.query, request.groupBy, request.aggregation, hour, versions]);
  }

  get(key: string): HourLine[] | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.lines;
  }

  set(key: string, lines: HourLine[]): void {
    const bytes = ENTRY_BYTES + key.length + lines.reduce((n, l) => n + LINE_BYTES + l.minutes.length * MINUTE_BYTES, 0);
    if (bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    for (const [oldest, entry] of this.entries) {
      if (this.bytes + bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
    this.entries.set(key, { lines, bytes });
    this.bytes += bytes;
  }
}
