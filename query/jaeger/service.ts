// The Jaeger API's service layer: what each endpoint does, in terms of the readers, with the
// answers in Jaeger's model. Handlers (routes.ts) only parse parameters and call these.
import { vigilError } from '../../schemas/errors.ts';
import { type Operation, type StructuredError, type Trace, toOperations, toTrace } from './model.ts';
import type { TimeRange, TraceSearch } from './params.ts';
import type { DependencyLink, DependencyReader, StoredSpan, TraceReader } from './reader.ts';

export const TRACE_NOT_FOUND = 'trace';

export class JaegerService {
  constructor(
    private readonly traces: TraceReader,
    private readonly deps: DependencyReader,
  ) {}

  services(range: TimeRange): Promise<string[]> {
    return this.traces.services(range);
  }

  async operationNames(service: string, range: TimeRange): Promise<string[]> {
    const operations = await this.traces.operations(service, undefined, range);
    return [...new Set(operations.map((o) => o.name))];
  }

  async operations(service: string, kind: string | undefined, range: TimeRange): Promise<Operation[]> {
    return toOperations(await this.traces.operations(service, kind, range));
  }

  /** Whole traces by id, in the order of `ids`; ids with no stored spans are left out. */
  async tracesById(ids: readonly string[], range?: TimeRange): Promise<Trace[]> {
    const byId = new Map<string, StoredSpan[]>();
    for await (const batch of this.traces.spans(ids, range)) {
      for (const span of batch) {
        let spans = byId.get(span.traceId);
        if (spans === undefined) byId.set(span.traceId, (spans = []));
        spans.push(span);
      }
    }
    const traces: Trace[] = [];
    for (const id of ids) {
      const spans = byId.get(id);
      if (spans !== undefined) traces.push(toTrace(id, spans));
    }
    return traces;
  }

  /** One trace; VIGIL_ERR_NOT_FOUND ("trace not found") when nothing is stored for it. */
  async trace(id: string, range?: TimeRange): Promise<Trace> {
    const [trace] = await this.tracesById([id], range);
    if (trace === undefined) throw vigilError('VIGIL_ERR_NOT_FOUND', TRACE_NOT_FOUND);
    return trace;
  }

  /** Search: matching trace ids first (newest first, at most `limit`), then those whole traces. */
  async search(query: TraceSearch): Promise<Trace[]> {
    const ids = await this.traces.findTraceIds(query);
    return this.tracesById(ids);
  }

  /**
   * `traceID` list: the traces found, plus one error per id not found (as Jaeger answers:
   * data has what exists, errors name what does not).
   */
  async traceList(ids: readonly string[]): Promise<{ traces: Trace[]; errors: StructuredError[] }> {
    const traces = await this.tracesById(ids);
    const found = new Set(traces.map((t) => t.traceID));
    const errors = ids
      .filter((id) => !found.has(id))
      .map((id) => ({ code: 404, msg: vigilError('VIGIL_ERR_NOT_FOUND', TRACE_NOT_FOUND).message, traceID: id }));
    return { traces, errors };
  }

  dependencies(range: TimeRange): Promise<DependencyLink[]> {
    return this.deps.dependencies(range);
  }
}
