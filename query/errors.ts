// The query service's one error mapper: every failed request ends here. Catalogued
// VigilErrors answer their own status; Fastify's own 4xx errors (a malformed URL or body)
// become VIGIL_ERR_BAD_PARAMETER; anything else is a bug or a storage failure: 500, and the
// only case that is logged. A route may choose its error body (the Jaeger routes answer
// Jaeger's envelope) with `config: { errorBody }`.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError, vigilError } from '../schemas/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The JSON body to answer a failed request of this route with. */
    errorBody?: (error: VigilError) => unknown;
  }
}

/** Vigil's default error body. */
export function vigilErrorBody(error: VigilError): { code: string; message: string } {
  return { code: error.code, message: error.message };
}

export function toVigilError(error: unknown): VigilError {
  if (error instanceof VigilError) return error;
  const status = (error as Partial<FastifyError> | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return vigilError('VIGIL_ERR_BAD_PARAMETER', 'request', (error as Error).message);
  }
  // The cause (often a storage error quoting SQL) goes to the log, not to the client.
  return vigilError('VIGIL_ERR_INTERNAL', 'the request failed; the server log has the details');
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = toVigilError(error);
  if (mapped.status >= 500) request.log.error({ err: error, method: request.method, url: request.url }, 'query failed');
  const body = request.routeOptions.config.errorBody ?? vigilErrorBody;
  return reply.code(mapped.status).send(body(mapped));
}
