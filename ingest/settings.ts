import { tokens } from '../schemas/auth.ts';
import { duration, integer, readSettings, size } from '../schemas/settings.ts';

export const ingestSettings = {
  httpPort: integer('VIGIL_OTLP_HTTP_PORT', 4318, 'OTLP/HTTP port (POST /v1/traces, /v1/metrics, /v1/logs).'),
  grpcPort: integer('VIGIL_OTLP_GRPC_PORT', 4317, 'OTLP/gRPC port (TraceService, MetricsService and LogsService Export).'),
  grpcMaxMessageBytes: size(
    'VIGIL_GRPC_MAX_MESSAGE_SIZE',
    '4MiB',
    'Largest OTLP/gRPC message, after decompression; larger ones get RESOURCE_EXHAUSTED.',
  ),
  maxBodyBytes: size('VIGIL_MAX_BODY_SIZE', '64MiB', 'Largest OTLP request body, after decompression; larger ones get 413.'),
  batchMaxRows: integer(
    'VIGIL_BATCH_MAX_ROWS',
    100000,
    'A table batch is stored once it holds this many rows, even while every insert slot is busy.',
    1,
  ),
  batchMaxBytes: size(
    'VIGIL_BATCH_MAX_SIZE',
    '64MiB',
    'A table batch is stored once its columns hold this many bytes, even while every insert slot is busy.',
  ),
  batchMaxAgeMs: duration(
    'VIGIL_BATCH_MAX_AGE',
    '200ms',
    'A table batch is stored this long after its first row when an insert slot is free; under load it grows until one is (fewer, larger parts).',
  ),
  maxPendingBytes: size(
    'VIGIL_MAX_PENDING_SIZE',
    '256MiB',
    'Accepted data not yet stored, over all tables; past it new requests get 429 with Retry-After.',
  ),
  tokens: tokens(
    'VIGIL_INGEST_TOKENS',
    'Comma-separated bearer tokens OTLP clients must send (Authorization: Bearer ...); empty: no authentication.',
  ),
  selfMetricsIntervalMs: duration(
    'VIGIL_SELF_METRICS_INTERVAL',
    '10s',
    "How often Vigil stores its own ingest metrics (service.name vigil: requests, items, inserts, batch rows, flush duration, pending bytes).",
  ),
  flushConcurrency: integer(
    'VIGIL_FLUSH_CONCURRENCY',
    1,
    'Batch inserts running at once. One keeps batches largest under load (the engine runs the views of an insert in parallel anyway).',
    1,
  ),
};

export type IngestSettings = ReturnType<typeof readIngestSettings>;

export function readIngestSettings(env: NodeJS.ProcessEnv = process.env) {
  return readSettings(ingestSettings, env);
}
