// Metric data points -> the five otel_metrics_* tables, one row per point.
import {
  ArrayColumn,
  DateTime64Column,
  NativeBlock,
  type NumberColumn,
  StringColumn,
  StringMapColumn,
  UInt64Column,
  boolColumn,
  float64Column,
  int32Column,
  uint32Column,
} from '../../schemas/native.ts';
import type { Exemplar, ExportMetricsRequest, KeyValue, Metric } from '../otlp/model.ts';
import { type Entries, attributeEntries, serviceName } from './attributes.ts';
import { Rejections } from './validate.ts';

function commonColumns() {
  return {
    ResourceAttributes: new StringMapColumn(),
    ResourceSchemaUrl: new StringColumn(),
    ScopeName: new StringColumn(),
    ScopeVersion: new StringColumn(),
    ScopeAttributes: new StringMapColumn(),
    ScopeDroppedAttrCount: uint32Column(),
    ScopeSchemaUrl: new StringColumn(),
    ServiceName: new StringColumn(),
    MetricName: new StringColumn(),
    MetricDescription: new StringColumn(),
    MetricUnit: new StringColumn(),
    Attributes: new StringMapColumn(),
    StartTimeUnix: new DateTime64Column(),
    TimeUnix: new DateTime64Column(),
    Flags: uint32Column(),
  };
}

function exemplarColumns() {
  return {
    'Exemplars.FilteredAttributes': new ArrayColumn(new StringMapColumn()),
    'Exemplars.TimeUnix': new ArrayColumn(new DateTime64Column()),
    'Exemplars.Value': new ArrayColumn(float64Column()),
    'Exemplars.SpanId': new ArrayColumn(new StringColumn()),
    'Exemplars.TraceId': new ArrayColumn(new StringColumn()),
  };
}

/** One block factory per metric point type, keyed by table name. */
export const metricTables = {
  otel_metrics_gauge: () => new NativeBlock({ ...commonColumns(), Value: float64Column(), ...exemplarColumns() }),
  otel_metrics_sum: () =>
    new NativeBlock({
      ...commonColumns(),
      Value: float64Column(),
      ...exemplarColumns(),
      AggregationTemporality: int32Column(),
      IsMonotonic: boolColumn(),
    }),
  otel_metrics_histogram: () =>
    new NativeBlock({
      ...commonColumns(),
      Count: new UInt64Column(),
      Sum: float64Column(),
      BucketCounts: new ArrayColumn(new UInt64Column()),
      ExplicitBounds: new ArrayColumn(float64Column()),
      ...exemplarColumns(),
      Min: float64Column(),
      Max: float64Column(),
      AggregationTemporality: int32Column(),
    }),
  otel_metrics_exponential_histogram: () =>
    new NativeBlock({
      ...commonColumns(),
      Count: new UInt64Column(),
      Sum: float64Column(),
      Scale: int32Column(),
      ZeroCount: new UInt64Column(),
      PositiveOffset: int32Column(),
      PositiveBucketCounts: new ArrayColumn(new UInt64Column()),
      NegativeOffset: int32Column(),
      NegativeBucketCounts: new ArrayColumn(new UInt64Column()),
      ...exemplarColumns(),
      Min: float64Column(),
      Max: float64Column(),
      AggregationTemporality: int32Column(),
      ZeroThreshold: float64Column(),
    }),
  otel_metrics_summary: () =>
    new NativeBlock({
      ...commonColumns(),
      Count: new UInt64Column(),
      Sum: float64Column(),
      'ValueAtQuantiles.Quantile': new ArrayColumn(float64Column()),
      'ValueAtQuantiles.Value': new ArrayColumn(float64Column()),
    }),
};

export type MetricBlocks = { [T in keyof typeof metricTables]: ReturnType<(typeof metricTables)[T]> };
export type CommonColumns = ReturnType<typeof commonColumns>;
export type ExemplarColumns = ReturnType<typeof exemplarColumns>;

/** What every point of one metric shares. */
interface MetricContext {
  resource: Entries;
  resourceSchemaUrl: string;
  service: string;
  scopeName: string;
  scopeVersion: string;
  scopeAttributes: Entries;
  scopeDroppedAttrCount: number;
  scopeSchemaUrl: string;
  metric: Metric;
}

interface PointBase {
  attributes: KeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  flags: number;
}

function pushCommon(c: CommonColumns, m: MetricContext, point: PointBase): void {
  c.ResourceAttributes.push(m.resource);
  c.ResourceSchemaUrl.push(m.resourceSchemaUrl);
  c.ScopeName.push(m.scopeName);
  c.ScopeVersion.push(m.scopeVersion);
  c.ScopeAttributes.push(m.scopeAttributes);
  c.ScopeDroppedAttrCount.push(m.scopeDroppedAttrCount);
  c.ScopeSchemaUrl.push(m.scopeSchemaUrl);
  c.ServiceName.push(m.service);
  c.MetricName.push(m.metric.name);
  c.MetricDescription.push(m.metric.description);
  c.MetricUnit.push(m.metric.unit);
  c.Attributes.push(attributeEntries(point.attributes));
  c.StartTimeUnix.push(point.startTimeUnixNano);
  c.TimeUnix.push(point.timeUnixNano);
  c.Flags.push(point.flags);
}

