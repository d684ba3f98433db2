// Log records -> otel_logs columns.
import { DateTime64Column, NativeBlock, StringColumn, StringMapColumn, uint32Column, uint8Column } from '../../schemas/native.ts';
import type { ExportLogsRequest } from '../otlp/model.ts';
import { anyValueToString, attributeEntries, serviceName } from './attributes.ts';
import { Rejections, spanIdProblem, traceIdProblem } from './validate.ts';

export function logsBlock() {
  return new NativeBlock({
    Timestamp: new DateTime64Column(),
    TraceId: new StringColumn(),
    SpanId: new StringColumn(),
    TraceFlags: uint8Column(),
    SeverityText: new StringColumn(),
    SeverityNumber: uint8Column(),
    ServiceName: new StringColumn(),
    Body: new StringColumn(),
    ResourceSchemaUrl: new StringColumn(),
    ResourceAttributes: new StringMapColumn(),
    ScopeSchemaUrl: new StringColumn(),
    ScopeName: new StringColumn(),
    ScopeVersion: new StringColumn(),
    ScopeAttributes: new StringMapColumn(),
    LogAttributes: new StringMapColumn(),
    EventName: new StringColumn(),
    ObservedTimestamp: new DateTime64Column(),
    DroppedAttributesCount: uint32Column(),
  });
}

export type LogsBlock = ReturnType<typeof logsBlock>;

/**
 * Appends every valid log record. Timestamp falls back to the observed time, and that
 * to the time of receipt (the data model asks receivers to set it when absent).
 */
export function appendLogs(request: ExportLogsRequest, block: LogsBlock, receivedAtNanos: bigint): Rejections {
  const c = block.columns;
  const rejected = new Rejections();
  request.resourceLogs.forEach((rl, ri) => {
    const resource = attributeEntries(rl.resource.attributes);
    const service = serviceName(resource);
    rl.scopeLogs.forEach((sl, si) => {
      const scopeAttributes = attributeEntries(sl.scope.attributes);
      sl.logRecords.forEach((log, i) => {
        const problem =
          (log.traceId === '' ? undefined : traceIdProblem(log.traceId)) ??
          (log.spanId === '' ? undefined : spanIdProblem(log.spanId));
        if (problem !== undefined) {
          rejected.add(`resourceLogs[${ri}].scopeLogs[${si}].logRecords[${i}]`, problem);
          return;
        }
        const observed = log.observedTimeUnixNano !== 0n ? log.observedTimeUnixNano : receivedAtNanos;
        c.Timestamp.push(log.timeUnixNano !== 0n ? log.timeUnixNano : observed);
        c.TraceId.push(log.traceId);
        c.SpanId.push(log.spanId);
        c.TraceFlags.push(log.flags & 0xff);
        c.SeverityText.push(log.severityText);
        c.SeverityNumber.push(log.severityNumber);
        c.ServiceName.push(service);
        c.Body.push(anyValueToString(log.body));
        c.ResourceSchemaUrl.push(rl.schemaUrl);
        c.ResourceAttributes.push(resource);
        c.ScopeSchemaUrl.push(sl.schemaUrl);
        c.ScopeName.push(sl.scope.name);
        c.ScopeVersion.push(sl.scope.version);
        c.ScopeAttributes.push(scopeAttributes);
        c.LogAttributes.push(attributeEntries(log.attributes));
        c.EventName.push(log.eventName);
        c.ObservedTimestamp.push(observed);
        c.DroppedAttributesCount.push(log.droppedAttributesCount);
      });
    });
  });
  return rejected;
}
