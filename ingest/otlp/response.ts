// The bodies OTLP requests are answered with, in the request's encoding:
// Export{Trace,Metrics,Logs}ServiceResponse on (partial) success, google.rpc.Status on
// failure. Both messages are tiny, so a few lines of protobuf writer do instead of a
// library.

export type Signal = 'traces' | 'metrics' | 'logs';
export type Format = 'protobuf' | 'json';

export interface PartialSuccess {
  /** Items rejected: spans, data points or log records depending on the signal. */
  rejected: number;
  message: string;
}

// JSON names of ExportTracePartialSuccess.rejected_spans and its metrics/logs siblings;
// in protobuf all three are field 1.
const REJECTED_KEY = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
} as const;

/** Without `partial` the answer is the empty message: full success. */
export function encodeExportResponse(signal: Signal, format: 'protobuf', partial?: PartialSuccess): Uint8Array;
export function encodeExportResponse(signal: Signal, format: 'json', partial?: PartialSuccess): string;
export function encodeExportResponse(signal: Signal, format: Format, partial?: PartialSuccess): Uint8Array | string;
export function encodeExportResponse(signal: Signal, format: Format, partial?: PartialSuccess): Uint8Array | string {
  if (format === 'json') {
    if (partial === undefined) return '{}';
    // proto3 JSON: default values are omitted and int64 is written as a string.
    const partialSuccess: Record<string, string> = {};
    if (partial.rejected !== 0) partialSuccess[REJECTED_KEY[signal]] = String(partial.rejected);
    if (partial.message !== '') partialSuccess.errorMessage = partial.message;
    return JSON.stringify({ partialSuccess });
  }
  if (partial === undefined) return new Uint8Array(0);
  const partialSuccess = new ProtoWriter().varint(1, partial.rejected).string(2, partial.message).finish();
  return new ProtoWriter().message(1, partialSuccess).finish();
}

/** A google.rpc.Status body (code = 1, message = 2; details = 3 left empty). */
export function encodeStatus(format: 'protobuf', code: number, message: string): Uint8Array;
export function encodeStatus(format: 'json', code: number, message: string): string;
export function encodeStatus(format: Format, code: number, message: string): Uint8Array | string;
export function encodeStatus(format: Format, code: number, message: string): Uint8Array | string {
  if (format === 'json') return JSON.stringify({ code, message });
  return new ProtoWriter().varint(1, code).string(2, message).finish();
}

/**
 * A google.rpc.Status whose one detail is a google.rpc.RetryInfo: how gRPC clients learn
 * when to retry (sent as the grpc-status-details-bin trailer). The detail is a
 * google.protobuf.Any (type_url = 1, value = 2); RetryInfo.retry_delay (1) is a
 * google.protobuf.Duration (seconds = 1).
 */
export function encodeRetryStatus(code: number, message: string, retryDelaySeconds: number): Uint8Array {
  const delay = new ProtoWriter().varint(1, retryDelaySeconds).finish();
  const retryInfo = new ProtoWriter().message(1, delay).finish();
  const detail = new ProtoWriter().string(1, 'type.googleapis.com/google.rpc.RetryInfo').message(2, retryInfo).finish();
  return new ProtoWriter().varint(1, code).string(2, message).message(3, detail).finish();
}

const utf8 = new TextEncoder();

/** Writes proto3 fields, leaving out default values as proto3 encoders do. */
class ProtoWriter {
  private readonly out: number[] = [];

  /** A varint field; only non-negative integers are needed here (counts, gRPC codes). */
  varint(field: number, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as a varint`);
    if (value === 0) return this;
    this.raw(field << 3);
    this.raw(value);
    return this;
  }

  string(field: number, value: string): this {
    if (value === '') return this;
    return this.message(field, utf8.encode(value));
  }

  /** A length-delimited field; written even when empty, since message presence matters. */
  message(field: number, payload: Uint8Array): this {
    this.raw((field << 3) | 2);
    this.raw(payload.length);
    for (const b of payload) this.out.push(b);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  private raw(n: number): void {
    while (n > 0x7f) {
      this.out.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    this.out.push(n);
  }
}
