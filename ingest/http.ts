// OTLP/HTTP transport (port 4318): routing, content negotiation, body limits, gzip,
// status codes. Everything past the body bytes is signals.ts's job.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { BearerTokens } from '../schemas/auth.ts';
import { VigilError, vigilError } from '../schemas/errors.ts';
import type { Batcher } from './batcher.ts';
import { encodeExportResponse, encodeStatus } from './otlp/response.ts';
import { type Encoding, type Signal, ingest } from './signals.ts';

const gunzipAsync = promisify(gunzip);

export interface IngestHttpOptions {
  /** Largest request body accepted, after decompression (OTLP recommends 64 MiB). */
  maxBodyBytes: number;
  tokens: BearerTokens;
}

export interface Health {
  /** Ready to accept data: the store answers and the server is not shutting down. */
  ready(): Promise<boolean>;
}

const signalPaths: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };

const contentTypes: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

export interface IngestHttpServer {
  readonly server: Server;
  /** Resolves once no request is being handled. */
  drained(): Promise<void>;
}

export function createIngestHttpServer(
  batcher: Batcher,
  health: Health,
  options: IngestHttpOptions,
  log: Logger,
): IngestHttpServer {
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handled = handle(req, res)
      .catch((error: unknown) => {
        log.error({ err: error }, 'unhandled ingest error');
        if (!res.headersSent) res.writeHead(500).end();
      })
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  });
  // Exporters keep connections open between batches.
  server.keepAliveTimeout = 65_000;
  return {
    server,
    async drained() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const signal = signalPaths[path];
    if (signal === undefined) return handleOther(req, res, path);

    // Error bodies use the request's encoding; JSON when it is not one we know.
    const encoding = encodingOf(req.headers['content-type']);
    try {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw vigilError('VIGIL_ERR_METHOD_NOT_ALLOWED', req.method ?? '', path, 'POST');
      }
      if (!options.tokens.allows(req.headers.authorization)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        throw vigilError('VIGIL_ERR_UNAUTHENTICATED');
      }
      if (encoding === undefined) throw vigilError('VIGIL_ERR_UNSUPPORTED_MEDIA_TYPE', req.headers['content-type'] ?? '');
      const body = await readBody(req, options.maxBodyBytes);
      const partial = await ingest(batcher, signal, encoding, body, log);
      send(res, 200, encoding, encodeExportResponse(signal, encoding, partial));
    } catch (error) {
      if (!res.headersSent) sendError(res, encoding ?? 'json', error);
      // Stop reading a body we refused; the response above already says why.
      if (!req.complete) req.resume();
    } finally {
      batcher.stats.requests.add({ transport: 'http', signal, status: String(res.statusCode) });
    }
  }

  async function handleOther(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/healthz' || path === '/readyz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return sendError(res, 'json', vigilError('VIGIL_ERR_METHOD_NOT_ALLOWED', req.method ?? '', path, 'GET'));
      }
      const ok = path === '/healthz' || (await health.ready());
      return send(res, ok ? 200 : 503, 'json', JSON.stringify({ status: ok ? 'ok' : 'unavailable' }));
    }
    req.resume();
    sendError(res, 'json', vigilError('VIGIL_ERR_ROUTE_NOT_FOUND', req.method ?? '', path));
  }

  function sendError(res: ServerResponse, encoding: Encoding, error: unknown): void {
    const e = error instanceof VigilError ? error : vigilError('VIGIL_ERR_INTERNAL', String(error));
    if (e.status >= 500 && e.status !== 503) log.error({ err: error }, 'ingest request failed');
    else log.debug({ code: e.code, status: e.status }, e.message);
    if (e.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(e.retryAfterSeconds));
    send(res, e.status, encoding, encodeStatus(encoding, grpcStatus[e.grpc], e.message));
  }
}

function send(res: ServerResponse, status: number, encoding: Encoding, body: Uint8Array | string): void {
  res.writeHead(status, { 'Content-Type': contentTypes[encoding] });
  res.end(body);
}

/** The request body, gunzipped when it says so, refused past `limit` bytes either way. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const gzipped = contentEncoding === 'gzip' || contentEncoding === 'x-gzip';
  if (!gzipped && contentEncoding !== 'identity' && contentEncoding !== '') {
    throw vigilError('VIGIL_ERR_UNSUPPORTED_ENCODING', contentEncoding);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw vigilError('VIGIL_ERR_BODY_TOO_LARGE', limit);

  const raw = await readRaw(req, limit);
  if (!gzipped) return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: limit });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw vigilError('VIGIL_ERR_BODY_TOO_LARGE', limit);
    throw vigilError('VIGIL_ERR_BAD_GZIP', e.message);
  }
}

/** Collects the raw body; past `limit` it rejects at once and discards the rest as it arrives. */
function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        reject(vigilError('VIGIL_ERR_BODY_TOO_LARGE', limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}
