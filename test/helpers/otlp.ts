// Plain OTLP/HTTP requests for tests that need to send exact bytes.
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

export const examplesDir = new URL('../../../shared/testdata/otlp-examples/', import.meta.url);

export function example(name: string): string {
  return readFileSync(new URL(name, examplesDir), 'utf8');
}

export interface Answer {
  status: number;
  headers: Headers;
  contentType: string;
  body: Buffer;
  /** The body parsed as JSON (for JSON answers) or as google.rpc.Status (protobuf error answers). */
  json: any;
}

const Status = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'));

export async function post(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
): Promise<Answer> {
  const res = await fetch(url, { method, body: method === 'GET' ? undefined : body, headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  const contentType = res.headers.get('content-type') ?? '';
  let json: unknown;
  if (contentType.startsWith('application/json')) json = bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined;
  else if (res.status !== 200 && bytes.length) json = Status.toObject(Status.decode(bytes));
  return { status: res.status, headers: res.headers, contentType, body: bytes, json };
}

/** A minimal valid OTLP/JSON traces body: one span per id pair. */
export function spansJson(service: string, spans: Array<{ traceId: string; spanId: string; name?: string }>): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              name: s.name ?? 'op',
              kind: 2,
              startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
              endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n + 1000n),
            })),
          },
        ],
      },
    ],
  });
}

export function logsJson(service: string, bodies: string[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [{ scope: {}, logRecords: bodies.map((b) => ({ body: { stringValue: b }, severityNumber: 9 })) }],
      },
    ],
  });
}

let counter = 0;
/** A fresh, valid 32-hex-digit trace id. */
export function traceId(): string {
  counter++;
  return (Date.now().toString(16) + counter.toString(16).padStart(8, '0')).padStart(32, 'a').slice(-32);
}
