// Vigil measures its own ingest: requests and items per transport, signal and outcome,
// batch sizes and flush latency per table, bytes waiting to be stored. selfmetrics.ts turns
// these into OTLP metrics stored in Vigil itself (service.name "vigil").
import type { Metric, NumberDataPoint, HistogramDataPoint } from './otlp/model.ts';

type Attributes = Record<string, string>;

const keyOf = (attributes: Attributes) => JSON.stringify(attributes);

const toKeyValues = (attributes: Attributes) => Object.entries(attributes).map(([key, value]) => ({ key, value }));

/** A monotonic sum per attribute set. */
export class Counter {
  private readonly series = new Map<string, { attributes: Attributes; value: number }>();

  constructor(
    readonly name: string,
    readonly unit: string,
    readonly description: string,
  ) {}

  add(attributes: Attributes, n = 1): void {
    const key = keyOf(attributes);
    const s = this.series.get(key);
    if (s) s.value += n;
    else this.series.set(key, { attributes, value: n });
  }

  /** Total over the series whose attributes include `match`. */
  total(match: Attributes = {}): number {
    let sum = 0;
    for (const s of this.series.values()) {
      if (Object.entries(match).every(([k, v]) => s.attributes[k] === v)) sum += s.value;
    }
    return sum;
  }

  toMetric(startNanos: bigint, nowNanos: bigint): Metric {
    const dataPoints: NumberDataPoint[] = [...this.series.values()].map((s) => ({
      attributes: toKeyValues(s.attributes),
      startTimeUnixNano: startNanos,
      timeUnixNano: nowNanos,
      value: s.value,
      exemplars: [],
      flags: 0,
    }));
    const data = { type: 'sum' as const, dataPoints, aggregationTemporality: 2, isMonotonic: true };
    return { name: this.name, description: this.description, unit: this.unit, metadata: [], data };
  }
}

/** An explicit-bucket histogram per attribute set. */
export class Histogram {
  private readonly series = new Map<string, { attributes: Attributes; counts: number[]; count: number; sum: number; min: number; max: number }>();

  constructor(
    readonly name: string,
    readonly unit: string,
    readonly description: string,
    private readonly bounds: readonly number[],
  ) {}

  record(attributes: Attributes, value: number): void {
    const key = keyOf(attributes);
    let s = this.series.get(key);
    if (!s) {
      s = { attributes, counts: new Array<number>(this.bounds.length + 1).fill(0), count: 0, sum: 0, min: value, max: value };
      this.series.set(key, s);
    }
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    s.counts[i]!++;
    s.count++;
    s.sum += value;
    s.min = Math.min(s.min, value);
    s.max = Math.max(s.max, value);
  }

  toMetric(startNanos: bigint, nowNanos: bigint): Metric {
    const dataPoints: HistogramDataPoint[] = [...this.series.values()].map((s) => ({
      attributes: toKeyValues(s.attributes),
      startTimeUnixNano: startNanos,
      timeUnixNano: nowNanos,
      count: s.count,
      sum: s.sum,
      bucketCounts: [...s.counts],
      explicitBounds: [...this.bounds],
      exemplars: [],
      flags: 0,
      min: s.min,
      max: s.max,
    }));
    return { name: this.name, description: this.description, unit: this.unit, metadata: [], data: { type: 'histogram', dataPoints, aggregationTemporality: 2 } };
  }
}

export class IngestStats {
  readonly requests = new Counter('vigil.ingest.requests', '{request}', 'OTLP export requests by transport, signal and answer (status code)');
  readonly items = new Counter('vigil.ingest.items', '{item}', 'Spans, log records and data points by signal and outcome (stored, rejected)');
  readonly inserts = new Counter('vigil.ingest.inserts', '{insert}', 'Batch inserts by table and outcome (stored, failed)');
  readonly batchRows = new Histogram('vigil.ingest.batch.rows', '{row}', 'Rows per insert, by table', [100, 500, 1000, 2500, 5000, 10000, 25000, 50000]);
  readonly flushDuration = new Histogram('vigil.ingest.flush.duration', 'ms', 'Time to store one batch, by table and outcome', [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]);
}
