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
  const buffers = new BodyBuffers();
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
      const body = await readBody(req, options.maxBodyBytes, buffers);
      // ingest() has read the body once it returns: its buffer can serve the next request.
      const storing = ingest(batcher, signal, encoding, body.bytes, log);
      body.release();
      const partial = await storing;
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

/**
 * Buffers for request bodies, used again once a body is decoded: on this machine kind a fresh
 * 256 KiB buffer costs ~0.5 ms of page faults (the kernel maps and zeroes every page), copying
 * the same bytes into a buffer used before ~20 us. Holds at most MAX_FREE_BYTES unused.
 */
export class BodyBuffers {
  private readonly free: Buffer[] = [];
  private freeBytes = 0;

  /** A buffer of at least `size` bytes, with undefined contents. */
  take(size: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const buffer = this.free[i]!;
      if (buffer.length < size) continue;
      this.free.splice(i, 1);
      this.freeBytes -= buffer.length;
      return buffer;
    }
    return Buffer.allocUnsafeSlow(Math.max(size, MIN_BODY_BUFFER));
  }

  /** Takes back a buffer from take() that nothing reads any more. */
  give(buffer: Buffer): void {
    if (buffer.length > MAX_BODY_BUFFER || this.freeBytes + buffer.length > MAX_FREE_BYTES) return;
    this.free.push(buffer);
    this.freeBytes += buffer.length;
  }
}

const MIN_BODY_BUFFER = 64 * 1024;
// Larger bodies are rare (exporters send ~0.1-1 MiB) and get a buffer of their own.
const MAX_BODY_BUFFER = 4 * 1024 * 1024;
// Enough for ~128 exports of 256 KiB in flight at once.
const MAX_FREE_BYTES = 48 * 1024 * 1024;

interface Body {
  bytes: Buffer;
  /** Call once `bytes` is not read any more. */
  release(): void;
}

const NOTHING_TO_RELEASE = () => {};

/** The request body, gunzipped when it says so, refused past `limit` bytes either way. */
async function readBody(req: IncomingMessage, limit: number, buffers: BodyBuffers): Promise<Body> {
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const gzipped = contentEncoding === 'gzip' || contentEncoding === 'x-gzip';
  if (!gzipped && contentEncoding !== 'identity' && contentEncoding !== '') {
    throw vigilError('VIGIL_ERR_UNSUPPORTED_ENCODING', contentEncoding);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw vigilError('VIGIL_ERR_BODY_TOO_LARGE', limit);

  const raw = await readRaw(req, limit, declared, buffers);
  if (!gzipped) return raw;
  try {
    return { bytes: await gunzipAsync(raw.bytes, { maxOutputLength: limit }), release: NOTHING_TO_RELEASE };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw vigilError('VIGIL_ERR_BODY_TOO_LARGE', limit);
    throw vigilError('VIGIL_ERR_BAD_GZIP', e.message);
  } finally {
    raw.release();
  }
}

/**
 * Collects the raw body: into a buffer from `buffers` when its length is declared (the HTTP
 * parser holds the body to it), else by concatenating the chunks. Past `limit` it rejects at
 * once and discards the rest as it arrives.
 */
function readRaw(req: IncomingMessage, limit: number, declared: number, buffers: BodyBuffers): Promise<Body> {
  return new Promise((resolve, reject) => {
    const target = declared > 0 ? buffers.take(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      if (size + chunk.length > limit || (target !== undefined && size + chunk.length > declared)) {
        refused = true;
        chunks.length = 0;
        reject(vigilError('VIGIL_ERR_BODY_TOO_LARGE', limit));
        return;
      }
      if (target !== undefined) chunk.copy(target, size);
      else chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => {
      if (refused) return;
      if (target !== undefined) resolve({ bytes: target.subarray(0, size), release: () => buffers.give(target) });
      else resolve({ bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), release: NOTHING_TO_RELEASE });
    });
    req.on('error', reject);
  });
}
