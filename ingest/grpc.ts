// OTLP/gRPC transport (port 4317): the three unary Export methods, bearer tokens from
// metadata, status codes and RetryInfo. grpc-js does the framing, gzip/deflate and the
// message size limit (RESOURCE_EXHAUSTED); everything past the message bytes is signals.ts's job.
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type StatusObject,
  type handleUnaryCall,
  status,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { BearerTokens } from '../schemas/auth.ts';
import { VigilError, vigilError } from '../schemas/errors.ts';
import type { Batcher } from './batcher.ts';
import { encodeExportResponse, encodeRetryStatus } from './otlp/response.ts';
import { type Signal, ingest } from './signals.ts';

export interface IngestGrpcOptions {
  /** Largest message accepted, after decompression (gRPC's usual 4 MiB). */
  maxMessageBytes: number;
  tokens: BearerTokens;
}

export interface IngestGrpcServer {
  /** Binds and serves; resolves with the bound address, e.g. 127.0.0.1:4317. */
  start(host: string, port: number): Promise<string>;
  /** Stops accepting and lets in-flight calls finish (cancelled past a timeout). */
  close(): Promise<void>;
}

/** How long close() waits for in-flight calls before cancelling them. */
const FORCE_SHUTDOWN_AFTER_MS = 10_000;

const services: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
};

const signals = Object.keys(services) as Signal[];

const identity = (bytes: Buffer) => bytes;

/** One Export method that keeps the raw request bytes (ingest() decodes them) and sends our encoded answer. */
function exportService(service: string): ServiceDefinition {
  return {
    Export: {
      path: `/${service}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: (answer: Uint8Array) => Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength),
      responseDeserialize: identity,
    },
  };
}

export function createIngestGrpcServer(batcher: Batcher, options: IngestGrpcOptions, log: Logger): IngestGrpcServer {
  const server = new Server({ 'grpc.max_receive_message_length': options.maxMessageBytes });
  for (const signal of signals) {
    const Export: handleUnaryCall<Buffer, Uint8Array> = (call, callback) => {
      exportCall(signal, call).then(
        (answer) => {
          batcher.stats.requests.add({ transport: 'grpc', signal, status: 'OK' });
          callback(null, answer);
        },
        (error: unknown) => {
          const failure = statusOf(error);
          batcher.stats.requests.add({ transport: 'grpc', signal, status: status[failure.code] });
          callback(failure);
        },
      );
    };
    server.addService(exportService(services[signal]), { Export });
  }

  return {
    start(host, port) {
      const target = host.includes(':') ? `[${host}]` : host;
      return new Promise((resolve, reject) => {
        server.bindAsync(`${target}:${port}`, ServerCredentials.createInsecure(), (error, bound) => {
          if (error) reject(error);
          else resolve(`${target}:${bound}`);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        const force = setTimeout(() => {
          log.warn('gRPC calls still running at shutdown: cancelling them');
          server.forceShutdown();
          resolve();
        }, FORCE_SHUTDOWN_AFTER_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };

  async function exportCall(signal: Signal, call: ServerUnaryCall<Buffer, Uint8Array>): Promise<Uint8Array> {
    // Checked before decoding: an unauthenticated call costs nothing and stores nothing.
    const [authorization] = call.metadata.get('authorization');
    if (!options.tokens.allows(typeof authorization === 'string' ? authorization : undefined)) {
      throw vigilError('VIGIL_ERR_UNAUTHENTICATED');
    }
    return encodeExportResponse(signal, 'protobuf', await ingest(batcher, signal, 'protobuf', call.request, log));
  }

  function statusOf(error: unknown): StatusObject {
    const e = error instanceof VigilError ? error : vigilError('VIGIL_ERR_INTERNAL', String(error));
    const code = status[e.grpc];
    if (code === status.INTERNAL) log.error({ err: error }, 'ingest call failed');
    else log.debug({ code: e.code, grpc: e.grpc }, e.message);
    const metadata = new Metadata();
    // Retryable failures say when to retry, as RetryInfo in the standard status details.
    if (e.retryAfterSeconds !== undefined) {
      metadata.set('grpc-status-details-bin', Buffer.from(encodeRetryStatus(code, e.message, e.retryAfterSeconds)));
    }
    return { code, details: e.message, metadata };
  }
}
