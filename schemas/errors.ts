// The error catalog: every error Vigil answers with has a stable code, an HTTP status
// and a message template here. Code throws `vigilError(code, ...)`, never strings.
// docs/errors.md lists the same codes (a test keeps the two in step); retired codes
// are never reused.

interface ErrorSpec {
  status: number;
  // gRPC status code name for the OTLP/gRPC transport.
  grpc: 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'UNIMPLEMENTED' | 'RESOURCE_EXHAUSTED' | 'UNAVAILABLE' | 'UNAUTHENTICATED' | 'INTERNAL';
  message: (...args: never[]) => string;
}

export const errorCatalog = {
  VIGIL_ERR_ROUTE_NOT_FOUND: {
    status: 404,
    grpc: 'UNIMPLEMENTED',
    message: (method: string, path: string) =>
      `no route for ${method} ${path}; OTLP/HTTP accepts POST /v1/traces, /v1/metrics and /v1/logs`,
  },
  VIGIL_ERR_METHOD_NOT_ALLOWED: {
    status: 405,
    grpc: 'UNIMPLEMENTED',
    message: (method: string, path: string, allowed: string) => `${method} is not allowed on ${path}; use ${allowed}`,
  },
  VIGIL_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    grpc: 'INVALID_ARGUMENT',
    message: (contentType: string) =>
      `unsupported Content-Type ${contentType === '' ? '(none)' : JSON.stringify(contentType)}; use application/x-protobuf or application/json`,
  },
  VIGIL_ERR_UNSUPPORTED_ENCODING: {
    status: 415,
    grpc: 'INVALID_ARGUMENT',
    message: (encoding: string) => `unsupported Content-Encoding ${JSON.stringify(encoding)}; use gzip or identity`,
  },
  VIGIL_ERR_BODY_TOO_LARGE: {
    status: 413,
    grpc: 'RESOURCE_EXHAUSTED',
    message: (limit: number) => `request body exceeds the limit of ${limit} bytes (after decompression)`,
  },
  VIGIL_ERR_BAD_GZIP: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (detail: string) => `invalid gzip body: ${detail}`,
  },
  VIGIL_ERR_BAD_PROTOBUF: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (messageType: string, detail: string) => `malformed protobuf ${messageType}: ${detail}`,
  },
  VIGIL_ERR_BAD_JSON: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (detail: string) => `invalid JSON body: ${detail}`,
  },
  VIGIL_ERR_BAD_OTLP_JSON: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (path: string, detail: string) => `invalid OTLP/JSON at ${path}: ${detail}`,
  },
  VIGIL_ERR_BAD_PARAMETER: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (name: string, detail: string) => `invalid ${name}: ${detail}`,
  },
  VIGIL_ERR_NOT_FOUND: {
    status: 404,
    grpc: 'NOT_FOUND',
    // "trace not found" is also what Jaeger answers, word for word.
    message: (what: string) => `${what} not found`,
  },
  VIGIL_ERR_BAD_TIME: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (name: string, raw: string, detail: string) => `invalid ${name} ${JSON.stringify(raw)}: ${detail}`,
  },
  VIGIL_ERR_BAD_STEP: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (raw: string, detail: string) => `invalid step ${JSON.stringify(raw)}: ${detail}`,
  },
  VIGIL_ERR_TOO_MANY_POINTS: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (points: number, step: string, limit: number) =>
      `the window holds ${points} steps of ${step} per line, more than the limit of ${limit}; use a larger step or a shorter window`,
  },
  VIGIL_ERR_BAD_FORMAT: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (format: string, detail: string) => `format ${JSON.stringify(format)} is not served: ${detail}`,
  },
  VIGIL_ERR_BAD_PUBLISH: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (detail: string) => `publish payload rejected: ${detail}`,
  },
  VIGIL_ERR_TOO_MANY_SERIES: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (what: string, count: number, limit: number) =>
      `the query matches ${count > limit + 1 ? count : `more than ${limit}`} ${what}, over the limit of ${limit}; narrow it with more tags or group by fewer keys`,
  },
  VIGIL_ERR_UNAUTHENTICATED: {
    status: 401,
    grpc: 'UNAUTHENTICATED',
    message: () => 'missing or invalid bearer token: send Authorization: Bearer <token> with one of the configured tokens',
  },
  VIGIL_ERR_OVERLOADED: {
    status: 429,
    grpc: 'UNAVAILABLE',
    message: (pendingBytes: number, limitBytes: number) =>
      `ingest is at capacity (${pendingBytes} of ${limitBytes} bytes waiting to be stored); retry later`,
  },
  VIGIL_ERR_STORE_UNAVAILABLE: {
    status: 503,
    grpc: 'UNAVAILABLE',
    message: (detail: string) => `storage is unavailable, nothing of this request was acknowledged: ${detail}`,
  },
  VIGIL_ERR_SHUTTING_DOWN: {
    status: 503,
    grpc: 'UNAVAILABLE',
    message: () => 'the server is shutting down; retry against another instance or later',
  },
  VIGIL_ERR_ASL_SYNTAX: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (position: number, token: string, detail: string) =>
      `stack language syntax error at position ${position} near ${JSON.stringify(token)}: ${detail}`,
  },
  VIGIL_ERR_ASL_UNKNOWN_WORD: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (word: string, position: number) =>
      `unknown word ${word} at position ${position}; docs/asl.md lists the vocabulary`,
  },
  VIGIL_ERR_ASL_UNSUPPORTED_WORD: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (word: string, position: number) =>
      `the Atlas word ${word} at position ${position} is not supported by Vigil; docs/asl.md lists the supported words`,
  },
  VIGIL_ERR_ASL_STACK_UNDERFLOW: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (word: string, position: number, expected: string, depth: number) =>
      `stack underflow: ${word} at position ${position} expects ${expected} but the stack holds ${depth} item(s)`,
  },
  VIGIL_ERR_ASL_WRONG_TYPE: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (word: string, position: number, expected: string, found: string) =>
      `wrong type for ${word} at position ${position}: expected ${expected}, found ${found}`,
  },
  VIGIL_ERR_ASL_BAD_ARGUMENT: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (word: string, position: number, detail: string) => `invalid argument for ${word} at position ${position}: ${detail}`,
  },
  VIGIL_ERR_ASL_NOT_A_LINE: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (index: number, found: string) =>
      `stack item ${index} (from the bottom, 0-based) is ${found}; at the end every stack item must be a query or a time series expression`,
  },
  VIGIL_ERR_ASL_EVALUATION: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (detail: string) => `the expression cannot be evaluated: ${detail}`,
  },
  VIGIL_ERR_ASL_TOO_MANY_TOKENS: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (what: string, count: number, limit: number) =>
      `the expression has too many ${what} (${count}; the limit is ${limit})`,
  },
  VIGIL_ERR_ASL_TOO_MANY_LINES: {
    status: 400,
    grpc: 'INVALID_ARGUMENT',
    message: (count: number, limit: number) =>
      `the expression yields ${count} lines, more than the limit of ${limit}; narrow the query or group by fewer keys`,
  },
  VIGIL_ERR_INTERNAL: {
    status: 500,
    grpc: 'INTERNAL',
    message: (detail: string) => `internal error: ${detail}`,
  },
} satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalog;

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly grpc: ErrorSpec['grpc'];
  /** Seconds a client should wait before retrying (Retry-After), for retryable errors. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'VigilError';
    this.code = code;
    this.status = errorCatalog[code].status;
    this.grpc = errorCatalog[code].grpc;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

type MessageArgs<C extends ErrorCode> = Parameters<(typeof errorCatalog)[C]['message']>;

export function vigilError<C extends ErrorCode>(code: C, ...args: MessageArgs<C>): VigilError {
  const message = (errorCatalog[code].message as (...a: MessageArgs<C>) => string)(...args);
  return new VigilError(code, message);
}

/** A retryable error carrying the Retry-After delay to answer with. */
export function retryableError<C extends 'VIGIL_ERR_OVERLOADED' | 'VIGIL_ERR_STORE_UNAVAILABLE' | 'VIGIL_ERR_SHUTTING_DOWN'>(
  code: C,
  retryAfterSeconds: number,
  ...args: MessageArgs<C>
): VigilError {
  const message = (errorCatalog[code].message as (...a: MessageArgs<C>) => string)(...args);
  return new VigilError(code, message, retryAfterSeconds);
}
