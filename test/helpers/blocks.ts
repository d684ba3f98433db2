// A small otel_metrics_sum block built with schemas/native.ts, for store round trips.
import { boolColumn, DateTime64Column, float64Column, int32Column, NativeBlock, StringColumn, StringMapColumn } from '../../schemas/native.ts';

/** One sum point: checkout / http.server.requests {http.route=/cart} = 42 at 2024-05-01 10:00 UTC. */
export function sumPointBlock() {
  const block = new NativeBlock({
    ServiceName: new StringColumn(),
    MetricName: new StringColumn(),
    Attributes: new StringMapColumn(),
    TimeUnix: new DateTime64Column(),
    Value: float64Column(),
    AggregationTemporality: int32Column(),
    IsMonotonic: boolColumn(),
  });
  const c = block.columns;
  c.ServiceName.push('checkout');
  c.MetricName.push('http.server.requests');
  c.Attributes.push([['http.route', '/cart']]);
  c.TimeUnix.push(1714557600_000000000n);
  c.Value.push(42);
  c.AggregationTemporality.push(2);
  c.IsMonotonic.push(1);
  return block;
}