function pushExemplars(c: ExemplarColumns, exemplars: readonly Exemplar[]): void {
  for (const e of exemplars) {
    c['Exemplars.FilteredAttributes'].inner.push(attributeEntries(e.filteredAttributes));
    c['Exemplars.TimeUnix'].inner.push(e.timeUnixNano);
    c['Exemplars.Value'].inner.push(e.value);
    c['Exemplars.SpanId'].inner.push(e.spanId);
    c['Exemplars.TraceId'].inner.push(e.traceId);
  }
  c['Exemplars.FilteredAttributes'].endRow();
  c['Exemplars.TimeUnix'].endRow();
  c['Exemplars.Value'].endRow();
  c['Exemplars.SpanId'].endRow();
  c['Exemplars.TraceId'].endRow();
}

export function pushNumbers(column: ArrayColumn<NumberColumn | UInt64Column>, values: readonly number[]): void {
  for (const v of values) column.inner.push(v);
  column.endRow();
}

/** Why a histogram point is rejected, or undefined (also for metrics-protobuf.ts). */
export function histogramProblem(bucketCounts: readonly number[], explicitBounds: readonly number[]): string | undefined {
  if (bucketCounts.length !== 0 && bucketCounts.length !== explicitBounds.length + 1) {
    return `histogram has ${bucketCounts.length} bucket counts for ${explicitBounds.length} bounds (want bounds + 1)`;
  }
  for (let i = 1; i < explicitBounds.length; i++) {
    if (!(explicitBounds[i - 1]! < explicitBounds[i]!)) return 'histogram explicit bounds are not strictly increasing';
  }
  return undefined;
}

/** Appends every valid data point to the table of its type; an absent optional sum, min or max is stored as 0 like the exporter does. */
export function appendMetrics(request: ExportMetricsRequest, blocks: MetricBlocks): Rejections {
  const rejected = new Rejections();
  request.resourceMetrics.forEach((rm, ri) => {
    const resource = attributeEntries(rm.resource.attributes);
    const service = serviceName(resource);
    rm.scopeMetrics.forEach((sm, si) => {
      const scopeAttributes = attributeEntries(sm.scope.attributes);
      sm.metrics.forEach((metric, mi) => {
        const m: MetricContext = {
          resource,
          resourceSchemaUrl: rm.schemaUrl,
          service,
          scopeName: sm.scope.name,
          scopeVersion: sm.scope.version,
          scopeAttributes,
          scopeDroppedAttrCount: sm.scope.droppedAttributesCount,
          scopeSchemaUrl: sm.schemaUrl,
          metric,
        };
        const data = metric.data;
        if (data === null) return;
        switch (data.type) {
          case 'gauge': {
            const c = blocks.otel_metrics_gauge.columns;
            for (const p of data.dataPoints) {
              pushCommon(c, m, p);
              c.Value.push(p.value);
              pushExemplars(c, p.exemplars);
            }
            break;
          }
          case 'sum': {
            const c = blocks.otel_metrics_sum.columns;
            for (const p of data.dataPoints) {
              pushCommon(c, m, p);
              c.Value.push(p.value);
              pushExemplars(c, p.exemplars);
              c.AggregationTemporality.push(data.aggregationTemporality);
              c.IsMonotonic.push(data.isMonotonic ? 1 : 0);
            }
            break;
          }
          case 'histogram': {
            const c = blocks.otel_metrics_histogram.columns;
            data.dataPoints.forEach((p, pi) => {
              const problem = histogramProblem(p.bucketCounts, p.explicitBounds);
              if (problem !== undefined) {
                rejected.add(`resourceMetrics[${ri}].scopeMetrics[${si}].metrics[${mi}].dataPoints[${pi}]`, problem);
                return;
              }
              pushCommon(c, m, p);
              c.Count.push(p.count);
              c.Sum.push(p.sum ?? 0);
              pushNumbers(c.BucketCounts, p.bucketCounts);
              pushNumbers(c.ExplicitBounds, p.explicitBounds);
              pushExemplars(c, p.exemplars);
              c.Min.push(p.min ?? 0);
              c.Max.push(p.max ?? 0);
              c.AggregationTemporality.push(data.aggregationTemporality);
            });
            break;
          }
          case 'exponentialHistogram': {
            const c = blocks.otel_metrics_exponential_histogram.columns;
            for (const p of data.dataPoints) {
              pushCommon(c, m, p);
              c.Count.push(p.count);
              c.Sum.push(p.sum ?? 0);
              c.Scale.push(p.scale);
              c.ZeroCount.push(p.zeroCount);
              c.PositiveOffset.push(p.positive.offset);
              pushNumbers(c.PositiveBucketCounts, p.positive.bucketCounts);
              c.NegativeOffset.push(p.negative.offset);
              pushNumbers(c.NegativeBucketCounts, p.negative.bucketCounts);
              pushExemplars(c, p.exemplars);
              c.Min.push(p.min ?? 0);
              c.Max.push(p.max ?? 0);
              c.AggregationTemporality.push(data.aggregationTemporality);
              c.ZeroThreshold.push(p.zeroThreshold);
            }
            break;
          }
          case 'summary': {
            const c = blocks.otel_metrics_summary.columns;
            for (const p of data.dataPoints) {
              pushCommon(c, m, p);
              c.Count.push(p.count);
              c.Sum.push(p.sum);
              for (const q of p.quantileValues) {
                c['ValueAtQuantiles.Quantile'].inner.push(q.quantile);
                c['ValueAtQuantiles.Value'].inner.push(q.value);
              }
              c['ValueAtQuantiles.Quantile'].endRow();
              c['ValueAtQuantiles.Value'].endRow();
            }
            break;
          }
        }
      });
    });
  });
  return rejected;
}
