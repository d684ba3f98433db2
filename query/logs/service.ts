// What the native log endpoints do, in terms of the LogReader: pages with cursors, and the
// volume histogram filled into aligned, zero-based columns (ready for a uPlot chart).
import { type RegexChecker, checkRegexes } from '../regex.ts';
import { encodeCursor, regexesOf } from '../params.ts';
import { LOG_CURSOR_KIND, type LogFilter, type LogSearch, SEVERITY_GROUPS, bucketStepNs } from './params.ts';
import type { LogReader, LogRecord } from './reader.ts';

export interface LogPage {
  logs: LogRecord[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface LogVolume {
  startMs: number;
  endMs: number;
  stepMs: number;
  /** Start of each bucket (unix ms), aligned to multiples of the step from the epoch. */
  buckets: number[];
  /** Per severity name, one count per bucket; only severities with records. */
  series: Record<string, number[]>;
  total: number;
}

export class LogService {
  constructor(
    private readonly reader: LogReader,
    private readonly regex: RegexChecker,
  ) {}

  async search(q: LogSearch): Promise<LogPage> {
    await checkRegexes(this.regex, regexesOf(q.attributes), 'attr');
    const rows = await this.reader.search(q);
    const last = rows[rows.length - 1];
    return {
      logs: rows.map((r) => r.record),
      nextCursor: rows.length < q.limit || last === undefined ? null : encodeCursor(LOG_CURSOR_KIND, last.record.timeNs, last.hash),
    };
  }

  async volume(f: LogFilter): Promise<LogVolume> {
    await checkRegexes(this.regex, regexesOf(f.attributes), 'attr');
    const step = bucketStepNs(f.range);
    const first = (f.range.startNs / step) * step;
    const count = Number((f.range.endNs / step) * step - first) / Number(step) + 1;
    const buckets = Array.from({ length: count }, (_, i) => Number((first + BigInt(i) * step) / 1_000_000n));
    const series: Record<string, number[]> = {};
    let total = 0;
    for (const row of await this.reader.volume(f, step)) {
      const i = Number((BigInt(row.bucketNs) - first) / step);
      if (i < 0 || i >= count) continue;
      (series[row.severity] ??= new Array<number>(count).fill(0))[i] = row.count;
      total += row.count;
    }
    const ordered: Record<string, number[]> = {};
    for (const name of SEVERITY_GROUPS) if (series[name] !== undefined) ordered[name] = series[name];
    return {
      startMs: Number(f.range.startNs / 1_000_000n),
      endMs: Number(f.range.endNs / 1_000_000n),
      stepMs: Number(step / 1_000_000n),
      buckets,
      series: ordered,
      total,
    };
  }
}
