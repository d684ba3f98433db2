// Spans -> otel_traces columns.
import {
  ArrayColumn,
  DateTime64Column,
  NativeBlock,
  StringColumn,
  StringMapColumn,
  UInt64Column,
  uint32Column,
} from '../../schemas/native.ts';
import type { ExportTraceRequest } from '../otlp/model.ts';
import { attributeEntries, serviceName } from './attributes.ts';
import { Rejections, spanIdProblem, traceIdProblem } from './validate.ts';

// Names as the Collector's ClickHouse exporter writes them.
const SPAN_KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS_CODES = ['Unset', 'Ok', 'Error'];

export function spanKindName(kind: number): string {
  return SPAN_KINDS[kind] ?? 'Unspecified';
}

export function statusCodeName(code: number): string {
  return STATUS_CODES[code] ?? 'Unset';
}

export function tracesBlock() {
  return new NativeBlock({
    Timestamp: new DateTime64Column(),
    TraceId: new StringColumn(),
    SpanId: new StringColumn(),
    ParentSpanId: new StringColumn(),
    TraceState: new StringColumn(),
    SpanName: new StringColumn(),
    SpanKind: new StringColumn(),
    ServiceName: new StringColumn(),
    ResourceAttributes: new StringMapColumn(),
    ScopeName: new StringColumn(),
    ScopeVersion: new StringColumn(),
    SpanAttributes: new StringMapColumn(),
    Duration: new UInt64Column(),
    StatusCode: new StringColumn(),
    StatusMessage: new StringColumn(),
    'Events.Timestamp': new ArrayColumn(new DateTime64Column()),
    'Events.Name': new ArrayColumn(new StringColumn()),
    'Events.Attributes': new ArrayColumn(new StringMapColumn()),
    'Links.TraceId': new ArrayColumn(new StringColumn()),
    'Links.SpanId': new ArrayColumn(new StringColumn()),
    'Links.TraceState': new ArrayColumn(new StringColumn()),
    'Links.Attributes': new ArrayColumn(new StringMapColumn()),
    ScopeAttributes: new StringMapColumn(),
    Flags: uint32Column(),
    DroppedAttributesCount: uint32Column(),
    DroppedEventsCount: uint32Column(),
    DroppedLinksCount: uint32Column(),
  });
}

export type TracesBlock = ReturnType<typeof tracesBlock>;

/** Appends every valid span of the request; returns what was rejected and why. */
export function appendTraces(request: ExportTraceRequest, block: TracesBlock): Rejections {
  const c = block.columns;
  const rejected = new Rejections();
  request.resourceSpans.forEach((rs, ri) => {
    const resource = attributeEntries(rs.resource.attributes);
    const service = serviceName(resource);
    rs.scopeSpans.forEach((ss, si) => {
      const scopeAttributes = attributeEntries(ss.scope.attributes);
      ss.spans.forEach((span, i) => {
        const problem =
          traceIdProblem(span.traceId) ??
          spanIdProblem(span.spanId) ??
          (span.parentSpanId === '' ? undefined : spanIdProblem(span.parentSpanId, 'parent span id'));
        if (problem !== undefined) {
          rejected.add(`resourceSpans[${ri}].scopeSpans[${si}].spans[${i}]`, problem);
          return;
        }
        c.Timestamp.push(span.startTimeUnixNano);
        c.TraceId.push(span.traceId);
        c.SpanId.push(span.spanId);
        c.ParentSpanId.push(span.parentSpanId);
        c.TraceState.push(span.traceState);
        c.SpanName.push(span.name);
        c.SpanKind.push(spanKindName(span.kind));
        c.ServiceName.push(service);
        c.ResourceAttributes.push(resource);
        c.ScopeName.push(ss.scope.name);
        c.ScopeVersion.push(ss.scope.version);
        c.SpanAttributes.push(attributeEntries(span.attributes));
        // A span that ends before it starts is kept, with zero duration.
        const duration = span.endTimeUnixNano - span.startTimeUnixNano;
        c.Duration.push(duration > 0n ? duration : 0n);
        c.StatusCode.push(statusCodeName(span.status.code));
        c.StatusMessage.push(span.status.message);
        for (const event of span.events) {
          c['Events.Timestamp'].inner.push(event.timeUnixNano);
          c['Events.Name'].inner.push(event.name);
          c['Events.Attributes'].inner.push(attributeEntries(event.attributes));
        }
        c['Events.Timestamp'].endRow();
        c['Events.Name'].endRow();
        c['Events.Attributes'].endRow();
        for (const link of span.links) {
          c['Links.TraceId'].inner.push(link.traceId);
          c['Links.SpanId'].inner.push(link.spanId);
          c['Links.TraceState'].inner.push(link.traceState);
          c['Links.Attributes'].inner.push(attributeEntries(link.attributes));
        }
        c['Links.TraceId'].endRow();
        c['Links.SpanId'].endRow();
        c['Links.TraceState'].endRow();
        c['Links.Attributes'].endRow();
        c.ScopeAttributes.push(scopeAttributes);
        c.Flags.push(span.flags);
        c.DroppedAttributesCount.push(span.droppedAttributesCount);
        c.DroppedEventsCount.push(span.droppedEventsCount);
        c.DroppedLinksCount.push(span.droppedLinksCount);
      });
    });
  });
  return rejected;
}
