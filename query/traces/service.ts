// What the native trace endpoints do: search pages with cursors, and one trace with its log
// records. Spans and logs are read in batches as they stream from storage.
import { vigilError } from '../../schemas/errors.ts';
import type { TraceReader } from '../jaeger/reader.ts';
import type { LogReader, LogRecord } from '../logs/reader.ts';
import { encodeCursor, regexesOf } from '../params.ts';
import { type RegexChecker, checkRegexes } from '../regex.ts';
import { type ServiceCount, type Span, type TraceSummary, nsToMs, toSpan } from './model.ts';
import { type TraceSearch, traceCursorKind } from './params.ts';
import type { TraceSummaryReader } from './reader.ts';

/** Log records of a trace are looked for this far before its first span and after its last end. */
export const TRACE_LOGS_MARGIN_NS = 60_000_000_000n;

export interface TracePage {
  traces: TraceSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface TraceDetail {
  traceId: string;
  startNs: string;
  startMs: number;
  /** From the first span start to the last span end. */
  durationNs: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: ServiceCount[];
  /** Ordered by start time. */
  spans: Span[];
  /** The trace's log records, oldest first. */
  logs: LogRecord[];
}

export class TraceService {
  constructor(
    private readonly summaries: TraceSummaryReader,
    private readonly traces: TraceReader,
    private readonly logs: LogReader,
    private readonly regex: RegexChecker,
  ) {}

  async search(q: TraceSearch): Promise<TracePage> {
    await checkRegexes(this.regex, regexesOf(q.attributes), 'attr');
    const traces = await this.summaries.search(q);
    const last = traces[traces.length - 1];
    const key = (t: TraceSummary) => (q.sort === 'duration' ? t.durationNs : t.startNs);
    return {
      traces,
      nextCursor: traces.length < q.limit || last === undefined ? null : encodeCursor(traceCursorKind(q.sort), key(last), last.traceId),
    };
  }

  /** One trace with its logs; VIGIL_ERR_NOT_FOUND ("trace not found") when no span is stored. */
  async trace(traceId: string): Promise<TraceDetail> {
    const spans: Span[] = [];
    const perService = new Map<string, number>();
    let start: bigint | undefined;
    let end = 0n;
    let errorCount = 0;
    for await (const batch of this.traces.spans([traceId])) {
      for (const s of batch) {
        spans.push(toSpan(s));
        if (start === undefined || s.startNs < start) start = s.startNs;
        if (s.startNs + s.durationNs > end) end = s.startNs + s.durationNs;
        if (s.statusCode === 'Error') errorCount++;
        perService.set(s.service, (perService.get(s.service) ?? 0) + 1);
      }
    }
    if (start === undefined) throw vigilError('VIGIL_ERR_NOT_FOUND', 'trace');
    const logs: LogRecord[] = [];
    const range = { startNs: start > TRACE_LOGS_MARGIN_NS ? start - TRACE_LOGS_MARGIN_NS : 0n, endNs: end + TRACE_LOGS_MARGIN_NS };
    for await (const batch of this.logs.ofTrace(traceId, range)) for (const record of batch) logs.push(record);
    return {
      traceId,
      startNs: start.toString(),
      startMs: nsToMs(start),
      durationNs: (end - start).toString(),
      durationMs: nsToMs(end - start),
      spanCount: spans.length,
      errorCount,
      services: [...perService].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([service, spanCount]) => ({ service, spanCount })),
      spans,
      logs,
    };
  }
}
